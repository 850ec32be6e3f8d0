//! Views of task runs.

use chrono::{DateTime, Utc};
use prefect_api::types;
use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

use super::StateView;

/// A task run.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TaskRunView {
    pub id: Uuid,
    pub name: Option<String>,
    /// The task's identity within its flow; repeated calls of one task share it.
    pub task_key: String,
    pub flow_run_id: Option<Uuid>,
    pub state: Option<StateView>,
    pub expected_start_time: Option<DateTime<Utc>>,
    pub start_time: Option<DateTime<Utc>>,
    pub end_time: Option<DateTime<Utc>>,
    /// Seconds spent running, summed over retries.
    pub total_run_time: f64,
    pub run_count: i64,
    pub tags: Vec<String>,
}

impl From<types::TaskRun> for TaskRunView {
    fn from(run: types::TaskRun) -> Self {
        TaskRunView {
            id: run.id,
            name: run.name,
            task_key: run.task_key,
            flow_run_id: run.flow_run_id,
            state: run.state.map(StateView::from),
            expected_start_time: run.expected_start_time,
            start_time: run.start_time,
            end_time: run.end_time,
            total_run_time: run.total_run_time,
            run_count: run.run_count,
            tags: run.tags,
        }
    }
}

list_view!(TaskRunList, task_runs, TaskRunView);
