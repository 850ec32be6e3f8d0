//! Asking the client for what a tool is missing, in both protocol eras.
//!
//! A tool that meets an ambiguity or a gap calls one of the questions in [`questions`]; which
//! way the question travels is decided here, once per call ([`Asker::for_call`]):
//!
//! - 2025-era clients that declared elicitation get a server-to-client `elicitation/create`
//!   request, and the tool waits for the answer (stdio and HTTP sessions).
//! - 2026-07-28 clients that declared elicitation get an `InputRequiredResult` (Multi Round-Trip
//!   Requests): the tool stops with [`ToolError::InputRequired`], the server answers the call
//!   with the question and a sealed `requestState`, and the client retries the same call with
//!   `inputResponses`. The tool then runs again from the start and finds its answers. Earlier
//!   rounds' answers travel inside the sealed state, so any replica holding the shared key can
//!   continue a call that another one started.
//! - Inside a task (the tasks extension), the question becomes the task's `input_required`
//!   status, answered with `tasks/update`.
//! - Clients that cannot be asked get the tool's own error, which lists what the question
//!   would have offered.
//!
//! An answer counts only for a question this server asked, as it was shown ([`state`]): in
//! the 2025 era and in tasks the answer comes back on the request that carried the question;
//! on 2026-07-28 it must come with the sealed `requestState` that carried it, from the same
//! caller, for the same tool and arguments, and the question asked again must be the one shown.
//! Answers sent any other way (`inputResponses` on a first call, or from a client that never
//! declared the round trips) are ignored and logged, never a "yes".

pub mod confirm;
pub mod options;
pub mod questions;
pub mod resolve;
mod state;

pub use confirm::{confirm, confirm_target, confirm_when_possible, run_input};
pub use options::{AskOptions, StateKey, DEFAULT_QUESTION_TIMEOUT};

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::model::{
    ElicitRequest, ElicitRequestParams, ElicitResult, ElicitationAction, ElicitationSchema,
    InputRequest, InputRequiredResult, InputResponses, JsonObject, ProtocolVersion,
};
use rmcp::service::{ElicitationMode, RequestContext};
use rmcp::task_manager::TaskContext;
use rmcp::{Peer, RoleServer};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use self::state::Answered;
use crate::errors::ToolError;
use crate::telemetry;

enum Channel {
    /// 2025 era: `elicitation/create` to the client, answered within this call (or not: the
    /// call's cancellation token and the time limit end the wait).
    Elicitation(Peer<RoleServer>, CancellationToken),
    /// 2026-07-28: an `InputRequiredResult`, answered by retrying the call.
    RoundTrip,
    /// Inside a task: the task waits in `input_required` until `tasks/update` answers.
    Task(TaskContext),
    /// The client cannot be asked.
    None,
}

/// What the person answered.
pub enum Reply {
    Accepted(JsonObject),
    Declined,
    Cancelled,
    /// The client cannot be asked: the tool answers with its own error instead.
    CannotAsk,
}

/// One tool call's way of asking (see the module documentation).
#[derive(Clone)]
pub struct Asker(Arc<Inner>);

struct Inner {
    channel: Channel,
    /// Answers of earlier rounds (2026-07-28 only), each with the digest of what was shown.
    answers: BTreeMap<String, Answered>,
    key: StateKey,
    /// What the sealed state is bound to: this tool, these arguments and this caller.
    binding: Vec<u8>,
    pending: Mutex<Option<InputRequiredResult>>,
    allow_unconfirmed_writes: bool,
    question_timeout: Duration,
}

impl Asker {
    /// A call that cannot ask (the `call` subcommand, or any path without a client).
    pub fn unable() -> Self {
        Asker(Arc::new(Inner {
            channel: Channel::None,
            answers: BTreeMap::new(),
            key: StateKey::random(),
            binding: Vec::new(),
            pending: Mutex::new(None),
            allow_unconfirmed_writes: false,
            question_timeout: DEFAULT_QUESTION_TIMEOUT,
        }))
    }

