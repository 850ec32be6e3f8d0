//! Flow run tools: get_flow_run_by_id, list_flow_runs, search_flow_runs_by_state, cancel_flow_run.

use prefect_api::{types, PrefectCall};
use rmcp::{tool, tool_router, Json};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use super::args::{self, Parameters};
use crate::errors::{Doing, ToolError};
use crate::output::{CancelResult, FlowRunList, FlowRunView, StateView};
use crate::server::PrefectServer;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowRunIdArgs {
    /// ID (UUID) of the flow run.
    pub flow_run_id: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListFlowRunsArgs {
    /// Maximum number of flow runs to return (1-200).
    #[serde(default = "args::default_limit")]
    pub limit: i64,
    /// Number of flow runs to skip.
    #[serde(default)]
    pub offset: i64,
    /// Optional ID of the flow to filter runs by.
    #[serde(default)]
    pub flow_id: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchByStateArgs {
    /// Optional state type, case-insensitive: SCHEDULED, PENDING, RUNNING, COMPLETED, FAILED,
    /// CANCELLED, CRASHED, PAUSED or CANCELLING.
    #[serde(default)]
    pub state_type: Option<String>,
    /// Optional state name, exact (e.g. "Completed", "Failed", "Late", "AwaitingRetry").
    #[serde(default)]
    pub state_name: Option<String>,
    /// Maximum number of flow runs to return (1-200).
    #[serde(default = "args::default_limit")]
    pub limit: i64,
}

/// Newest first by expected start time, which every run has (scheduled or not).
pub(crate) fn flow_runs_body(
    flow_runs: Option<types::FlowRunFilter>,
    flows: Option<types::FlowFilter>,
    limit: i64,
    offset: u64,
) -> types::BodyReadFlowRunsFlowRunsFilterPost {
    types::BodyReadFlowRunsFlowRunsFilterPost {
        flow_runs,
        flows,
        limit: Some(limit),
        offset,
        sort: Some(types::FlowRunSort("EXPECTED_START_TIME_DESC".into())),
        ..Default::default()
    }
}

#[tool_router(router = flow_runs_tools, vis = "pub(crate)")]
impl PrefectServer {
    /// Get a flow run by its ID: state (with Prefect's message, such as the exception of a
    /// failed run), parameters, timing, deployment and work pool.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn get_flow_run_by_id(
        &self,
        Parameters(args): Parameters<FlowRunIdArgs>,
    ) -> Result<Json<FlowRunView>, ToolError> {
        let id = args::uuid("flow_run_id", &args.flow_run_id, "")?;
        self.read_flow_run(id).await.map(Json)
    }

    /// Get a list of flow runs, newest first (by expected start time). With `flow_id`, only
    /// that flow's runs.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn list_flow_runs(
        &self,
        Parameters(args): Parameters<ListFlowRunsArgs>,
    ) -> Result<Json<FlowRunList>, ToolError> {
        let limit = args::limit(args.limit)?;
        let offset = args::offset(args.offset)?;
        let flows = args::flow_id_filter(args.flow_id.as_deref())?;
        self.read_flow_runs(&flow_runs_body(None, flows, limit, offset))
            .await
            .map(Json)
    }

    /// Search for flow runs by state, newest first. `state_type` is the kind of state
    /// (FAILED, ...); `state_name` the exact display name ("Late" is a SCHEDULED run whose time
    /// has passed). Given both, a run must match both.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn search_flow_runs_by_state(
        &self,
        Parameters(args): Parameters<SearchByStateArgs>,
    ) -> Result<Json<FlowRunList>, ToolError> {
        let limit = args::limit(args.limit)?;
        let state_type = args::non_blank(args.state_type.as_deref())
            .map(args::state_type)
            .transpose()?;
        let state_name = args::non_blank(args.state_name.as_deref()).map(String::from);
        let state =
            (state_type.is_some() || state_name.is_some()).then(|| types::FlowRunFilterState {
                type_: state_type.map(|t| types::FlowRunFilterStateType {
                    any: Some(vec![types::StateType(t)]),
                    ..Default::default()
                }),
                name: state_name.map(|n| types::FlowRunFilterStateName {
                    any: Some(vec![n]),
                    ..Default::default()
                }),
                operator: Some(types::Operator("and_".into())),
            });
        let filter = types::FlowRunFilter {
            state,
            ..Default::default()
        };
        self.read_flow_runs(&flow_runs_body(Some(filter), None, limit, 0))
            .await
            .map(Json)
    }

    /// Cancel a flow run, as Prefect's own `prefect flow-run cancel` does: the run moves to
    /// CANCELLING and its worker or runner stops it, ending CANCELLED. A run that already
    /// finished cannot be cancelled; the error carries Prefect's reason.
    #[tool(annotations(
        read_only_hint = false,
        destructive_hint = true,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn cancel_flow_run(
        &self,
        Parameters(args): Parameters<FlowRunIdArgs>,
    ) -> Result<Json<CancelResult>, ToolError> {
        let id = args::uuid("flow_run_id", &args.flow_run_id, "")?;
        let body = types::BodySetFlowRunStateFlowRunsIdSetStatePost {
            force: false,
            state: types::StateCreate {
                type_: types::StateType("CANCELLING".into()),
                message: Some("Cancelled through the Prefect MCP server".into()),
                data: None,
                name: None,
                state_details: None,
            },
        };
        let result = self
            .client
            .set_flow_run_state(&id, &body)
            .value()
            .await
            .doing(format!("cancelling flow run {id}"))?;
        cancel_outcome(id, result)
    }
}

/// ACCEPT and WAIT are successes; ABORT and REJECT are refusals carrying Prefect's reason.
fn cancel_outcome(
    id: Uuid,
    result: types::OrchestrationResult,
) -> Result<Json<CancelResult>, ToolError> {
    let status = result.status.0.clone();
    let reason = match &result.details {
        types::OrchestrationResultDetails::RejectDetails(d) => d.reason.clone(),
        types::OrchestrationResultDetails::AbortDetails(d) => d.reason.clone(),
        types::OrchestrationResultDetails::WaitDetails(d) => d.reason.clone(),
        types::OrchestrationResultDetails::AcceptDetails(_) => None,
    };
    match status.as_str() {
        "ACCEPT" | "WAIT" => Ok(Json(CancelResult {
            flow_run_id: id,
            message: match status.as_str() {
                "ACCEPT" => "Cancellation accepted: the run is CANCELLING and ends CANCELLED once its worker stops it.".into(),
                _ => format!("Prefect asked to wait: {}", reason.unwrap_or_default()),
            },
            status,
            state: result.state.map(StateView::from),
        })),
        _ => Err(ToolError::Refused(format!(
            "Flow run {id} was not cancelled: Prefect answered {status}: {}",
            reason.unwrap_or_else(|| "no reason given".into())
        ))),
    }
}

impl PrefectServer {
    pub(crate) async fn read_flow_run(&self, id: Uuid) -> Result<FlowRunView, ToolError> {
        let run = self
            .client
            .read_flow_run(&id)
            .value()
            .await
            .doing(format!("reading flow run {id}"))?;
        Ok(run.into())
    }

    pub(crate) async fn read_flow_runs(
        &self,
        body: &types::BodyReadFlowRunsFlowRunsFilterPost,
    ) -> Result<FlowRunList, ToolError> {
        let runs = self
            .client
            .read_flow_runs(body)
            .value()
            .await
            .doing("listing flow runs")?;
        Ok(FlowRunList::new(
            runs.into_iter().map(FlowRunView::from).collect(),
        ))
    }
}
