//! Flow run tools: get_flow_run_by_id, list_flow_runs, search_flow_runs_by_state, cancel_flow_run,
//! wait_for_flow_run.

use std::time::Duration;

use rmcp::service::RequestContext;
use rmcp::{tool, tool_router, Json, RoleServer};
use schemars::JsonSchema;
use serde::Deserialize;

use super::args::{self, tool_args, Parameters};
use super::flow_run_writes::described;
use crate::errors::{ArgumentError, ToolError};
use crate::mcp::ask::{confirm_when_possible, Asker};
use crate::mcp::audit;
use crate::mcp::declarations::{Declaration, Waits};
use crate::mcp::server::McpServer;
use crate::mcp::tasks::sealed::Finish;
use crate::output::{CancelResult, FlowRunList, FlowRunView, WaitedFlowRun};
use crate::prefect::waits::MAX_WAIT_SECONDS;

pub(crate) const DECLARED: &[Declaration] = &[
    Declaration::reads("get_flow_run_by_id").view("flow-run"),
    Declaration::reads("list_flow_runs"),
    Declaration::reads("search_flow_runs_by_state"),
    Declaration::destroys("cancel_flow_run")
        .idempotent()
        .asks_when("of a client that can be asked; one that cannot gets the cancel"),
    Declaration::reads("wait_for_flow_run").waits(Waits::Always),
];

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowRunIdArgs {
    /// Flow run UUID.
    pub flow_run_id: String,
}

tool_args! {
    pub struct ListFlowRunsArgs paged {
        /// Only this flow's runs (flow UUID).
        #[serde(default)]
        pub flow_id: Option<String>,
    }
}

tool_args! {
    pub struct SearchByStateArgs limited {
        /// State type, case-insensitive: SCHEDULED, PENDING, RUNNING, COMPLETED, FAILED,
        /// CANCELLED, CRASHED, PAUSED or CANCELLING.
        #[serde(default)]
        pub state_type: Option<String>,
        /// Exact state name, e.g. "Late", "AwaitingRetry".
        #[serde(default)]
        pub state_name: Option<String>,
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitArgs {
    /// Flow run UUID.
    pub flow_run_id: String,
    /// Seconds to wait for a final state, 1-3600.
    #[serde(default = "default_wait_seconds")]
    pub timeout: i64,
}

fn default_wait_seconds() -> i64 {
    300
}

#[tool_router(router = flow_runs_tools, vis = "pub(crate)")]
impl McpServer {
    /// Get a flow run by ID: state (a failure's message holds the exception), parameters,
    /// timing, deployment and work pool.
    #[tool]
    async fn get_flow_run_by_id(
        &self,
        Parameters(args): Parameters<FlowRunIdArgs>,
    ) -> Result<Json<FlowRunView>, ToolError> {
        let id = args::uuid("flow_run_id", &args.flow_run_id, "")?;
        self.prefect.read_flow_run(id).await.map(Json)
    }

    /// List flow runs, newest first (by expected start time).
    #[tool]
    async fn list_flow_runs(
        &self,
        Parameters(args): Parameters<ListFlowRunsArgs>,
    ) -> Result<Json<FlowRunList>, ToolError> {
        let (limit, offset) = args.page()?;
        let flow = args::flow_id(args.flow_id.as_deref())?;
        self.prefect
            .list_flow_runs(flow, limit, offset)
            .await
            .map(Json)
    }

    /// Search flow runs by state type and/or exact state name ("Late" is a SCHEDULED run past
    /// its time), newest first.
    #[tool]
    async fn search_flow_runs_by_state(
        &self,
        Parameters(args): Parameters<SearchByStateArgs>,
    ) -> Result<Json<FlowRunList>, ToolError> {
        let limit = args.checked_limit()?;
        let states = args::states(args.state_type.as_deref(), args.state_name.as_deref())?;
        self.prefect
            .flow_runs_in_states(states, limit)
            .await
            .map(Json)
    }

    /// Cancel a flow run as `prefect flow-run cancel` does: it moves to CANCELLING and its
    /// worker stops it, ending CANCELLED. A finished run cannot be cancelled. Asks the user
    /// first when the client can.
    #[tool]
    async fn cancel_flow_run(
        &self,
        Parameters(args): Parameters<FlowRunIdArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<CancelResult>, ToolError> {
        let id = args::uuid("flow_run_id", &args.flow_run_id, "")?;
        let run = self.prefect.read_flow_run(id).await?;
        audit::target(run.id, run.name.as_deref());
        // A finished run is not asked about: Prefect refuses to cancel it, and says so.
        if !run.is_final() {
            confirm_when_possible(
                &Asker::of(&context),
                &format!("Cancel flow run {}?", described(&run)),
                &[run.id.to_string()],
            )
            .await?;
        }
        self.prefect.cancel_flow_run(id).await.map(Json)
    }

    /// Wait for a flow run started elsewhere (a schedule, an automation, another tool) to reach
    /// a final state, up to `timeout` seconds, and say which happened. Progress is reported
    /// while waiting; cancelling the request stops the wait, not the run.
    #[tool]
    async fn wait_for_flow_run(
        &self,
        Parameters(args): Parameters<WaitArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<WaitedFlowRun>, ToolError> {
        let id = args::uuid("flow_run_id", &args.flow_run_id, "")?;
        if !(1..=MAX_WAIT_SECONDS).contains(&args.timeout) {
            return Err(ArgumentError::OutOfRange {
                field: "timeout",
                min: 1,
                max: MAX_WAIT_SECONDS,
                got: args.timeout,
                hint: "It is in seconds.",
            }
            .into());
        }
        let run = self.prefect.read_flow_run(id).await?;
        let timeout = Duration::from_secs(args.timeout as u64);
        let waited = self
            .wait_for_run(run, timeout, Finish::WaitForFlowRun, &context)
            .await?;
        Ok(Json(WaitedFlowRun::new(
            waited.run,
            waited.outcome,
            waited.seconds,
        )))
    }
}
