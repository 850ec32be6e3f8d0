//! The text of the prompts' briefs: Prefect objects as short Markdown lines a model reads at a
//! glance. Every free text (state messages, log lines) is capped, and the whole brief is held
//! to [`BRIEF_BUDGET`] characters.

use std::fmt::Write;

use chrono::{DateTime, Utc};

use crate::output::{
    cap_text, DeploymentView, Diagnosis, FlowRunView, LogLine, StateView, WorkPoolView,
};

/// The most characters a prompt's brief may have (about 6,000 tokens): enough for a dozen
/// diagnosed groups, small enough to leave the model room to answer.
pub const BRIEF_BUDGET: usize = 24_000;
/// The longest state message or log line quoted in a brief.
const QUOTE_CHARS: usize = 400;

/// The brief, cut to the budget (keeping its start and its end, where the task is stated).
pub fn within_budget(brief: String) -> String {
    cap_text(&brief, BRIEF_BUDGET)
}

pub fn time(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(
        || "-".to_string(),
        |t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    )
}

/// `FAILED`, or `SCHEDULED (Late)` when the name says more than the type.
pub fn state_label(state: Option<&StateView>) -> String {
    match state {
        None => "no state".into(),
        Some(s) => match s.name.as_deref() {
            Some(name) if !name.eq_ignore_ascii_case(&s.type_) => format!("{} ({name})", s.type_),
            _ => s.type_.clone(),
        },
    }
}

pub fn quote(text: &str) -> String {
    cap_text(text.trim(), QUOTE_CHARS).replace('\n', "\n    ")
}

/// One run on one line: name, id, state, expected start, and its message when it has one.
pub fn run_line(run: &FlowRunView) -> String {
    let mut line = format!(
        "- \"{}\" (id {}) {} - expected start {}",
        run.name.as_deref().unwrap_or("unnamed"),
        run.id,
        state_label(run.state.as_ref()),
        time(run.expected_start_time),
    );
    if let Some(message) = run.state.as_ref().and_then(|s| s.message.as_deref()) {
        let _ = write!(line, "\n    {}", quote(message));
    }
    line
}

pub fn log_lines(out: &mut String, lines: &[LogLine]) {
    for line in lines {
        let _ = writeln!(
            out,
            "    {} {} {}",
            line.timestamp.format("%H:%M:%S"),
            line.level,
            quote(&line.message)
        );
    }
}

/// A diagnosis (of `diagnose_flow_run`) as a section body.
pub fn diagnosis(out: &mut String, d: &Diagnosis) {
    let _ = writeln!(out, "{}", d.summary);
    let _ = writeln!(out, "Likely causes, most likely first:");
    for cause in &d.likely_causes {
        let _ = writeln!(out, "- {}", quote(cause));
    }
    if !d.failed_task_runs.is_empty() {
        let _ = writeln!(out, "Failed task runs:");
        for task in &d.failed_task_runs {
            let _ = writeln!(
                out,
                "- {} {}",
                task.name.as_deref().unwrap_or(&task.task_key),
                state_label(task.state.as_ref())
            );
        }
    }
    if !d.error_logs.is_empty() {
        let _ = writeln!(out, "Newest warning and error log lines:");
        let from = d.error_logs.len().saturating_sub(5);
        log_lines(out, &d.error_logs[from..]);
    }
    if let Some(pool) = &d.work_pool {
        work_pool(out, pool);
    }
}

pub fn work_pool(out: &mut String, pool: &WorkPoolView) {
    let _ = writeln!(
        out,
        "Work pool \"{}\" (type {}, status {}, {}paused): {}",
        pool.name,
        pool.type_,
        pool.status.as_deref().unwrap_or("unknown"),
        if pool.is_paused { "" } else { "not " },
        if pool.healthy {
            "healthy".to_string()
        } else {
            format!("NOT healthy: {}", pool.problems.join("; "))
        }
    );
    if pool.workers.is_empty() {
        let _ = writeln!(out, "- no workers have ever polled it");
    }
    for worker in &pool.workers {
        let _ = writeln!(
            out,
            "- worker \"{}\": {}, last heartbeat {}",
            worker.name,
            worker.status.as_deref().unwrap_or("unknown"),
            time(worker.last_heartbeat_time)
        );
    }
    for queue in &pool.queues {
        let _ = writeln!(
            out,
            "- queue \"{}\": {}{}",
            queue.name,
            queue.status.as_deref().unwrap_or("unknown"),
            if queue.is_paused { ", paused" } else { "" }
        );
    }
}

pub fn deployment(out: &mut String, d: &DeploymentView) {
    let _ = writeln!(
        out,
        "Deployment \"{}/{}\" (id {}): {}, status {}, last polled {}",
        d.flow_name.as_deref().unwrap_or("?"),
        d.name,
        d.id,
        if d.paused { "PAUSED" } else { "not paused" },
        d.status.as_deref().unwrap_or("unknown"),
        time(d.last_polled),
    );
    let limit = d
        .concurrency_limit
        .map_or_else(|| "none".to_string(), |l| l.to_string());
    let _ = match &d.work_pool_name {
        Some(pool) => writeln!(
            out,
            "Work pool \"{pool}\", queue \"{}\", concurrency limit {limit}",
            d.work_queue_name.as_deref().unwrap_or("default")
        ),
        None => writeln!(
            out,
            "No work pool (a runner serves it), concurrency limit {limit}"
        ),
    };
    if d.schedules.is_empty() {
        let _ = writeln!(out, "Schedules: none (runs are only created on demand)");
    }
    for s in &d.schedules {
        let what = match (&s.interval_seconds, &s.cron, &s.rrule) {
            (Some(seconds), _, _) => format!("every {seconds} s"),
            (_, Some(cron), _) => format!("cron \"{cron}\""),
            (_, _, Some(rrule)) => format!("rrule \"{rrule}\""),
            _ => "unknown".into(),
        };
        let _ = writeln!(
            out,
            "Schedule: {what}{}, {}",
            s.timezone
                .as_deref()
                .map_or_else(String::new, |tz| format!(" ({tz})")),
            if s.active { "active" } else { "inactive" }
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn briefs_over_budget_keep_start_and_end() {
        let long = format!("START{}END", "x".repeat(BRIEF_BUDGET * 2));
        let cut = within_budget(long);
        assert!(cut.chars().count() <= BRIEF_BUDGET + 100, "{}", cut.len());
        assert!(cut.starts_with("START") && cut.ends_with("END"));
    }

    #[test]
    fn state_labels_show_names_that_differ_from_the_type() {
        let state = StateView {
            type_: "SCHEDULED".into(),
            name: Some("Late".into()),
            message: None,
            timestamp: None,
        };
        assert_eq!(state_label(Some(&state)), "SCHEDULED (Late)");
        assert_eq!(state_label(None), "no state");
    }
}
