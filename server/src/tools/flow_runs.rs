//! Flow run tools: get_flow_run_by_id, list_flow_runs, search_flow_runs_by_state, cancel_flow_run,
//! wait_for_flow_run.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use prefect_api::{types, PrefectCall};
use rmcp::service::RequestContext;
use rmcp::{tool, tool_router, Json, RoleServer};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use super::args::{self, page_body, tool_args, Parameters};
use super::deployments::MAX_WAIT_SECONDS;
use crate::ask::questions::Candidate;
use crate::errors::{ArgumentError, Doing, ToolError};
use crate::output::{
    CancelResult, CancelStatus, FlowRunList, FlowRunView, StateView, WaitedFlowRun,
};
use crate::server::PrefectServer;

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

/// Newest first by expected start time, which every run has (scheduled or not).
pub(crate) fn flow_runs_body(
    flow_runs: Option<types::FlowRunFilter>,
    flows: Option<types::FlowFilter>,
    limit: i64,
    offset: u64,
) -> types::BodyReadFlowRunsFlowRunsFilterPost {
    page_body!(
        BodyReadFlowRunsFlowRunsFilterPost,
        FlowRunSort("EXPECTED_START_TIME_DESC"),
        limit,
        offset,
        flow_runs: flow_runs,
        flows: flows,
    )
}

#[tool_router(router = flow_runs_tools, vis = "pub(crate)")]
impl PrefectServer {
    /// Get a flow run by ID: state (a failure's message holds the exception), parameters,
    /// timing, deployment and work pool.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn get_flow_run_by_id(
        &self,
        Parameters(args): Parameters<FlowRunIdArgs>,
    ) -> Result<Json<FlowRunView>, ToolError> {
        let id = args::uuid("flow_run_id", &args.flow_run_id, "")?;
        self.read_flow_run(id).await.map(Json)
    }

    /// List flow runs, newest first (by expected start time).
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn list_flow_runs(
        &self,
        Parameters(args): Parameters<ListFlowRunsArgs>,
    ) -> Result<Json<FlowRunList>, ToolError> {
        let (limit, offset) = args.page()?;
        let flows = args::flow_id_filter(args.flow_id.as_deref())?;
        self.read_flow_runs(&flow_runs_body(None, flows, limit, offset))
            .await
            .map(Json)
    }

    /// Search flow runs by state type and/or exact state name ("Late" is a SCHEDULED run past
    /// its time), newest first.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn search_flow_runs_by_state(
        &self,
        Parameters(args): Parameters<SearchByStateArgs>,
    ) -> Result<Json<FlowRunList>, ToolError> {
        let limit = args.checked_limit()?;
        let states =
            args::States::from_arguments(args.state_type.as_deref(), args.state_name.as_deref())?;
        let filter = types::FlowRunFilter {
            state: states.flow_run_filter(),
            ..Default::default()
        };
        self.read_flow_runs_checking_state_names(&flow_runs_body(Some(filter), None, limit, 0))
            .await
            .map(Json)
    }

    /// Cancel a flow run as `prefect flow-run cancel` does: it moves to CANCELLING and its
    /// worker stops it, ending CANCELLED. A finished run cannot be cancelled.
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

    /// Wait for a flow run started elsewhere (a schedule, an automation, another tool) to reach
    /// a final state (COMPLETED, FAILED, CANCELLED, CRASHED), up to `timeout` seconds, and say
    /// which happened. Progress is reported while waiting; cancelling the request (or its task)
    /// stops the wait, not the run.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
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
        let run = self.read_flow_run(id).await?;
        let started = Instant::now();
        let (run, wait) = self
            .wait_for_final_state(run, Duration::from_secs(args.timeout as u64), &context)
            .await?;
        Ok(Json(WaitedFlowRun {
            flow_run_id: run.id,
            flow_run: run,
            wait,
            waited_seconds: (started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
        }))
    }
}

