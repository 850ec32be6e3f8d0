//! The dashboard: exact counts and a few examples, bounded whatever the size of the server.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use prefect_api::types;
use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

use super::cap_text;

/// Examples shown per section.
pub const DASHBOARD_EXAMPLES: i64 = 5;
/// A state message longer than this keeps its start and its end (the exception).
const MAX_STATE_MESSAGE_CHARS: usize = 300;

#[derive(Debug, Serialize, JsonSchema)]
pub struct Dashboard {
    /// The window of the run counts, in hours back from now.
    pub hours: i64,
    /// Runs count as in the window when expected to start at or after this time (which
    /// includes runs scheduled for the future).
    pub since: DateTime<Utc>,
    pub flow_runs: RunCounts,
    /// Runs whose state is "Late" (scheduled, time passed, not started), at any time.
    pub late_runs: LateRuns,
    /// FAILED and CRASHED runs in the window.
    pub failed_runs: FailedRuns,
    pub work_pools: WorkPoolHealth,
    /// How many flows exist.
    pub flows: i64,
    /// How many deployments exist.
    pub deployments: i64,
}

/// Exact flow run counts in the window.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RunCounts {
    pub total: i64,
    /// Every Prefect state type, zeros included.
    pub by_state_type: BTreeMap<String, i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct LateRuns {
    pub count: i64,
    /// Up to 5, most recently due first.
    pub examples: Vec<LateRun>,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize, JsonSchema)]
pub struct LateRun {
    pub id: Uuid,
    pub name: Option<String>,
    pub deployment_id: Option<Uuid>,
    pub expected_start_time: Option<DateTime<Utc>>,
}

impl From<types::FlowRunResponse> for LateRun {
    fn from(run: types::FlowRunResponse) -> Self {
        LateRun {
            id: run.id,
            name: run.name,
            deployment_id: run.deployment_id,
            expected_start_time: run.expected_start_time,
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct FailedRuns {
    pub count: i64,
    /// Up to 5, newest first (by expected start time).
    pub newest: Vec<FailedRun>,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize, JsonSchema)]
pub struct FailedRun {
    pub id: Uuid,
    pub name: Option<String>,
    /// FAILED or CRASHED.
    pub state_type: Option<String>,
    /// Prefect's explanation (the exception), cut to about 300 characters keeping its end.
    pub message: Option<String>,
}

impl From<types::FlowRunResponse> for FailedRun {
    fn from(run: types::FlowRunResponse) -> Self {
        let state = run.state;
        FailedRun {
            id: run.id,
            name: run.name,
            state_type: state.as_ref().map(|s| s.type_.0.clone()),
            message: state
                .and_then(|s| s.message)
                .filter(|m| !m.is_empty())
                .map(|m| cap_text(&m, MAX_STATE_MESSAGE_CHARS)),
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct WorkPoolHealth {
    /// How many work pools exist.
    pub count: i64,
    /// Pools whose runs cannot start, with why (the first 200 pools by name are checked;
    /// get_work_pool shows one in full).
    pub unhealthy: Vec<UnhealthyWorkPool>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UnhealthyWorkPool {
    pub name: String,
    pub problems: Vec<String>,
}
