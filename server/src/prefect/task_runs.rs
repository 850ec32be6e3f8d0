//! Task runs: pages of them, by flow run and state.

use prefect_api::{types, PrefectCall};
use uuid::Uuid;

use super::query::{page_body, States};
use super::states::task_run_filter_names;
use super::Prefect;
use crate::errors::{Doing, ToolError};
use crate::output::{TaskRunList, TaskRunView};

/// Newest first by expected start time.
pub fn task_runs_body(
    task_runs: types::TaskRunFilter,
    flow_runs: Option<types::FlowRunFilter>,
    limit: i64,
    offset: u64,
) -> types::BodyReadTaskRunsTaskRunsFilterPost {
    page_body!(
        BodyReadTaskRunsTaskRunsFilterPost,
        TaskRunSort("EXPECTED_START_TIME_DESC"),
        limit,
        offset,
        task_runs: Some(task_runs),
        flow_runs: flow_runs,
    )
}

impl Prefect {
    /// Task runs newest first, of one flow run and/or in `states`; given both, both must match.
    pub async fn list_task_runs(
        &self,
        flow_run_id: Option<Uuid>,
        states: States,
        limit: i64,
        offset: u64,
    ) -> Result<TaskRunList, ToolError> {
        let task_runs = types::TaskRunFilter {
            flow_run_id: flow_run_id.map(|id| types::TaskRunFilterFlowRunId {
                any: Some(vec![id]),
                ..Default::default()
            }),
            state: states.task_run_filter(),
            ..Default::default()
        };
        let body = task_runs_body(task_runs, None, limit, offset);
        let task_runs = self
            .client
            .read_task_runs(&body)
            .value()
            .await
            .doing("listing task runs")?;
        if let (Some(id), true) = (flow_run_id, task_runs.is_empty()) {
            // An unknown flow run has no task runs either; say that it does not exist.
            self.read_flow_run(id).await?;
        }
        if task_runs.is_empty() {
            self.check_state_names(&task_run_filter_names(&body))
                .await?;
        }
        Ok(TaskRunList::new(
            task_runs.into_iter().map(TaskRunView::from).collect(),
        ))
    }
}
