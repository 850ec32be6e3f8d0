//! What the write tools answer: the object changed, how it is now, and what happened in words.

use chrono::{DateTime, Utc};
use prefect_api::types;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::StateView;

/// A deployment after pause_deployment, resume_deployment or update_deployment.
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize, JsonSchema)]
pub struct DeploymentChanged {
    pub deployment_id: Uuid,
    /// "flow_name/deployment_name".
    pub deployment_name: String,
    pub paused: bool,
    /// The fields update_deployment changed.
    pub changed: Option<Vec<String>>,
    /// The default parameters, after update_deployment.
    pub parameters: Option<Map<String, Value>>,
    pub message: String,
}

/// A flow run after retry_flow_run, set_flow_run_state or resume_flow_run.
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize, JsonSchema)]
pub struct FlowRunChanged {
    pub flow_run_id: Uuid,
    pub flow_run_name: Option<String>,
    /// Prefect's orchestration answer (ACCEPT).
    pub status: String,
    pub state: Option<StateView>,
    /// What resume_flow_run sent as the run's input.
    pub run_input: Option<Map<String, Value>>,
    pub message: String,
}

/// What a delete removed.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Deleted {
    pub id: Uuid,
    pub name: String,
    /// Always true: a delete that did not happen is an error.
    pub deleted: bool,
    pub message: String,
}

/// One run of cancel_flow_runs.
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize, JsonSchema)]
pub struct BulkCancelItem {
    pub flow_run_id: Uuid,
    pub name: Option<String>,
    /// ACCEPT (CANCELLING, its worker stops it), CANCELLED (had not started), WAIT, or REFUSED.
    pub outcome: String,
    /// Prefect's reason, for WAIT and REFUSED.
    pub reason: Option<String>,
}

/// The outcome of cancel_flow_runs.
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize, JsonSchema)]
pub struct BulkCancelled {
    /// Runs that matched (at most 200 a call).
    pub matched: usize,
    /// Runs now CANCELLING or CANCELLED.
    pub cancelled: usize,
    pub runs: Vec<BulkCancelItem>,
    /// Set when 200 matched: more may remain; call again.
    pub more_may_match: Option<bool>,
    pub message: String,
}

impl BulkCancelled {
    /// Nothing matched: nothing was asked and nothing changed.
    pub fn nothing() -> Self {
        BulkCancelled {
            matched: 0,
            cancelled: 0,
            runs: Vec::new(),
            more_may_match: None,
            message: "No unfinished run matches: nothing to cancel.".into(),
        }
    }
}

/// A work pool after pause_work_pool or resume_work_pool.
#[derive(Debug, Serialize, JsonSchema)]
pub struct WorkPoolChanged {
    pub work_pool_id: Uuid,
    pub work_pool: String,
    pub is_paused: bool,
    pub message: String,
}

/// A work queue after pause_work_queue or resume_work_queue.
#[derive(Debug, Serialize, JsonSchema)]
pub struct WorkQueueChanged {
    pub work_queue_id: Uuid,
    pub work_pool: String,
    pub work_queue: String,
    pub is_paused: bool,
    pub message: String,
}

/// One setting update_work_pool or update_work_queue changed (null: none, e.g. no limit).
#[derive(Debug, Serialize, JsonSchema)]
pub struct FieldChanged {
    pub field: &'static str,
    pub old: Value,
    pub new: Value,
}

/// A work pool ("pool") or queue ("pool/queue") after update_work_pool or update_work_queue.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SettingsChanged {
    pub id: Uuid,
    pub name: String,
    /// Each setting that changed, with its old value; empty when all were already so.
    pub changed: Vec<FieldChanged>,
    pub message: String,
}

/// An automation after enable_automation or disable_automation.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AutomationChanged {
    pub automation_id: Uuid,
    pub automation_name: String,
    pub enabled: bool,
    pub message: String,
}

/// A variable: a named JSON value.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct VariableView {
    pub id: Uuid,
    pub name: String,
    pub value: Value,
    pub tags: Vec<String>,
    pub created: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
}

impl From<types::Variable> for VariableView {
    fn from(v: types::Variable) -> Self {
        VariableView {
            id: v.id,
            name: v.name.to_string(),
            value: v
                .value
                .and_then(|value| serde_json::to_value(value).ok())
                .unwrap_or(Value::Null),
            tags: v.tags,
            created: v.created,
            updated: v.updated,
        }
    }
}

list_view!(VariableList, variables, VariableView);

/// The outcome of set_variable.
#[derive(Debug, Serialize, JsonSchema)]
pub struct VariableSet {
    /// true: there was no variable of that name; false: its value (and tags) were replaced.
    pub created: bool,
    pub variable: VariableView,
}
