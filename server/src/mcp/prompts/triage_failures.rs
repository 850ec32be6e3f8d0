//! triage_failures: the failed and crashed runs of the last hours, grouped by deployment and
//! cause, with the diagnosis of the newest run of each group.

use std::fmt::Write;

use chrono::{Duration, Utc};
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::GetPromptResult;
use rmcp::service::RequestContext;
use rmcp::{prompt, prompt_router, ErrorData, RoleServer};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use super::{brief, diagnose, render};
use crate::errors::{ArgumentError, ToolError};
use crate::mcp::server::McpServer;
use crate::mcp::tools::args::{self, MAX_LIMIT};
use crate::output::FlowRunView;

/// What the model is asked to do with the brief's data.
const TASK: &str = "For each group, say in a sentence or two what failed, the most likely \
             cause (from the diagnosis in the data) and the fix. Put the groups that need action first; \
             say which look like the same root cause. Use the diagnose_flow_run and \
             get_flow_run_logs tools only if something in the data is unclear.";

const DEFAULT_HOURS: i64 = 24;
const MAX_HOURS: i64 = 24 * 30;
/// Groups of failures diagnosed one by one (each diagnosis is a handful of Prefect calls).
const MAX_DIAGNOSED_GROUPS: usize = 8;
/// Runs listed per group, newest first.
const RUNS_PER_GROUP: usize = 5;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TriageArgs {
    /// How many hours back to look, 1-720 (default 24).
    #[serde(default)]
    pub hours: Option<String>,
    /// Only runs in this exact state name, e.g. "Crashed" or "TimedOut" (default: every
    /// FAILED and CRASHED run).
    #[serde(default)]
    pub state: Option<String>,
}

fn hours(given: Option<&str>) -> Result<i64, ToolError> {
    let Some(raw) = args::non_blank(given) else {
        return Ok(DEFAULT_HOURS);
    };
    raw.parse::<i64>()
        .ok()
        .filter(|h| (1..=MAX_HOURS).contains(h))
        .ok_or_else(|| {
            ArgumentError::NotWholeHours {
                value: raw.to_string(),
                max: MAX_HOURS,
            }
            .into()
        })
}

/// Failures are grouped by deployment and cause.
type GroupKey = (Option<Uuid>, String);

/// Failures that look alike: the first line of the state's message, or its name.
fn cause_of(run: &FlowRunView) -> String {
    let state = run.state.as_ref();
    state
        .and_then(|s| s.message.as_deref())
        .and_then(|m| m.lines().map(str::trim).find(|l| !l.is_empty()))
        .map(|line| line.chars().take(160).collect())
        .or_else(|| state.and_then(|s| s.name.clone()))
        .unwrap_or_else(|| "no message".into())
}

#[prompt_router(router = "triage_failures_prompt", vis = "pub(crate)")]
impl McpServer {
    /// Triage the failed and crashed flow runs of the last hours: grouped by deployment and
    /// cause, with the diagnosis of the newest run of each group.
    #[prompt(title = "Triage failed flow runs")]
    async fn triage_failures(
        &self,
        Parameters(args): Parameters<TriageArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResult, ErrorData> {
        self.triage_brief(args, &context)
            .await
            .map_err(ToolError::into_error_data)
    }
}

impl McpServer {
    async fn triage_brief(
        &self,
        args: TriageArgs,
        context: &RequestContext<RoleServer>,
    ) -> Result<GetPromptResult, ToolError> {
        let hours = hours(args.hours.as_deref())?;
        let state_name = args::non_blank(args.state.as_deref()).map(String::from);
        let since = Utc::now() - Duration::hours(hours);
        let runs = self
            .prefect
            .failures_since(state_name.as_deref(), since, MAX_LIMIT)
            .await?;

        // Groups in the order of their newest run (the list is newest first).
        let mut groups: Vec<(GroupKey, Vec<&FlowRunView>)> = Vec::new();
        for run in &runs {
            let key = (run.deployment_id, cause_of(run));
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, members)) => members.push(run),
                None => groups.push((key, vec![run])),
            }
        }
        let names = self
            .prefect
            .deployment_names(groups.iter().filter_map(|((d, _), _)| *d).collect())
            .await?;

        let what = state_name
            .as_deref()
            .map_or("failed and crashed".to_string(), |n| format!("\"{n}\""));
        let mut text = format!(
            "# Triage: {what} flow runs in the last {hours} h\n\nPrefect at {}. {} run(s){} in \
             {} group(s) by deployment and cause, newest first.\n",
            self.prefect.api_url(),
            runs.len(),
            if runs.len() as i64 == MAX_LIMIT {
                " (the newest 200; there may be more)"
            } else {
                ""
            },
            groups.len()
        );
        for (index, ((deployment, cause), members)) in groups.iter().enumerate() {
            let deployment = deployment
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_else(|| "no deployment".into());
            let _ = write!(
                text,
                "\n## {}. {deployment}: {} ({} run(s))\n",
                index + 1,
                render::quote(cause),
                members.len()
            );
            for run in members.iter().take(RUNS_PER_GROUP) {
                let _ = writeln!(text, "{}", render::run_line(run));
            }
            if index < MAX_DIAGNOSED_GROUPS {
                let newest = members[0];
                let _ = writeln!(
                    text,
                    "\nDiagnosis of the newest, \"{}\":",
                    newest.name.as_deref().unwrap_or("unnamed")
                );
                let diagnosis = diagnose(&self.prefect, &newest.id.to_string(), context).await?;
                render::diagnosis(&mut text, &diagnosis);
            } else {
                let _ = writeln!(
                    text,
                    "(not diagnosed here: use the diagnose_flow_run tool on it)"
                );
            }
        }
        if runs.is_empty() {
            let _ = writeln!(text, "\nNo such runs: nothing failed in that window.");
        }
        Ok(brief(
            format!("{} {what} run(s) in the last {hours} h", runs.len()),
            text,
            TASK,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_default_and_bounds() {
        assert_eq!(hours(None).unwrap(), 24);
        assert_eq!(hours(Some(" ")).unwrap(), 24);
        assert_eq!(hours(Some("72")).unwrap(), 72);
        for bad in ["0", "721", "two", "1.5"] {
            let err = hours(Some(bad)).unwrap_err().message();
            assert!(err.contains("1 to 720"), "{err}");
        }
    }
}