/// ACCEPT, WAIT and a REJECT that cancelled the run outright are successes; ABORT and other
/// REJECTs are refusals carrying Prefect's reason.
fn cancel_outcome(
    id: Uuid,
    result: types::OrchestrationResult,
) -> Result<Json<CancelResult>, ToolError> {
    let reason = match &result.details {
        types::OrchestrationResultDetails::RejectDetails(d) => d.reason.clone(),
        types::OrchestrationResultDetails::AbortDetails(d) => d.reason.clone(),
        types::OrchestrationResultDetails::WaitDetails(d) => d.reason.clone(),
        types::OrchestrationResultDetails::AcceptDetails(_) => None,
    };
    let (status, message) = match result.status.0.as_str() {
        "ACCEPT" => (
            CancelStatus::Accept,
            "Cancellation accepted: the run is CANCELLING and ends CANCELLED once its worker \
             stops it."
                .to_string(),
        ),
        "WAIT" => (
            CancelStatus::Wait,
            format!("Prefect asked to wait: {}", reason.unwrap_or_default()),
        ),
        // A run that has not started has nothing to stop: Prefect rejects CANCELLING and puts
        // the run straight into CANCELLED instead.
        "REJECT"
            if result
                .state
                .as_ref()
                .is_some_and(|s| s.type_.0 == "CANCELLED") =>
        {
            (
                CancelStatus::Cancelled,
                format!(
                    "The run had not started, so Prefect cancelled it at once: {}",
                    reason.unwrap_or_default()
                ),
            )
        }
        refused => {
            return Err(ToolError::CancelRefused {
                flow_run_id: id.to_string(),
                status: refused.to_string(),
                reason,
            })
        }
    };
    Ok(Json(CancelResult {
        flow_run_id: id,
        status,
        message,
        state: result.state.map(StateView::from),
    }))
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

    /// Runs as choices: what tells runs of one name apart is their state, when they started
    /// and which deployment they belong to.
    pub(crate) async fn flow_run_candidates(
        &self,
        runs: &[FlowRunView],
    ) -> Result<Vec<Candidate>, ToolError> {
        let mut ids: Vec<Uuid> = runs.iter().filter_map(|r| r.deployment_id).collect();
        ids.sort();
        ids.dedup();
        let deployments: HashMap<Uuid, String> = if ids.is_empty() {
            HashMap::new()
        } else {
            let body = types::BodyReadDeploymentsDeploymentsFilterPost {
                deployments: Some(types::DeploymentFilter {
                    id: Some(types::DeploymentFilterId {
                        any: Some(ids.clone()),
                        not_any: None,
                    }),
                    ..Default::default()
                }),
                limit: Some(ids.len().min(args::MAX_LIMIT as usize) as i64),
                ..Default::default()
            };
            self.read_deployments(&body)
                .await?
                .deployments
                .into_iter()
                .map(|d| {
                    let name = match &d.flow_name {
                        Some(flow) => format!("{flow}/{}", d.name),
                        None => d.name.clone(),
                    };
                    (d.id, name)
                })
                .collect()
        };
        Ok(runs
            .iter()
            .map(|run| {
                let state = run
                    .state
                    .as_ref()
                    .map_or("no state", |s| s.name.as_deref().unwrap_or(&s.type_));
                let when = match (run.start_time, run.expected_start_time) {
                    (Some(t), _) => format!("started {}", t.format("%Y-%m-%d %H:%M:%S UTC")),
                    (None, Some(t)) => format!("expected {}", t.format("%Y-%m-%d %H:%M:%S UTC")),
                    (None, None) => "not started".into(),
                };
                let deployment = run
                    .deployment_id
                    .map(|id| {
                        deployments.get(&id).map_or_else(
                            || format!("deployment {id}"),
                            |n| format!("deployment {n}"),
                        )
                    })
                    .unwrap_or_else(|| "no deployment".into());
                Candidate {
                    id: run.id.to_string(),
                    label: format!("{state} · {when} · {deployment}"),
                }
            })
            .collect())
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
