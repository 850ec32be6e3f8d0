//! Long waits as MCP tasks (the `io.modelcontextprotocol/tasks` extension, SEP-2663).
//!
//! A client that declares the extension and calls a waiting tool (`create_flow_run_from_deployment`
//! with `timeout` > 0, `wait_for_flow_run`) gets a task at once; the call runs in the background
//! and `tasks/get` shows the run's current state in the status message, then the same result the
//! blocking call would have returned. `tasks/cancel` stops the wait, never the flow run. Other
//! clients keep the blocking call, with progress notifications.
//!
//! Over stdio and HTTP sessions, tasks live in this process: they belong to the session that
//! made them (each session has its own `TaskManager`, so another session's task id is "not
//! found"), at most [`MAX_TASKS_PER_SESSION`] run at once, and they are cancelled when their
//! session ends. A result is kept for [`KEEP_RESULT`] past the longest wait.
//!
//! Stateless HTTP, where the next request may reach another replica, offers tasks only with a
//! shared `--request-state-key`: the wait is then no process's, but a sealed task id that any
//! replica answers from Prefect's own state ([`sealed`]); [`wait`] is where a waiting tool
//! hands its wait over.

pub mod sealed;
pub mod wait;

use std::future::Future;
use std::time::Duration;

use rmcp::model::{
    CallToolResponse, CallToolResult, CreateTaskResult, GetTaskResult, InputResponses, JsonObject,
    ProgressNotificationParam, ProgressToken,
};
use rmcp::service::{Peer, RequestContext};
use rmcp::task_manager::{TaskContext, TaskExit, TaskManager, TaskOptions};
use rmcp::{ErrorData, RoleServer};
use tokio_util::sync::CancellationToken;

use self::sealed::SealedTasks;
use crate::errors::{ArgumentError, ToolError};
use crate::mcp::ask::StateKey;
use crate::mcp::declarations::Declaration;
use crate::prefect::waits::{WaitWatch, MAX_WAIT_SECONDS};

/// How long a finished task's result is kept after the longest wait.
pub const KEEP_RESULT: Duration = Duration::from_secs(10 * 60);
/// Tasks one session runs at once; each is a wait polling Prefect.
pub const MAX_TASKS_PER_SESSION: usize = 16;
/// How often a running task checks that its session is still there.
const SESSION_CHECK: Duration = Duration::from_secs(1);
/// How long a cancelled call (by `tasks/cancel` or the end of its session) gets to stop on its
/// own before it is dropped: `tasks/cancel` must not wait on a call parked on a question.
const CANCEL_GRACE: Duration = Duration::from_millis(500);
/// How long a task is kept (in process) or opens (sealed) after it was made: the longest wait
/// a tool accepts (its `timeout`), and [`KEEP_RESULT`].
const TASK_TTL: Duration = Duration::from_secs(MAX_WAIT_SECONDS as u64 + KEEP_RESULT.as_secs());
const POLL_INTERVAL_MS: u64 = 2_000;

/// The tasks this server offers, if it offers the extension.
#[derive(Clone, Default)]
pub struct Tasks {
    kind: Kind,
}

#[derive(Clone, Default)]
enum Kind {
    /// Stateless HTTP without a shared key: no tasks.
    #[default]
    None,
    /// One session's tasks, in this process.
    InProcess(TaskManager),
    /// Sealed tasks that any replica holding the key answers.
    Sealed(SealedTasks),
}

impl Tasks {
    /// Sessions (stdio, HTTP) keep their tasks in this process; stateless HTTP seals them
    /// with the replicas' shared `key`, and offers none without one.
    pub fn new(stateless: bool, key: Option<&StateKey>) -> Self {
        let kind = match (stateless, key) {
            (false, _) => Kind::InProcess(TaskManager::new()),
            (true, Some(key)) => Kind::Sealed(SealedTasks::new(key.clone())),
            (true, None) => Kind::None,
        };
        Tasks { kind }
    }

    /// The tasks of a new session (or stateless request): none of another session's.
    pub fn for_session(&self) -> Self {
        let kind = match &self.kind {
            Kind::InProcess(_) => Kind::InProcess(TaskManager::new()),
            other => other.clone(),
        };
        Tasks { kind }
    }

    pub fn offered(&self) -> bool {
        !matches!(self.kind, Kind::None)
    }

    /// The sealed tasks of stateless replicas, when this server offers those.
    pub fn sealed(&self) -> Option<&SealedTasks> {
        match &self.kind {
            Kind::Sealed(tasks) => Some(tasks),
            _ => None,
        }
    }

    /// Whether this call runs as a task: the server offers tasks, the client declared the
    /// extension, and the tool would wait.
    pub fn should_run(
        &self,
        tool: Option<&Declaration>,
        arguments: Option<&JsonObject>,
        context: &RequestContext<RoleServer>,
    ) -> bool {
        self.offered()
            && context
                .client_capabilities()
                .is_some_and(|c| c.supports_tasks())
            && tool.is_some_and(|declared| declared.may_wait(arguments))
    }