    /// Decide how this call asks, and open the answers a retried call brings. A `requestState`
    /// that does not verify is an error: nothing of it is trusted. `caller` names who calls
    /// (`McpServer::task_owner`): a state sealed for one caller opens for no other.
    #[allow(clippy::too_many_arguments)]
    pub fn for_call(
        options: &AskOptions,
        tool: &str,
        arguments: Option<&JsonObject>,
        caller: &str,
        request_state: Option<&str>,
        input_responses: Option<InputResponses>,
        context: &RequestContext<RoleServer>,
        task: Option<TaskContext>,
    ) -> Result<Self, ToolError> {
        let binding = state::binding(tool, arguments, caller);
        let channel = channel(options, context, task);
        let answers = match channel {
            Channel::RoundTrip => {
                state::answers_of_retry(&options.key, &binding, request_state, input_responses)?
            }
            // Questions on these channels are answered on the request that asked them.
            _ => {
                if input_responses.is_some_and(|r| !r.is_empty()) {
                    state::ignored("this client was not asked in rounds (2026-07-28 elicitation)");
                }
                BTreeMap::new()
            }
        };
        Ok(Asker(Arc::new(Inner {
            channel,
            answers,
            key: options.key.clone(),
            binding,
            pending: Mutex::new(None),
            allow_unconfirmed_writes: options.allow_unconfirmed_writes,
            question_timeout: options.question_timeout,
        })))
    }

    /// Whether the operator let destructive changes go ahead unconfirmed when this client
    /// cannot be asked.
    pub fn allows_unconfirmed_writes(&self) -> bool {
        self.0.allow_unconfirmed_writes
    }

    /// The asker of the call `context` belongs to (put there by the server), or one that
    /// cannot ask.
    pub fn of(context: &RequestContext<RoleServer>) -> Self {
        context
            .extensions
            .get::<Asker>()
            .cloned()
            .unwrap_or_else(Asker::unable)
    }

    fn no_answer_in_time(&self) -> String {
        format!(
            "no answer within {} s (--question-timeout)",
            self.0.question_timeout.as_secs()
        )
    }

    /// The `InputRequiredResult` a question left for the client, if the call stopped for one.
    pub fn take_input_required(&self) -> Option<InputRequiredResult> {
        self.0.pending.lock().ok()?.take()
    }

    /// Ask with a form: `key` names the question (stable across retries), `question` is what it
    /// asks for, in words ("the flow run to diagnose"), for error messages.
    pub async fn ask(
        &self,
        key: &str,
        question: &str,
        message: String,
        schema: ElicitationSchema,
    ) -> Result<Reply, ToolError> {
        self.ask_about(key, question, message, schema, &[]).await
    }

