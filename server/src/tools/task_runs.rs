//! Task run tools: list_task_runs.

use prefect_api::{types, PrefectCall};
use rmcp::{tool, tool_router, Json};

use super::args::{self, page_body, tool_args, Parameters};
use crate::errors::{Doing, ToolError};
use crate::output::{TaskRunList, TaskRunView};
use crate::server::PrefectServer;

tool_args! {
    pub struct ListTaskRunsArgs paged {
        /// Only this flow run's task runs (flow run UUID).
        #[serde(default)]
        pub flow_run_id: Option<String>,
        /// State type, case-insensitive: SCHEDULED, PENDING, RUNNING, COMPLETED, FAILED,
        /// CANCELLED, CRASHED, PAUSED or CANCELLING.
        #[serde(default)]
        pub state_type: Option<String>,
        /// Exact state name, e.g. "Cached", "AwaitingRetry".
        #[serde(default)]
        pub state_name: Option<String>,
    }
}

/// Newest first by expected start time.
pub(crate) fn task_runs_body(
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

#[tool_router(router = task_runs_tools, vis = "pub(crate)")]
impl PrefectServer {
    /// List task runs, newest first, of one flow run and/or in a state; given several
    /// filters, a task run must match all.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn list_task_runs(
        &self,
        Parameters(args): Parameters<ListTaskRunsArgs>,
    ) -> Result<Json<TaskRunList>, ToolError> {
        let flow_run_id = args::non_blank(args.flow_run_id.as_deref())
            .map(|id| {
                args::uuid(
                    "flow_run_id",
                    id,
                    "list_flow_runs and search_flow_runs_by_state show flow run ids.",
                )
            })
            .transpose()?;
        let states =
            args::States::from_arguments(args.state_type.as_deref(), args.state_name.as_deref())?;
        let (limit, offset) = args.page()?;
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
            self.check_state_names(&super::states::task_run_filter_names(&body))
                .await?;
        }
        Ok(Json(TaskRunList::new(
            task_runs.into_iter().map(TaskRunView::from).collect(),
        )))
    }
}
