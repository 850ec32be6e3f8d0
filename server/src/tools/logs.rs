//! Log tools: get_flow_run_logs.

use prefect_api::{types, PrefectCall};
use rmcp::{tool, tool_router, Json};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use super::args::{self, page_body, Parameters};
use crate::errors::{ArgumentError, Doing, ToolError};
use crate::output::{FlowRunLogs, LogLine, LOG_LEVELS};
use crate::server::PrefectServer;

const DEFAULT_LOG_LIMIT: i64 = 50;

fn default_log_limit() -> i64 {
    DEFAULT_LOG_LIMIT
}

fn default_true() -> bool {
    true
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowRunLogsArgs {
    /// Flow run UUID.
    pub flow_run_id: String,
    /// Minimum level, case-insensitive: DEBUG, INFO, WARNING, ERROR or CRITICAL.
    #[serde(default)]
    pub level: Option<String>,
    /// Lines to return, 1-200, counted back from the newest.
    #[serde(default = "default_log_limit")]
    pub limit: i64,
    /// Newest lines to skip, to page back.
    #[serde(default)]
    pub offset: i64,
    /// Include the task runs' lines (false: the flow's own lines only).
    #[serde(default = "default_true")]
    pub include_task_runs: bool,
}

/// A level name, case-insensitively, as Prefect's number for it.
fn min_level(value: &str) -> Result<i64, ToolError> {
    let upper = value.trim().to_ascii_uppercase();
    LOG_LEVELS
        .iter()
        .find(|(name, _)| *name == upper)
        .map(|(_, number)| *number)
        .ok_or_else(|| {
            ArgumentError::UnknownLogLevel {
                value: value.to_string(),
            }
            .into()
        })
}

/// Newest first, so that `offset` counts back from the end of the run, where failures are.
pub(crate) fn logs_body(
    filter: &types::LogFilter,
    limit: i64,
    offset: u64,
) -> types::BodyReadLogsLogsFilterPost {
    page_body!(BodyReadLogsLogsFilterPost, LogSort("TIMESTAMP_DESC"), limit, offset, logs: Some(filter.clone()))
}

#[tool_router(router = logs_tools, vis = "pub(crate)")]
impl PrefectServer {
    /// Get a flow run's logs: its newest lines (where a failure shows), oldest first; `offset`
    /// pages back and `next_offset` says where more begin.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    pub(crate) async fn get_flow_run_logs(
        &self,
        Parameters(args): Parameters<FlowRunLogsArgs>,
    ) -> Result<Json<FlowRunLogs>, ToolError> {
        let flow_run_id = args::uuid("flow_run_id", &args.flow_run_id, "")?;
        let level = args::non_blank(args.level.as_deref())
            .map(min_level)
            .transpose()?;
        let limit = args::limit(args.limit)?;
        let offset = args::offset(args.offset)?;
        let filter = types::LogFilter {
            flow_run_id: Some(types::LogFilterFlowRunId {
                any: Some(vec![flow_run_id]),
            }),
            level: level.map(|ge| types::LogFilterLevel {
                ge: Some(ge),
                le: None,
            }),
            task_run_id: (!args.include_task_runs).then_some(types::LogFilterTaskRunId {
                any: None,
                is_null: Some(true),
            }),
            ..Default::default()
        };
        let (mut newest_first, older_lines_available) = self
            .read_log_page(flow_run_id, &filter, limit, offset)
            .await?;
        if newest_first.is_empty() {
            // Prefect answers an unknown run with no lines; say so instead of "no logs".
            self.read_flow_run(flow_run_id).await?;
        }
        newest_first.reverse();
        let logs: Vec<LogLine> = newest_first.into_iter().map(LogLine::from).collect();
        Ok(Json(FlowRunLogs {
            flow_run_id,
            count: logs.len(),
            next_offset: older_lines_available.then(|| offset + logs.len() as u64),
            logs,
            older_lines_available,
        }))
    }
}

impl PrefectServer {
    /// Up to `limit` lines, newest first, and whether older ones exist. Asks for one line more
    /// than needed to find out; at Prefect's page limit that takes a second, one-line request.
    async fn read_log_page(
        &self,
        flow_run_id: Uuid,
        filter: &types::LogFilter,
        limit: i64,
        offset: u64,
    ) -> Result<(Vec<types::Log>, bool), ToolError> {
        let doing = || format!("reading the logs of flow run {flow_run_id}");
        let asked = (limit + 1).min(args::MAX_LIMIT);
        let mut logs = self
            .client
            .read_logs(&logs_body(filter, asked, offset))
            .value()
            .await
            .doing(doing())?;
        let older = if logs.len() as i64 > limit {
            logs.truncate(limit as usize);
            true
        } else if asked == limit && logs.len() as i64 == limit {
            !self
                .client
                .read_logs(&logs_body(filter, 1, offset + limit as u64))
                .value()
                .await
                .doing(doing())?
                .is_empty()
        } else {
            false
        };
        Ok((logs, older))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_case_insensitive_minimums() {
        assert_eq!(min_level("warning").unwrap(), 30);
        assert_eq!(min_level(" Critical ").unwrap(), 50);
    }

    #[test]
    fn unknown_levels_list_the_valid_ones() {
        let err = min_level("LOUD").unwrap_err().message();
        assert!(
            err.contains("DEBUG, INFO, WARNING, ERROR, CRITICAL"),
            "{err}"
        );
    }

    #[test]
    fn logs_are_asked_newest_first() {
        let body = logs_body(&types::LogFilter::default(), 51, 50);
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["sort"], "TIMESTAMP_DESC");
        assert_eq!(json["offset"], 50);
        assert_eq!(json["limit"], 51);
    }
}
