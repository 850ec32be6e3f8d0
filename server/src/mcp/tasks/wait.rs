//! How a waiting tool waits: blocking, with progress notifications; inside an in-process task,
//! with its status message (both [`super::Progress`]); or, on stateless replicas, not at all:
//! the run is made in the request and its wait handed to a sealed task
//! ([`super::sealed`]) that any replica answers.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::model::CreateTaskResult;
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer};

use super::sealed::{Finish, SealedTasks};
use super::Progress;
use crate::errors::ToolError;
use crate::mcp::server::McpServer;
use crate::output::FlowRunView;
use crate::prefect::waits::Waited;
use crate::prefect::Prefect;

/// Put into a call's request by the handler when the call becomes a sealed task: the waiting
/// tool leaves its task here instead of waiting, and the dispatch answers with it.
#[derive(Clone)]
pub struct Detach {
    tasks: SealedTasks,
    owner: String,
    task: Arc<Mutex<Option<CreateTaskResult>>>,
}

impl Detach {
    pub fn new(tasks: SealedTasks, owner: String) -> Self {
        Detach {
            tasks,
            owner,
            task: Arc::default(),
        }
    }

    /// The `Detach` of the call `context` belongs to, if it becomes a sealed task.
    pub fn of(context: &RequestContext<RoleServer>) -> Option<Self> {
        context.extensions.get::<Detach>().cloned()
    }

    /// The task the tool left, once.
    pub fn take(&self) -> Option<CreateTaskResult> {
        self.task.lock().ok()?.take()
    }
}

impl McpServer {
    /// Wait up to `timeout` for `run` to reach a final state, as this call waits (see the
    /// module documentation). `finish` says what the tool's result needs, for a task that
    /// builds it later. A call handed to a sealed task stops here with
    /// [`ToolError::TaskStarted`], which the dispatch turns into the task.
    pub(crate) async fn wait_for_run(
        &self,
        run: FlowRunView,
        timeout: Duration,
        finish: Finish,
        context: &RequestContext<RoleServer>,
    ) -> Result<Waited, ToolError> {
        if let Some(detach) = Detach::of(context) {
            let task = detach.tasks.seal(run.id, finish, timeout, &detach.owner)?;
            if let Ok(mut slot) = detach.task.lock() {
                *slot = Some(task);
            }
            return Err(ToolError::TaskStarted);
        }
        self.prefect
            .wait_for_final_state(run, timeout, &Progress::of(context))
            .await
    }

    /// For `tasks/get`, `tasks/update` and `tasks/cancel` on stateless replicas: the sealed
    /// tasks, the Prefect of this request's caller, and who the caller is. `None` when tasks
    /// live in this process.
    pub(in crate::mcp) fn sealed_tasks(
        &self,
        context: &RequestContext<RoleServer>,
    ) -> Result<Option<(SealedTasks, Prefect, String)>, ErrorData> {
        let Some(tasks) = self.tasks.sealed() else {
            return Ok(None);
        };
        let owner = self
            .task_owner(context)
            .map_err(ToolError::into_error_data)?;
        let caller = self.caller(context)?;
        let prefect = caller.as_ref().unwrap_or(self).prefect.clone();
        Ok(Some((tasks.clone(), prefect, owner)))
    }
}
