//! What tools return: compact, JSON-serialisable views of Prefect objects.
//!
//! Each view keeps what an assistant needs to act on an object without a second call (ids,
//! names, state, timing, tags, parameters, schedule) and drops what nobody reads in a chat
//! (parameter schemas, job variables, pull steps, infrastructure documents). The `JsonSchema`
//! derives become the tools' output schemas.

use chrono::{DateTime, Utc};
use prefect_api::types;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

/// A flow.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FlowView {
    pub id: Uuid,
    pub name: String,
    pub tags: Vec<String>,
    pub created: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
}

impl From<types::Flow> for FlowView {
    fn from(flow: types::Flow) -> Self {
        FlowView {
            id: flow.id,
            name: flow.name.to_string(),
            tags: flow.tags,
            created: flow.created,
            updated: flow.updated,
        }
    }
}

/// A run's current state.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct StateView {
    /// SCHEDULED, PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, CANCELLING, CRASHED or PAUSED.
    #[serde(rename = "type")]
    pub type_: String,
    /// The display name, e.g. "Late" for a SCHEDULED run whose time has passed.
    pub name: Option<String>,
    /// Prefect's explanation, e.g. the exception of a failed run.
    pub message: Option<String>,
    pub timestamp: Option<DateTime<Utc>>,
}

impl From<types::State> for StateView {
    fn from(state: types::State) -> Self {
        StateView {
            type_: state.type_.0,
            name: state.name,
            message: state.message.filter(|m| !m.is_empty()),
            timestamp: state.timestamp,
        }
    }
}

/// Final states: a run in one of these will not change again.
pub const FINAL_STATE_TYPES: [&str; 4] = ["COMPLETED", "FAILED", "CANCELLED", "CRASHED"];

/// A flow run.
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

/// One schedule of a deployment.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ScheduleView {
    pub id: Uuid,
    pub active: bool,
    /// Interval in seconds, for interval schedules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_seconds: Option<f64>,
    /// Cron expression, for cron schedules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cron: Option<String>,
    /// RRule, for rrule schedules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rrule: Option<String>,
    pub timezone: Option<String>,
}

impl From<types::DeploymentSchedule> for ScheduleView {
    fn from(s: types::DeploymentSchedule) -> Self {
        let mut view = ScheduleView {
            id: s.id,
            active: s.active,
            interval_seconds: None,
            cron: None,
            rrule: None,
            timezone: None,
        };
        match s.schedule {
            types::DeploymentScheduleSchedule::IntervalScheduleOutput(i) => {
                view.interval_seconds = Some(i.interval);
                view.timezone = i.timezone.map(|t| t.to_string());
            }
            types::DeploymentScheduleSchedule::CronSchedule(c) => {
                view.cron = Some(c.cron);
                view.timezone = c.timezone.map(|t| t.to_string());
            }
            types::DeploymentScheduleSchedule::RRuleSchedule(r) => {
                view.rrule = Some(r.rrule);
                view.timezone = r.timezone.map(|t| t.to_string());
            }
        }
        view
    }
}

/// A deployment.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DeploymentView {
    pub id: Uuid,
    pub name: String,
    pub flow_id: Uuid,
    /// The flow's name, when known: `flow_name/name` is what `get_deployment_by_name` takes.
    pub flow_name: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    /// Whether the deployment's schedules are paused (Prefect 3's schedule switch).
    pub paused: bool,
    /// READY when something polls for its runs, NOT_READY otherwise.
    pub status: Option<String>,
    pub schedules: Vec<ScheduleView>,
    /// Default parameters for new runs.
    pub parameters: Map<String, Value>,
    pub work_pool_name: Option<String>,
    pub work_queue_name: Option<String>,
    pub concurrency_limit: Option<i64>,
    pub entrypoint: Option<String>,
    pub version: Option<String>,
    pub last_polled: Option<DateTime<Utc>>,
    pub created: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
}

impl DeploymentView {
    pub fn new(d: types::DeploymentResponse, flow_name: Option<String>) -> Self {
        DeploymentView {
            id: d.id,
            name: d.name,
            flow_id: d.flow_id,
            flow_name,
            description: d.description.filter(|s| !s.is_empty()),
            tags: d.tags,
            paused: d.paused,
            status: d.status.map(|s| s.0),
            schedules: d.schedules.into_iter().map(ScheduleView::from).collect(),
            parameters: d.parameters,
            work_pool_name: d.work_pool_name,
            work_queue_name: d.work_queue_name,
            concurrency_limit: d.concurrency_limit,
            entrypoint: d.entrypoint,
            version: d.version,
            last_polled: d.last_polled,
            created: d.created,
            updated: d.updated,
        }
    }
}

/// `{"flows": [...], "count": n}`: the documented list shape.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FlowList {
    pub flows: Vec<FlowView>,
    /// How many flows this answer holds.
    pub count: usize,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct FlowRunList {
    pub flow_runs: Vec<FlowRunView>,
    /// How many flow runs this answer holds.
    pub count: usize,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DeploymentList {
    pub deployments: Vec<DeploymentView>,
    /// How many deployments this answer holds.
    pub count: usize,
}

impl FlowList {
    pub fn new(flows: Vec<FlowView>) -> Self {
        FlowList {
            count: flows.len(),
            flows,
        }
    }
}

impl FlowRunList {
    pub fn new(flow_runs: Vec<FlowRunView>) -> Self {
        FlowRunList {
            count: flow_runs.len(),
            flow_runs,
        }
    }
}

impl DeploymentList {
    pub fn new(deployments: Vec<DeploymentView>) -> Self {
        DeploymentList {
            count: deployments.len(),
            deployments,
        }
    }
}

/// The outcome of `cancel_flow_run`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CancelResult {
    pub flow_run_id: Uuid,
    /// Prefect's orchestration status: ACCEPT (cancellation under way) or WAIT.
    pub status: String,
    /// The state the run is now in (CANCELLING until the worker stops it, then CANCELLED).
    pub state: Option<StateView>,
    pub message: String,
}

/// The outcome of `create_flow_run_from_deployment`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CreatedFlowRun {
    pub flow_run_id: Uuid,
    pub flow_run_name: Option<String>,
    pub deployment_id: Uuid,
    pub deployment_name: String,
    /// The run as it is now (after waiting, when `timeout` > 0).
    pub flow_run: FlowRunView,
    /// "not_waited" (timeout 0), "final_state" (the run finished) or "timed_out" (still going).
    pub wait: String,
    /// Seconds spent waiting.
    pub waited_seconds: f64,
}
