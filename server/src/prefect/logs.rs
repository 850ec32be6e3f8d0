//! Logs: a flow run's lines, newest first and paged back from the end.

use prefect_api::{types, PrefectCall};
use uuid::Uuid;

use super::query::{page_body, MAX_LIMIT};
use super::Prefect;
use crate::errors::{Doing, ToolError};
use crate::output::{FlowRunLogs, LogLine};

/// Newest first, so that `offset` counts back from the end of the run, where failures are.
pub fn logs_body(
    filter: &types::LogFilter,
    limit: i64,
    offset: u64,
) -> types::BodyReadLogsLogsFilterPost {
    page_body!(BodyReadLogsLogsFilterPost, LogSort("TIMESTAMP_DESC"), limit, offset, logs: Some(filter.clone()))
}

/// Which lines of a flow run.
#[derive(Debug, Clone)]
pub struct LogQuery {
    pub flow_run_id: Uuid,
    /// The minimum level, as Prefect's number for it.
    pub min_level: Option<i64>,
    /// Lines, counted back from the newest.
    pub limit: i64,
    /// Newest lines to skip.
    pub offset: u64,
    /// Include the task runs' lines (false: the flow's own lines only).
    pub include_task_runs: bool,
}

impl Prefect {
    /// A flow run's newest lines (where a failure shows), oldest first, and where older ones
    /// begin.
    pub async fn flow_run_logs(&self, query: LogQuery) -> Result<FlowRunLogs, ToolError> {
        let LogQuery {
            flow_run_id,
            min_level,
            limit,
            offset,
            include_task_runs,
        } = query;
        let filter = types::LogFilter {
            flow_run_id: Some(types::LogFilterFlowRunId {
                any: Some(vec![flow_run_id]),
            }),
            level: min_level.map(|ge| types::LogFilterLevel {
                ge: Some(ge),
                le: None,
            }),
            task_run_id: (!include_task_runs).then_some(types::LogFilterTaskRunId {
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
        Ok(FlowRunLogs {
            flow_run_id,
            count: logs.len(),
            next_offset: older_lines_available.then(|| offset + logs.len() as u64),
            logs,
            older_lines_available,
        })
    }

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
        let asked = (limit + 1).min(MAX_LIMIT);
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
    fn logs_are_asked_newest_first() {
        let body = logs_body(&types::LogFilter::default(), 51, 50);
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["sort"], "TIMESTAMP_DESC");
        assert_eq!(json["offset"], 50);
        assert_eq!(json["limit"], 51);
    }
}
