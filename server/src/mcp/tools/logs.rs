//! Log tools: get_flow_run_logs.

use rmcp::{tool, tool_router, Json};
use schemars::JsonSchema;
use serde::Deserialize;

use super::args::{self, Parameters};
use crate::errors::{ArgumentError, ToolError};
use crate::mcp::declarations::Declaration;
use crate::mcp::server::McpServer;
use crate::output::{FlowRunLogs, LOG_LEVELS};
use crate::prefect::logs::LogQuery;

pub(crate) const DECLARED: &[Declaration] = &[Declaration::reads("get_flow_run_logs")];

pub(crate) const DEFAULT_LOG_LIMIT: i64 = 50;

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
    /// false: the flow's own lines only.
    #[serde(default = "default_true")]
    pub include_task_runs: bool,
}

/// A level name, case-insensitively, as Prefect's number for it.
pub(crate) fn min_level(value: &str) -> Result<i64, ToolError> {
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

#[tool_router(router = logs_tools, vis = "pub(crate)")]
impl McpServer {
    /// Get a flow run's logs: its newest lines (where a failure shows), oldest first; `offset`
    /// pages back and `next_offset` says where more begin.
    #[tool]
    async fn get_flow_run_logs(
        &self,
        Parameters(args): Parameters<FlowRunLogsArgs>,
    ) -> Result<Json<FlowRunLogs>, ToolError> {
        let flow_run_id = args::uuid("flow_run_id", &args.flow_run_id, "")?;
        let level = args::non_blank(args.level.as_deref())
            .map(min_level)
            .transpose()?;
        let limit = args::limit(args.limit)?;
        let offset = args::offset(args.offset)?;
        self.prefect
            .flow_run_logs(LogQuery {
                flow_run_id,
                min_level: level,
                limit,
                offset,
                include_task_runs: args.include_task_runs,
            })
            .await
            .map(Json)
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
}
