//! Views of flow run logs, and the text cap shared by views that quote free text.

use chrono::{DateTime, Utc};
use prefect_api::types;
use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

/// Longest log message returned whole; longer ones keep their start and their end.
pub const MAX_LOG_MESSAGE_CHARS: usize = 2000;

/// Python's logging levels, as Prefect stores them (numbers) and names them.
pub const LOG_LEVELS: [(&str, i64); 5] = [
    ("DEBUG", 10),
    ("INFO", 20),
    ("WARNING", 30),
    ("ERROR", 40),
    ("CRITICAL", 50),
];

/// A level's name, or "Level N" (Python's own spelling) for a custom level.
pub fn log_level_name(level: i64) -> String {
    LOG_LEVELS
        .iter()
        .find(|(_, number)| *number == level)
        .map_or_else(|| format!("Level {level}"), |(name, _)| (*name).to_string())
}

/// `text` cut to about `max_chars`, keeping its start and its end: the end of a traceback is
/// the exception, the part most worth keeping. The marker says how much was cut.
pub fn cap_text(text: &str, max_chars: usize) -> String {
    let total = text.chars().count();
    if total <= max_chars {
        return text.to_string();
    }
    let head = max_chars / 2;
    let tail = max_chars - head;
    let omitted = total - head - tail;
    let start: String = text.chars().take(head).collect();
    let end: String = text.chars().skip(total - tail).collect();
    format!("{start}\n…(truncated: {omitted} of {total} chars omitted)…\n{end}")
}

/// One log line.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LogLine {
    pub timestamp: DateTime<Utc>,
    /// DEBUG, INFO, WARNING, ERROR, CRITICAL (or "Level N" for a custom level).
    pub level: String,
    /// The message; one longer than 2000 characters keeps its start and end around a
    /// "…(truncated: N of M chars omitted)…" marker.
    pub message: String,
    /// The task run that logged this line; absent for the flow's own lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_run_id: Option<Uuid>,
}

impl From<types::Log> for LogLine {
    fn from(log: types::Log) -> Self {
        LogLine {
            timestamp: log.timestamp,
            level: log_level_name(log.level),
            message: cap_text(&log.message, MAX_LOG_MESSAGE_CHARS),
            task_run_id: log.task_run_id,
        }
    }
}

/// A page of a flow run's logs, oldest line first.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FlowRunLogs {
    pub flow_run_id: Uuid,
    /// Oldest first; the last line is the newest of this page.
    pub logs: Vec<LogLine>,
    /// How many lines this answer holds.
    pub count: usize,
    /// Whether the run has lines older than this page (matching the same level filter).
    pub older_lines_available: bool,
    /// The `offset` that returns the lines just before this page, when there are any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_whole() {
        assert_eq!(cap_text("ünï", 3), "ünï");
    }

    #[test]
    fn long_text_keeps_start_and_end_with_a_marker() {
        let text = format!("Traceback{}ValueError: boom", "x".repeat(5000));
        let capped = cap_text(&text, 100);
        assert!(capped.starts_with("Traceback"), "{capped}");
        assert!(capped.ends_with("ValueError: boom"), "{capped}");
        assert!(
            capped.contains(&format!(
                "truncated: {} of {} chars omitted",
                text.len() - 100,
                text.len()
            )),
            "{capped}"
        );
    }

    #[test]
    fn capping_counts_characters_not_bytes() {
        let capped = cap_text(&"ü".repeat(10), 4);
        assert!(
            capped.starts_with("üü\n") && capped.ends_with("\nüü"),
            "{capped}"
        );
    }

    #[test]
    fn levels_have_python_names() {
        assert_eq!(log_level_name(30), "WARNING");
        assert_eq!(log_level_name(25), "Level 25");
    }
}
