//! Task run tools: list_task_runs.

use prefect_api::{types, PrefectCall};
use rmcp::{tool, tool_router, Json};
use schemars::JsonSchema;
use serde::Deserialize;

use super::args::{self, Parameters};
use crate::errors::{Doing, ToolError};
use crate::output::{TaskRunList, TaskRunView};
use crate::server::PrefectServer;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListTaskRunsArgs {
    /// Optional ID (UUID) of the flow run whose task runs to list.
    #[serde(default)]
    pub flow_run_id: Option<String>,
    /// Optional state type, case-insensitive: SCHEDULED, PENDING, RUNNING, COMPLETED, FAILED,
    /// CANCELLED, CRASHED, PAUSED or CANCELLING.
    #[serde(default)]
    pub state_type: Option<String>,
    /// Optional state name, exact (e.g. "Completed", "Failed", "Cached", "AwaitingRetry").
    #[serde(default)]
    pub state_name: Option<String>,
    /// Maximum number of task runs to return (1-200).
    #[serde(default = "args::default_limit")]
    pub limit: i64,
    /// Number of task runs to skip.
    #[serde(default)]
    pub offset: i64,
}

#[tool_router(router = task_runs_tools, vis = "pub(crate)")]
impl PrefectServer {
    /// List task runs, newest first (by expected start time): those of one flow run with
    /// `flow_run_id`, and/or in a state with `state_type` (FAILED, ...) or the exact
    /// `state_name`; given several, a task run must match all.
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
        let state_type = args::non_blank(args.state_type.as_deref())
            .map(args::state_type)
            .transpose()?;
        let state_name = args::non_blank(args.state_name.as_deref()).map(String::from);
        let limit = args::limit(args.limit)?;
        let offset = args::offset(args.offset)?;
        let state =
            (state_type.is_some() || state_name.is_some()).then(|| types::TaskRunFilterState {
                type_: state_type.map(|t| types::TaskRunFilterStateType {
                    any: Some(vec![types::StateType(t)]),
                }),
                name: state_name.map(|n| types::TaskRunFilterStateName { any: Some(vec![n]) }),
                operator: Some(types::Operator("and_".into())),
            });
        let body = types::BodyReadTaskRunsTaskRunsFilterPost {
            task_runs: Some(types::TaskRunFilter {
                flow_run_id: flow_run_id.map(|id| types::TaskRunFilterFlowRunId {
                    any: Some(vec![id]),
                    ..Default::default()
                }),
                state,
                ..Default::default()
            }),
            limit: Some(limit),
            offset,
            sort: Some(types::TaskRunSort("EXPECTED_START_TIME_DESC".into())),
            ..Default::default()
        };
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
        Ok(Json(TaskRunList::new(
            task_runs.into_iter().map(TaskRunView::from).collect(),
        )))
    }
}
