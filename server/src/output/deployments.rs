//! Views of deployments.

use chrono::{DateTime, Utc};
use prefect_api::types;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::flow_runs::FlowRunView;

/// One schedule of a deployment.
#[serde_with::skip_serializing_none]
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

impl ScheduleView {
    /// How the schedule reads in a question: its timing, timezone and whether it is paused.
    pub fn described(&self) -> String {
        let timing = match (&self.cron, self.interval_seconds, &self.rrule) {
            (Some(cron), _, _) => format!("cron {}", super::quoted(cron)),
            (_, Some(seconds), _) => format!("every {seconds} s"),
            (_, _, Some(rrule)) => format!("rrule {}", super::quoted(rrule)),
            _ => "of unknown timing".to_string(),
        };
        let zone = self
            .timezone
            .as_deref()
            .map(|zone| format!(" in {}", super::quoted(zone)))
            .unwrap_or_default();
        let paused = if self.active { "" } else { ", paused" };
        format!("{timing}{zone}{paused} ({})", self.id)
    }
}

/// The outcome of set_deployment_schedule.
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize, JsonSchema)]
pub struct ScheduleSet {
    pub deployment: String,
    /// true: a schedule was added; false: the one given was changed.
    pub added: bool,
    /// The schedule as it was before the change.
    pub previous: Option<ScheduleView>,
    pub schedule: ScheduleView,
}

/// The outcome of delete_deployment_schedule.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ScheduleRemoved {
    pub deployment: String,
    pub removed: ScheduleView,
    /// The deployment's schedules now.
    pub schedules: Vec<ScheduleView>,
}

/// A deployment.
#[serde_with::skip_serializing_none]
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
    /// The bulky configuration, only when asked for with `detail: true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<DeploymentDetail>,
}

/// What `detail: true` adds: how runs are started, rarely needed in a conversation.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DeploymentDetail {
    /// The flow's parameters as JSON Schema (types, defaults, required).
    pub parameter_openapi_schema: Option<Map<String, Value>>,
    /// Whether runs' parameters are checked against that schema.
    pub enforce_parameter_schema: bool,
    /// Overrides of the work pool's job template.
    pub job_variables: Map<String, Value>,
    /// How the code is fetched before a run.
    pub pull_steps: Option<Vec<Map<String, Value>>>,
    pub path: Option<String>,
}

impl DeploymentView {
    /// The compact view plus [`DeploymentDetail`].
    pub fn detailed(d: types::DeploymentResponse, flow_name: Option<String>) -> Self {
        let detail = DeploymentDetail {
            parameter_openapi_schema: d.parameter_openapi_schema.clone(),
            enforce_parameter_schema: d.enforce_parameter_schema,
            job_variables: d.job_variables.clone(),
            pull_steps: d.pull_steps.clone(),
            path: d.path.clone(),
        };
        DeploymentView {
            detail: Some(detail),
            ..DeploymentView::new(d, flow_name)
        }
    }

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
            // Prefect 3 keeps the limit in a global concurrency limit; the old field stays null.
            concurrency_limit: d
                .global_concurrency_limit
                .as_ref()
                .map(|g| g.limit)
                .or(d.concurrency_limit),
            entrypoint: d.entrypoint,
            version: d.version,
            last_polled: d.last_polled,
            created: d.created,
            updated: d.updated,
            detail: None,
        }
    }
}

list_view!(DeploymentList, deployments, DeploymentView);

/// How a wait for a flow run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WaitOutcome {
    /// `timeout` was 0: the call returned as soon as the run existed.
    NotWaited,
    /// The run reached a final state (COMPLETED, FAILED, CANCELLED or CRASHED).
    FinalState,
    /// The timeout passed first; the run goes on.
    TimedOut,
}

/// The outcome of `create_flow_run_from_deployment`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize, JsonSchema)]
pub struct CreatedFlowRun {
    pub flow_run_id: Uuid,
    pub flow_run_name: Option<String>,
    pub deployment_id: Uuid,
    pub deployment_name: String,
    /// The run as it is now (after waiting, when `timeout` > 0).
    pub flow_run: FlowRunView,
    pub wait: WaitOutcome,
    /// Seconds spent waiting.
    pub waited_seconds: f64,
}

impl CreatedFlowRun {
    /// The answer about `run` of deployment `deployment_id` (`deployment_name`), as it stands
    /// after waiting (or not).
    pub fn new(
        deployment_id: Uuid,
        deployment_name: String,
        run: FlowRunView,
        wait: WaitOutcome,
        waited_seconds: f64,
    ) -> Self {
        CreatedFlowRun {
            flow_run_id: run.id,
            flow_run_name: run.name.clone(),
            deployment_id,
            deployment_name,
            flow_run: run,
            wait,
            waited_seconds,
        }
    }
}
