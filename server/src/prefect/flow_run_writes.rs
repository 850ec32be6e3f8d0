//! Flow run writes: retry, force a state, delete, resume (with the run's own input), cancel many.
//!
//! Every run this server changes is labelled first (`ACTOR_LABEL`), so that Prefect's UI and
//! API show which runs were touched through MCP; a label that cannot be set stops the change.

use prefect_api::{types, PrefectCall};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::query::MAX_LIMIT;
use super::raw_filters::FlowRunSelection;
use super::Prefect;
use crate::errors::{is_not_found, Doing, ToolError, WriteError};
use crate::output::{
    BulkCancelItem, BulkCancelled, CancelStatus, FlowRunChanged, FlowRunView, StateView,
    FINAL_STATE_TYPES,
};

/// The Prefect label on runs created or changed through this server, and its value.
pub const ACTOR_LABEL: &str = "prefect-mcp.actor";
pub const ACTOR: &str = "prefect-mcp-server";

/// How long to wait, between tries, for a just-paused run's form to be stored (about 3 s in all).
const FORM_POLL_DELAYS_MS: [u64; 6] = [100, 200, 400, 600, 800, 1000];

/// What a paused run waits for: the JSON schema of its input (Prefect's `RunInput` model).
#[derive(Debug, Clone)]
pub struct InputWanted {
    pub schema: Map<String, Value>,
    /// The pause's own description, when the flow gave one.
    pub description: Option<String>,
}

fn state(type_: &str, name: Option<&str>, message: String) -> types::StateCreate {
    types::StateCreate {
        type_: types::StateType(type_.into()),
        name: name.map(String::from),
        message: Some(message),
        data: None,
        state_details: None,
    }
}

fn reason(result: &types::OrchestrationResult) -> Option<String> {
    match &result.details {
        types::OrchestrationResultDetails::RejectDetails(d) => d.reason.clone(),
        types::OrchestrationResultDetails::AbortDetails(d) => d.reason.clone(),
        types::OrchestrationResultDetails::WaitDetails(d) => d.reason.clone(),
        types::OrchestrationResultDetails::AcceptDetails(_) => None,
    }
}

impl Prefect {
    /// Mark the run as changed through this server (Prefect merges labels).
    pub async fn label_flow_run(&self, id: Uuid) -> Result<(), ToolError> {
        let labels = Map::from_iter([(ACTOR_LABEL.to_string(), Value::from(ACTOR))]);
        self.client
            .update_flow_run_labels(&id, &labels)
            .value()
            .await
            .doing(format!("labelling flow run {id}"))
    }

    /// Ask Prefect's orchestration for `wanted`; anything but ACCEPT is a refusal with Prefect's
    /// reason, and nothing changed.
    async fn change_state(
        &self,
        run: &FlowRunView,
        wanted: types::StateCreate,
        force: bool,
        done: String,
    ) -> Result<FlowRunChanged, ToolError> {
        self.label_flow_run(run.id).await?;
        let target = wanted
            .name
            .clone()
            .unwrap_or_else(|| wanted.type_.0.clone());
        let body = types::BodySetFlowRunStateFlowRunsIdSetStatePost {
            force,
            state: wanted,
        };
        let result = self
            .client
            .set_flow_run_state(&run.id, &body)
            .value()
            .await
            .doing(format!("setting the state of flow run {}", run.id))?;
        if result.status.0 != "ACCEPT" {
            return Err(ToolError::Write(WriteError::StateRefused {
                flow_run_id: run.id.to_string(),
                wanted: target,
                status: result.status.0.clone(),
                reason: reason(&result),
            }));
        }
        Ok(FlowRunChanged {
            flow_run_id: run.id,
            flow_run_name: run.name.clone(),
            status: result.status.0,
            state: result.state.map(StateView::from),
            run_input: None,
            message: done,
        })
    }

    /// Run a finished run again, as Prefect's UI Retry does: SCHEDULED named AwaitingRetry, not
    /// forced, so that its worker or runner picks it up.
    pub async fn retry_flow_run(&self, run: &FlowRunView) -> Result<FlowRunChanged, ToolError> {
        let current = run.state.as_ref().map_or("no state", |s| s.type_.as_str());
        if !run.is_final() || run.deployment_id.is_none() {
            return Err(ToolError::Write(WriteError::NotRetriable {
                flow_run_id: run.id.to_string(),
                state: current.to_string(),
                has_deployment: run.deployment_id.is_some(),
            }));
        }
        let wanted = state(
            "SCHEDULED",
            Some("AwaitingRetry"),
            "Retried through the Prefect MCP server".into(),
        );
        let done = format!(
            "The run was {current} and is now AwaitingRetry: its worker or runner starts it \
             again shortly (run_count grows by one)."
        );
        self.change_state(run, wanted, false, done).await
    }

    /// Force the run into `state_type`, whatever orchestration rules say.
    pub async fn force_flow_run_state(
        &self,
        run: &FlowRunView,
        state_type: &str,
        message: String,
    ) -> Result<FlowRunChanged, ToolError> {
        let done = format!("The run was forced into {state_type}.");
        self.change_state(run, state(state_type, None, message), true, done)
            .await
    }

    pub async fn delete_flow_run(&self, id: Uuid) -> Result<(), ToolError> {
        self.client
            .delete_flow_run(&id)
            .value()
            .await
            .doing(format!("deleting flow run {id}"))
    }

