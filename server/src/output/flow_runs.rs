//! Views of flow runs.

use chrono::{DateTime, Utc};
use prefect_api::types;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{StateView, FINAL_STATE_TYPES};

/// A flow run.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FlowRunView {
    pub id: Uuid,
    pub name: Option<String>,
    pub flow_id: Uuid,
    pub deployment_id: Option<Uuid>,
    pub state: Option<StateView>,
    pub parameters: Map<String, Value>,
    pub tags: Vec<String>,
    pub created: Option<DateTime<Utc>>,
    pub expected_start_time: Option<DateTime<Utc>>,
    pub start_time: Option<DateTime<Utc>>,
    pub end_time: Option<DateTime<Utc>>,
    /// Seconds spent running, summed over retries.
    pub total_run_time: f64,
    pub run_count: i64,
    pub work_pool_name: Option<String>,
    pub work_queue_name: Option<String>,
    pub parent_task_run_id: Option<Uuid>,
    pub idempotency_key: Option<String>,
}

impl FlowRunView {
    /// Whether the run has reached a state it will not leave.
    pub fn is_final(&self) -> bool {
        self.state
            .as_ref()
            .is_some_and(|s| FINAL_STATE_TYPES.contains(&s.type_.as_str()))
    }
}

impl From<types::FlowRunResponse> for FlowRunView {
    fn from(run: types::FlowRunResponse) -> Self {
        FlowRunView {
            id: run.id,
            name: run.name,
            flow_id: run.flow_id,
            deployment_id: run.deployment_id,
            state: run.state.map(StateView::from),
            parameters: run.parameters,
            tags: run.tags,
            created: run.created,
            expected_start_time: run.expected_start_time,
            start_time: run.start_time,
            end_time: run.end_time,
            total_run_time: run.total_run_time,
            run_count: run.run_count,
            work_pool_name: run.work_pool_name,
            work_queue_name: run.work_queue_name,
            parent_task_run_id: run.parent_task_run_id,
            idempotency_key: run.idempotency_key,
        }
    }
}

list_view!(FlowRunList, flow_runs, FlowRunView);

/// Prefect's answer to a cancellation it did not refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum CancelStatus {
    /// The run is CANCELLING; its worker stops it and it ends CANCELLED.
    Accept,
    /// Prefect asked to wait before the state can change; `message` says why.
    Wait,
    /// The run had not started (nothing to stop), so Prefect moved it straight to CANCELLED.
    Cancelled,
}

/// The outcome of `cancel_flow_run`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize, JsonSchema)]
pub struct CancelResult {
    pub flow_run_id: Uuid,
    pub status: CancelStatus,
    /// The state the run is now in (CANCELLING until the worker stops it, then CANCELLED).
    pub state: Option<StateView>,
    pub message: String,
}

/// The outcome of `wait_for_flow_run`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct WaitedFlowRun {
    pub flow_run_id: Uuid,
    /// The run as it is after waiting.
    pub flow_run: FlowRunView,
    /// final_state (the run finished) or timed_out (it goes on).
    pub wait: super::WaitOutcome,
    /// Seconds spent waiting.
    pub waited_seconds: f64,
}

impl WaitedFlowRun {
    pub fn new(run: FlowRunView, wait: super::WaitOutcome, waited_seconds: f64) -> Self {
        WaitedFlowRun {
            flow_run_id: run.id,
            flow_run: run,
            wait,
            waited_seconds,
        }
    }
}
