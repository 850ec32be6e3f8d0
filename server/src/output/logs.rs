//! Views of flow run logs.

use chrono::{DateTime, Utc};
use prefect_api::types;
use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

use super::cap_text;
use super::tracebacks::fold_traceback;

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

/// One log line.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LogLine {
    pub timestamp: DateTime<Utc>,
    /// DEBUG, INFO, WARNING, ERROR, CRITICAL (or "Level N" for a custom level).
    pub level: String,
    /// The message, a traceback's library frames folded; one longer than 2000 characters
    /// keeps its start and end around a "…(truncated: N of M chars omitted)…" marker.
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
            message: cap_text(&fold_traceback(&log.message), MAX_LOG_MESSAGE_CHARS),
            task_run_id: log.task_run_id,
        }
    }
}

/// A page of a flow run's logs, oldest line first.
#[serde_with::skip_serializing_none]
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
    fn levels_have_python_names() {
        assert_eq!(log_level_name(30), "WARNING");
        assert_eq!(log_level_name(25), "Level 25");
    }
}
