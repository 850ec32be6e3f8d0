//! The report of `diagnose_flow_run`.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

use super::{FlowRunView, LogLine, TaskRunView, WorkPoolView};

/// Everything needed to say why a run failed, or why it has not started, in one answer.
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize, JsonSchema)]
pub struct Diagnosis {
    /// One line: the run, its state, and the most likely cause.
    pub summary: String,
    /// Likely causes, most likely first, each with what to do about it.
    pub likely_causes: Vec<String>,
    pub flow_run: FlowRunView,
    /// Other runs with the same name, when the run was given by name (the newest was taken).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_runs_with_this_name: Option<usize>,
    /// Task runs that failed or crashed (up to 5).
    pub failed_task_runs: Vec<TaskRunView>,
    /// The newest WARNING-or-worse log lines (up to 20), oldest first.
    pub error_logs: Vec<LogLine>,
    pub deployment: Option<DeploymentStatus>,
    /// The work pool the run (or its deployment) uses, with its queues and workers.
    pub work_pool: Option<WorkPoolView>,
    /// Concurrency limits that are full and may hold the run.
    pub full_concurrency_limits: Vec<ConcurrencyLimitStatus>,
}

/// The parts of the run's deployment that decide whether it can start.
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize, JsonSchema)]
pub struct DeploymentStatus {
    pub id: Uuid,
    pub name: String,
    pub paused: bool,
    /// READY when a worker or runner polled recently.
    pub status: Option<String>,
    pub last_polled: Option<DateTime<Utc>>,
    pub work_pool_name: Option<String>,
    pub work_queue_name: Option<String>,
    pub concurrency_limit: Option<i64>,
    /// Runs of this deployment now PENDING or RUNNING (what its concurrency limit counts).
    pub active_runs: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ConcurrencyLimitStatus {
    pub name: String,
    pub limit: i64,
    pub active_slots: i64,
}