    /// What the PAUSED run waits for: `Ok(None)` when it waits for no input. A run that is not
    /// paused is an error.
    pub async fn paused_run_input(&self, id: Uuid) -> Result<Option<InputWanted>, ToolError> {
        let run = self
            .client
            .read_flow_run(&id)
            .value()
            .await
            .doing(format!("reading flow run {id}"))?;
        let state = run.state.as_ref();
        if state.map(|s| s.type_.0.as_str()) != Some("PAUSED") {
            return Err(ToolError::Write(WriteError::NotPaused {
                flow_run_id: id.to_string(),
                state: state.map_or("no state".into(), |s| s.type_.0.clone()),
            }));
        }
        let keyset = state
            .and_then(|s| s.state_details.as_ref())
            .and_then(|d| d.run_input_keyset.as_ref());
        let Some(key) = keyset.and_then(|k| k.get("schema")) else {
            return Ok(None);
        };
        let action = format!("reading the input schema of paused flow run {id}");
        let stored = self.stored_input_schema(id, key, &action).await?;
        // Prefect answers the stored text, which is the schema's JSON; a JSON string holding it
        // is accepted too.
        let schema = match stored {
            Value::Object(schema) => schema,
            Value::String(text) => {
                serde_json::from_str(&text).map_err(|e| ToolError::UnexpectedAnswer {
                    action: action.clone(),
                    problem: format!("the schema is not JSON ({e})"),
                })?
            }
            other => {
                return Err(ToolError::UnexpectedAnswer {
                    action,
                    problem: format!("the schema is not a JSON object but {other}"),
                })
            }
        };
        let description = keyset
            .and_then(|k| k.get("description"))
            .filter(|d| !d.is_empty() && !d.starts_with("paused-"))
            .cloned();
        Ok(Some(InputWanted {
            schema,
            description,
        }))
    }

    /// The stored schema under `key`. A flow pauses first and stores its form a moment later,
    /// so a 404 right after the pause is waited out briefly before it is reported as pending.
    async fn stored_input_schema(
        &self,
        id: Uuid,
        key: &str,
        action: &str,
    ) -> Result<Value, ToolError> {
        for delay_ms in FORM_POLL_DELAYS_MS {
            match self
                .client
                .read_flow_run_input(&id, key)
                .value()
                .await
                .doing(action.to_owned())
            {
                Err(e) if is_not_found(&e) => {
                    tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await
                }
                answer => return answer,
            }
        }
        Err(ToolError::Write(WriteError::InputFormPending {
            flow_run: id.to_string(),
        }))
    }

    /// Resume a paused run, sending `run_input` when it waits for one (Prefect validates it
    /// against the run's schema and refuses a mismatch).
    pub async fn resume_flow_run(
        &self,
        run: &FlowRunView,
        run_input: Option<Map<String, Value>>,
    ) -> Result<FlowRunChanged, ToolError> {
        self.label_flow_run(run.id).await?;
        let body = types::BodyResumeFlowRunFlowRunsIdResumePost {
            run_input: run_input.clone(),
        };
        let result = self
            .client
            .resume_flow_run(&run.id, &body)
            .value()
            .await
            .doing(format!("resuming flow run {}", run.id))?;
        if result.status.0 != "ACCEPT" {
            return Err(ToolError::Write(WriteError::StateRefused {
                flow_run_id: run.id.to_string(),
                wanted: "RUNNING (resumed)".into(),
                status: result.status.0.clone(),
                reason: reason(&result),
            }));
        }
        Ok(FlowRunChanged {
            flow_run_id: run.id,
            flow_run_name: run.name.clone(),
            status: result.status.0,
            state: result.state.map(StateView::from),
            run_input,
            message: "The run was resumed and goes on from its pause.".into(),
        })
    }

    /// The runs `selection` chooses that have not finished (at most 200).
    pub async fn cancellable_runs(
        &self,
        selection: FlowRunSelection,
    ) -> Result<Vec<FlowRunView>, ToolError> {
        let mut body = selection.into_body();
        body.limit = Some(MAX_LIMIT);
        body.offset = 0;
        Ok(self
            .read_flow_runs(&body)
            .await?
            .flow_runs
            .into_iter()
            .filter(|run| !run.is_final())
            .collect())
    }

    /// Cancel each run as cancel_flow_run does; a refusal is that run's outcome, not an error.
    pub async fn cancel_flow_runs(&self, runs: &[FlowRunView]) -> Result<BulkCancelled, ToolError> {
        let mut items = Vec::with_capacity(runs.len());
        for run in runs {
            self.label_flow_run(run.id).await?;
            let (outcome, reason) = match self.cancel_flow_run(run.id).await {
                Ok(result) => match result.status {
                    CancelStatus::Accept => ("ACCEPT", None),
                    CancelStatus::Cancelled => ("CANCELLED", None),
                    CancelStatus::Wait => ("WAIT", Some(result.message)),
                },
                Err(ToolError::CancelRefused { reason, .. }) => ("REFUSED", reason),
                Err(other) => return Err(other),
            };
            items.push(BulkCancelItem {
                flow_run_id: run.id,
                name: run.name.clone(),
                outcome: outcome.into(),
                reason,
            });
        }
        let cancelled = items
            .iter()
            .filter(|i| matches!(i.outcome.as_str(), "ACCEPT" | "CANCELLED"))
            .count();
        let more = runs.len() as i64 >= MAX_LIMIT;
        Ok(BulkCancelled {
            matched: runs.len(),
            cancelled,
            message: format!(
                "{cancelled} of {} runs cancelled (running ones end CANCELLED once their worker \
                 stops them).{}",
                runs.len(),
                if more {
                    " 200 matched, the most one call handles: call again for the rest."
                } else {
                    ""
                }
            ),
            more_may_match: more.then_some(true),
            runs: items,
        })
    }
}

/// Whether `state_type` is a final state (a run in it has finished).
pub fn is_final_type(state_type: &str) -> bool {
    FINAL_STATE_TYPES.contains(&state_type)
}
