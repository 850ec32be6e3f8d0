//! Flow runs: read, page, cancel, and tell runs of one name apart.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use prefect_api::{types, PrefectCall};
use uuid::Uuid;

use super::query::{flow_with_id, page_body, States, MAX_LIMIT};
use super::{Candidate, Prefect};
use crate::errors::{Doing, ToolError};
use crate::output::{CancelResult, CancelStatus, FlowRunList, FlowRunView, StateView};

/// How runs are listed unless a caller sorts them: newest first by expected start time, which
/// every run has (scheduled or not).
pub const NEWEST_FIRST: &str = "EXPECTED_START_TIME_DESC";

/// A page of runs matching the filters, [`NEWEST_FIRST`].
pub fn flow_runs_body(
    flow_runs: Option<types::FlowRunFilter>,
    flows: Option<types::FlowFilter>,
    limit: i64,
    offset: u64,
) -> types::BodyReadFlowRunsFlowRunsFilterPost {
    page_body!(
        BodyReadFlowRunsFlowRunsFilterPost,
        FlowRunSort(NEWEST_FIRST),
        limit,
        offset,
        flow_runs: flow_runs,
        flows: flows,
    )
}

/// ACCEPT, WAIT and a REJECT that cancelled the run outright are successes; ABORT and other
/// REJECTs are refusals carrying Prefect's reason.
fn cancel_outcome(id: Uuid, result: types::OrchestrationResult) -> Result<CancelResult, ToolError> {
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
    Ok(CancelResult {
        flow_run_id: id,
        status,
        message,
        state: result.state.map(StateView::from),
    })
}

impl Prefect {
    /// Cancel a run as `prefect flow-run cancel` does: move it to CANCELLING, for its worker
    /// to stop it.
    pub async fn cancel_flow_run(&self, id: Uuid) -> Result<CancelResult, ToolError> {
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

    /// The newest runs named exactly `name` (names are not unique).
    pub async fn flow_runs_named(&self, name: &str) -> Result<FlowRunList, ToolError> {
        let filter = types::FlowRunFilter {
            name: Some(types::FlowRunFilterName {
                any: Some(vec![name.to_string()]),
                ..Default::default()
            }),
            ..Default::default()
        };
        self.read_flow_runs(&flow_runs_body(Some(filter), None, MAX_LIMIT, 0))
            .await
    }

    pub async fn read_flow_run(&self, id: Uuid) -> Result<FlowRunView, ToolError> {
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
    pub async fn flow_run_candidates(
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
                limit: Some(ids.len().min(MAX_LIMIT as usize) as i64),
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

    /// The runs with these ids, in one request (at most [`MAX_LIMIT`] ids): how subscriptions
    /// poll, whatever their number. Runs Prefect no longer has are absent.
    pub async fn flow_runs_by_ids(&self, ids: &[Uuid]) -> Result<Vec<FlowRunView>, ToolError> {
        let filter = types::FlowRunFilter {
            id: Some(types::FlowRunFilterId {
                any: Some(ids.to_vec()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let limit = (ids.len() as i64).clamp(1, MAX_LIMIT);
        Ok(self
            .read_flow_runs(&flow_runs_body(Some(filter), None, limit, 0))
            .await?
            .flow_runs)
    }

    pub async fn read_flow_runs(
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

    /// A page of runs, newest first; only the runs of flow `flow` when given.
    pub async fn list_flow_runs(
        &self,
        flow: Option<Uuid>,
        limit: i64,
        offset: u64,
    ) -> Result<FlowRunList, ToolError> {
        let flows = flow.map(flow_with_id);
        self.read_flow_runs(&flow_runs_body(None, flows, limit, offset))
            .await
    }

    /// The newest `limit` runs in `states` (all runs when it names none), then, when none
    /// matched, the check of the state names asked for.
    pub async fn flow_runs_in_states(
        &self,
        states: States,
        limit: i64,
    ) -> Result<FlowRunList, ToolError> {
        let filter = types::FlowRunFilter {
            state: states.flow_run_filter(),
            ..Default::default()
        };
        self.read_flow_runs_checking_state_names(&flow_runs_body(Some(filter), None, limit, 0))
            .await
    }

    /// The newest `limit` failed or crashed runs, and the newest `limit` late ones.
    pub async fn failed_and_late_runs(
        &self,
        limit: i64,
    ) -> Result<(FlowRunList, FlowRunList), ToolError> {
        let state = |types_: &[&str], names: &[&str]| {
            let filter = types::FlowRunFilter {
                state: Some(types::FlowRunFilterState {
                    type_: (!types_.is_empty()).then(|| types::FlowRunFilterStateType {
                        any: Some(
                            types_
                                .iter()
                                .map(|t| types::StateType(t.to_string()))
                                .collect(),
                        ),
                        ..Default::default()
                    }),
                    name: (!names.is_empty()).then(|| types::FlowRunFilterStateName {
                        any: Some(names.iter().map(|n| n.to_string()).collect()),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            };
            flow_runs_body(Some(filter), None, limit, 0)
        };
        let (failed, late) = (state(&["FAILED", "CRASHED"], &[]), state(&[], &["Late"]));
        tokio::try_join!(self.read_flow_runs(&failed), self.read_flow_runs(&late))
    }

    /// Recent runs (newest first): those whose name contains `typed`, or, when `typed` could
    /// be the start of an id, the newest 200 runs. Names (when `names`) and ids.
    pub async fn run_names_and_ids(
        &self,
        typed: &str,
        names: bool,
    ) -> Result<Vec<String>, ToolError> {
        let typed = typed.trim();
        let id_like = typed.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
        let filter = (!id_like).then(|| types::FlowRunFilter {
            name: Some(types::FlowRunFilterName {
                like: Some(typed.to_string()),
                ..Default::default()
            }),
            ..Default::default()
        });
        let runs = self
            .read_flow_runs(&flow_runs_body(filter, None, MAX_LIMIT, 0))
            .await?
            .flow_runs;
        let mut values = Vec::new();
        for run in runs {
            if names {
                if let Some(name) = run.name {
                    values.push(name);
                }
            }
            values.push(run.id.to_string());
        }
        Ok(values)
    }

    /// Runs that failed or crashed (or, with `state_name`, runs in that state) and were
    /// expected to start after `since`, newest first: the first `limit`.
    pub async fn failures_since(
        &self,
        state_name: Option<&str>,
        since: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<FlowRunView>, ToolError> {
        let state = match state_name {
            Some(name) => types::FlowRunFilterState {
                name: Some(types::FlowRunFilterStateName {
                    any: Some(vec![name.to_string()]),
                    ..Default::default()
                }),
                ..Default::default()
            },
            None => types::FlowRunFilterState {
                type_: Some(types::FlowRunFilterStateType {
                    any: Some(vec![
                        types::StateType("FAILED".into()),
                        types::StateType("CRASHED".into()),
                    ]),
                    ..Default::default()
                }),
                ..Default::default()
            },
        };
        let filter = types::FlowRunFilter {
            state: Some(state),
            expected_start_time: Some(types::FlowRunFilterExpectedStartTime {
                after: Some(since),
                before: None,
            }),
            ..Default::default()
        };
        Ok(self
            .read_flow_runs(&flow_runs_body(Some(filter), None, limit, 0))
            .await?
            .flow_runs)
    }
}