    /// [`Self::ask`], for a question whose "yes" acts on `targets` (ids the message may only
    /// count): an answer counts only while the question and its targets are the ones shown.
    pub async fn ask_about(
        &self,
        key: &str,
        question: &str,
        message: String,
        schema: ElicitationSchema,
        targets: &[String],
    ) -> Result<Reply, ToolError> {
        let shown = state::shown(key, &message, &schema, targets);
        match self.0.answers.get(key) {
            Some(earlier) if earlier.shown == shown => {
                return reply_from(question, earlier.answer.clone())
            }
            // What the person saw is not what would be acted on now: ask again.
            Some(_) => {
                tracing::info!("an answer was for a question that has changed: asking again")
            }
            None => {}
        }
        let params = ElicitRequestParams::FormElicitationParams {
            meta: None,
            message,
            requested_schema: schema,
        };
        match &self.0.channel {
            Channel::None => Ok(Reply::CannotAsk),
            Channel::Elicitation(peer, cancel) => {
                telemetry::question("asked");
                let asked = peer.create_elicitation(params);
                let result = tokio::select! {
                    result = tokio::time::timeout(self.0.question_timeout, asked) => result,
                    _ = cancel.cancelled() => return Err(ask_failed(question, "the call was cancelled")),
                };
                let result = result
                    .map_err(|_| ask_failed(question, &self.no_answer_in_time()))?
                    .map_err(|e| ask_failed(question, &e.to_string()))?;
                Ok(counted(reply(result)))
            }
            Channel::Task(task) => {
                let request = InputRequest::Elicitation(ElicitRequest::new(params));
                telemetry::question("asked");
                let asked = task.request_input(key, request);
                let answer = tokio::time::timeout(self.0.question_timeout, asked)
                    .await
                    .map_err(|_| ask_failed(question, &self.no_answer_in_time()))?
                    .map_err(|_| {
                        ask_failed(question, "the task was cancelled before an answer came")
                    })?;
                reply_from(question, answer).map(counted)
            }
            Channel::RoundTrip => {
                let sealed =
                    state::seal(&self.0.key, &self.0.binding, &self.0.answers, key, &shown)
                        .map_err(|message| ToolError::AskFailed {
                            question: question.into(),
                            message,
                        })?;
                let request = InputRequest::Elicitation(ElicitRequest::new(params));
                let result = InputRequiredResult::new(
                    Some(BTreeMap::from([(key.to_string(), request)])),
                    Some(sealed),
                );
                if let Ok(mut pending) = self.0.pending.lock() {
                    *pending = Some(result);
                }
                telemetry::question("asked");
                Err(ToolError::InputRequired)
            }
        }
    }
}

fn channel(
    options: &AskOptions,
    context: &RequestContext<RoleServer>,
    task: Option<TaskContext>,
) -> Channel {
    let Some(capabilities) = context.client_capabilities() else {
        return Channel::None;
    };
    let Some(elicitation) = &capabilities.elicitation else {
        return Channel::None;
    };
    // No modes named means form (2025-06-18); otherwise form must be among them.
    let form = elicitation.form.is_some() || elicitation.url.is_none();
    if !form {
        return Channel::None;
    }
    let round_trips = context
        .protocol_version()
        .is_some_and(|v| v >= ProtocolVersion::V_2026_07_28);
    match task {
        Some(task) if round_trips => Channel::Task(task),
        _ if round_trips => Channel::RoundTrip,
        _ if options.server_requests
            && context
                .peer
                .supported_elicitation_modes()
                .contains(&ElicitationMode::Form) =>
        {
            Channel::Elicitation(context.peer.clone(), context.ct.clone())
        }
        _ => Channel::None,
    }
}

fn ask_failed(question: &str, message: &str) -> ToolError {
    ToolError::AskFailed {
        question: question.into(),
        message: message.into(),
    }
}

fn reply(result: ElicitResult) -> Reply {
    match result.action {
        ElicitationAction::Accept => match result.content {
            Some(Value::Object(content)) => Reply::Accepted(content),
            _ => Reply::Accepted(JsonObject::new()),
        },
        ElicitationAction::Decline => Reply::Declined,
        // Cancel, and any action a newer client may invent: treated as dismissed.
        _ => Reply::Cancelled,
    }
}

/// A person's answer, counted as it arrives (a round trip's are counted when they come back,
/// in `state`, not each time a retried call reads them).
fn counted(reply: Reply) -> Reply {
    telemetry::question(match reply {
        Reply::Accepted(_) => "accepted",
        Reply::Declined => "declined",
        _ => "cancelled",
    });
    reply
}

fn reply_from(question: &str, answer: Value) -> Result<Reply, ToolError> {
    serde_json::from_value::<ElicitResult>(answer)
        .map(reply)
        .map_err(|e| ToolError::BadAnswer {
            question: question.into(),
            detail: format!("it is not an elicitation result ({e})"),
        })
}