    /// Run `call` as a task and answer with it at once. `call` gets the task (to report status
    /// and take answers) and a token cancelled by `tasks/cancel` or by the end of the session
    /// of `peer`.
    pub fn start<F>(
        &self,
        peer: Peer<RoleServer>,
        call: impl FnOnce(TaskContext, CancellationToken) -> F,
    ) -> Result<CreateTaskResult, ErrorData>
    where
        F: Future<Output = Result<CallToolResponse, ErrorData>> + Send + 'static,
    {
        let manager = self.manager()?;
        if manager.running_task_count() >= MAX_TASKS_PER_SESSION {
            return Err(ToolError::from(ArgumentError::TooManyTasks {
                max: MAX_TASKS_PER_SESSION,
            })
            .into_error_data());
        }
        let options = TaskOptions::new()
            .with_ttl_ms(TASK_TTL.as_millis() as u64)
            .with_poll_interval_ms(POLL_INTERVAL_MS)
            .with_status_message("starting");
        let task = manager.spawn(options, move |task| {
            let stop = CancellationToken::new();
            let running = call(task.clone(), stop.clone());
            Box::pin(async move {
                tokio::pin!(running);
                let response = tokio::select! {
                    response = &mut running => response,
                    // tasks/cancel or the end of the session: either way the call gets the grace
                    // to end as a cancelled one and log its line (a write's audit record)
                    // instead of vanishing.
                    _ = cancelled_or_gone(&task, &peer) => {
                        stop.cancel();
                        let _ = tokio::time::timeout(CANCEL_GRACE, running).await;
                        return Err(TaskExit::Cancelled);
                    }
                };
                if task.is_cancel_requested() {
                    return Err(TaskExit::Cancelled);
                }
                match response {
                    Ok(CallToolResponse::Complete(result)) => {
                        Ok::<CallToolResult, TaskExit>(result)
                    }
                    Ok(_) => Err(TaskExit::Error(ErrorData::internal_error(
                        "a task's tool call asked for another round trip",
                        None,
                    ))),
                    Err(error) => Err(TaskExit::Error(error)),
                }
            })
        });
        Ok(CreateTaskResult::new(task))
    }

    pub fn get(&self, task_id: &str) -> Result<GetTaskResult, ErrorData> {
        self.manager()?
            .get_task(task_id)
            .map(GetTaskResult::new)
            .map_err(unknown_task)
    }

    pub fn update(&self, task_id: &str, responses: InputResponses) -> Result<(), ErrorData> {
        self.manager()?
            .update_task(task_id, responses)
            .map_err(unknown_task)
    }

    pub fn cancel(&self, task_id: &str) -> Result<(), ErrorData> {
        self.manager()?.cancel_task(task_id).map_err(unknown_task)
    }

    fn manager(&self) -> Result<&TaskManager, ErrorData> {
        match &self.kind {
            Kind::InProcess(manager) => Ok(manager),
            _ => Err(ErrorData::invalid_request(
                "this server does not offer tasks in process",
                None,
            )),
        }
    }
}

/// rmcp's task manager fails `tasks/get`, `tasks/update` and `tasks/cancel` only for an id it
/// does not hold (`unknown task: <id>`, invalid params); a client is told so in the words a
/// sealed task's replica uses, whichever way the server keeps its tasks.
fn unknown_task(_: ErrorData) -> ErrorData {
    ToolError::UnknownTask.into_error_data()
}

/// Resolves once the task is cancelled or its session has ended.
async fn cancelled_or_gone(task: &TaskContext, peer: &Peer<RoleServer>) {
    tokio::select! {
        _ = task.cancelled() => {}
        _ = session_gone(peer) => {}
    }
}

/// Resolves once the session's transport has closed (the client went away or was evicted).
async fn session_gone(peer: &Peer<RoleServer>) {
    while !peer.is_transport_closed() {
        tokio::time::sleep(SESSION_CHECK).await;
    }
}

/// How a waiting tool tells the client how far it is: progress notifications on a plain call
/// (when the client asked for them), the status message of its task otherwise.
pub struct Progress<'a> {
    context: &'a RequestContext<RoleServer>,
    task: Option<TaskContext>,
    token: Option<ProgressToken>,
}

impl<'a> Progress<'a> {
    pub fn of(context: &'a RequestContext<RoleServer>) -> Self {
        let task = context.extensions.get::<TaskContext>().cloned();
        // The task's request was answered long ago: progress for it would go nowhere.
        let token = match task {
            Some(_) => None,
            None => context.meta.get_progress_token(),
        };
        Progress {
            context,
            task,
            token,
        }
    }

    pub async fn report(&self, done: f64, total: f64, message: String) {
        if let Some(task) = &self.task {
            task.set_status_message(message.clone());
        }
        if let Some(token) = &self.token {
            let note = ProgressNotificationParam::new(token.clone(), done)
                .with_total(total)
                .with_message(message);
            // A client that stopped listening for progress is not a reason to fail the call.
            let _ = self.context.peer.notify_progress(note).await;
        }
    }

    /// The last word of a task that stops early (its result is not kept when cancelled).
    pub fn finish(&self, message: String) {
        if let Some(task) = &self.task {
            task.set_status_message(message);
        }
    }
}

impl WaitWatch for Progress<'_> {
    fn progress(&self, done: f64, total: f64, message: String) -> impl Future<Output = ()> + Send {
        self.report(done, total, message)
    }

    fn stopped(&self, message: String) {
        self.finish(message);
    }

    fn cancellation(&self) -> &CancellationToken {
        &self.context.ct
    }
}
