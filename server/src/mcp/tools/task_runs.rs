//! Task run tools: list_task_runs.

use rmcp::{tool, tool_router, Json};

use super::args::{self, tool_args, Parameters};
use crate::errors::ToolError;
use crate::mcp::declarations::Declaration;
use crate::mcp::server::McpServer;
use crate::output::TaskRunList;

pub(crate) const DECLARED: &[Declaration] = &[Declaration::reads("list_task_runs")];

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

#[tool_router(router = task_runs_tools, vis = "pub(crate)")]
impl McpServer {
    /// List task runs, newest first, of a flow run and/or in a state (all filters must match).
    #[tool]
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
        let states = args::states(args.state_type.as_deref(), args.state_name.as_deref())?;
        let (limit, offset) = args.page()?;
        self.prefect
            .list_task_runs(flow_run_id, states, limit, offset)
            .await
            .map(Json)
    }
}
