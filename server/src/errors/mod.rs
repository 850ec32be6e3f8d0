//! The one place where failures are worded and become MCP tool errors.
//!
//! Tools return `Result<_, ToolError>`; the dispatch turns the `Err` side into a result with
//! `isError: true` whose text is [`ToolError::message`] (`Display` is the same text). Tools only
//! say what went wrong, as a variant with its facts, and what they were doing (`doing`); every
//! sentence a user reads is written here, naming the object, the cause and what to do about it.
//! Messages never contain credentials: the client's errors carry URLs without user info, and
//! no message here quotes a header's value.

pub mod event_stream;
pub mod oauth;
pub mod telemetry;

use std::fmt;

mod arguments;
mod prefect;
mod states;
pub mod writes;

use arguments::argument;
pub use arguments::ArgumentError;
use prefect::describe;
pub use prefect::{is_not_found, Doing};
use states::unknown_state_name;
pub use writes::WriteError;

use prefect_api::PrefectError;
use rmcp::model::{CallToolResult, ContentBlock, IntoContents};
use rmcp::ErrorData;
use serde_json::json;

/// The marker our argument decoder puts on the `ErrorData` it must return to rmcp, so that the
/// dispatch can turn it back into a [`ToolError`] instead of a protocol error.
const ARGUMENT_ERROR_MARKER: &str = "prefect_mcp_invalid_arguments";

#[derive(Debug)]
pub enum ToolError {
    /// The arguments are wrong; nothing was sent to Prefect.
    InvalidArgument(ArgumentError),
    /// Prefect answered with an error, or could not be reached, while doing `action`.
    Prefect {
        /// What the tool was doing, e.g. "reading flow run 0b7c…".
        action: String,
        source: PrefectError,
    },
    /// Prefect answered, but the answer is not what its API promises.
    UnexpectedAnswer { action: String, problem: String },
    /// A lookup by name that Prefect answered with nothing matching (Prefect's own 404s are
    /// [`ToolError::Prefect`]).
    NotFound { kind: ObjectKind, name: String },
    /// Several objects share the name given; the caller must pick one by id.
    Ambiguous {
        kind: ObjectKind,
        name: String,
        ids: Vec<String>,
    },
    /// Prefect's orchestration refused to cancel a run (ABORT or REJECT).
    CancelRefused {
        flow_run_id: String,
        status: String,
        reason: Option<String>,
    },
    /// The client cancelled the request while the tool waited for a run; the run goes on.
    WaitCancelled { flow_run_id: String },
    /// The answer would exceed the size bound (`limit` bytes) even after shortening its lists.
    AnswerTooLarge { bytes: usize, limit: usize },
    /// A name matches several objects and the client cannot be asked which one is meant
    /// (`crate::mcp::ask`). `candidates` are one line each, starting with the object's id.
    AmbiguousChoice {
        what: String,
        candidates: Vec<String>,
        /// How many matched beyond the candidates listed.
        more: usize,
    },
    /// A name matches nothing, but `close` names do, and the client cannot be asked.
    NotFoundClose { what: String, close: Vec<String> },
    /// Required run parameters (no default, not given) and a client that cannot be shown a
    /// form: (name, type) of each.
    MissingParameters {
        deployment: String,
        missing: Vec<(String, String)>,
    },
    /// The person declined or dismissed what the server asked; `outcome` says what did not
    /// happen because of it.
    Declined {
        question: String,
        answer: &'static str,
        outcome: &'static str,
    },
    /// The answer to a question is not one of the choices offered.
    BadAnswer { question: String, detail: String },
    /// Asking the client failed (it broke the connection, or answered with an error).
    AskFailed { question: String, message: String },
    /// A retried call's `requestState` did not verify: forged, altered, sealed by a server with
    /// another key, or too old.
    RequestState { reason: String },
    /// Not an error: the tool needs input and the client is sent an `InputRequiredResult`
    /// instead of a result (see `crate::mcp::ask`). Never shown.
    InputRequired,
    /// Not an error: the wait goes on as a task the client polls, and the client is sent the
    /// task instead of a result (see `crate::mcp::tasks`). Never shown.
    TaskStarted,
    /// `tasks/get`, `tasks/update` or `tasks/cancel` named no task of this caller: none was
    /// made, it expired, or another caller made it (which of these is not said).
    UnknownTask,
    /// A search by state name found nothing because no run has been in a state of that name
    /// (names are exact): `known` are the names that exist, `suggestions` the likely ones.
    UnknownStateName {
        name: String,
        suggestions: Vec<String>,
        known: Vec<String>,
        names_from: StateNameSource,
    },
    /// A write tool's failure (`writes`): refusals, runs in the wrong state, confirmations.
    Write(WriteError),
}

impl From<WriteError> for ToolError {
    fn from(error: WriteError) -> Self {
        ToolError::Write(error)
    }
}

/// Where the known state names came from; the error says which.
#[derive(Debug, Clone, PartialEq)]
pub enum StateNameSource {
    /// `GET /observed-states`: the names in this server's retained run history.
    Observed,
    /// Prefect's standard names: the server predates `/observed-states`.
    Standard,
}

/// What kind of Prefect object a name lookup was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    FlowRun,
    Automation,
    /// Looked up by key: the latest artifact of that key.
    Artifact,
    /// One of a deployment's schedules, by id.
    Schedule,
}

impl ObjectKind {
    fn noun(self) -> &'static str {
        match self {
            ObjectKind::FlowRun => "flow run",
            ObjectKind::Automation => "automation",
            ObjectKind::Artifact => "artifact",
            ObjectKind::Schedule => "schedule",
        }
    }

    fn where_to_look(self) -> &'static str {
        match self {
            ObjectKind::FlowRun => {
                "Names are exact; pass the run's id, or find it with list_flow_runs or \
                 search_flow_runs_by_state."
            }
            ObjectKind::Automation => "Names are exact; list_automations shows them.",
            ObjectKind::Artifact => "Give its id or its exact key (the latest artifact of the key); list_artifacts shows both.",
            ObjectKind::Schedule => "get_deployment_by_name shows a deployment's schedules with their ids.",
        }
    }
}

impl ToolError {
    /// A short, stable name of the kind of failure, for logs and traces.
    pub fn kind(&self) -> &'static str {
        match self {
            ToolError::InvalidArgument(_) => "invalid_argument",
            ToolError::Prefect { source, .. } => match source {
                PrefectError::NotFound { .. } => "prefect_not_found",
                PrefectError::Validation { .. } => "prefect_validation",
                PrefectError::Unauthorized { .. } => "prefect_unauthorized",
                PrefectError::Unreachable { .. } => "prefect_unreachable",
                PrefectError::Timeout { .. } => "prefect_timeout",
                PrefectError::Server { .. } => "prefect_server_error",
                PrefectError::Decode { .. } => "prefect_decode",
                PrefectError::ResponseTooLarge { .. } => "prefect_response_too_large",
                PrefectError::InvalidConfig { .. } | PrefectError::Request { .. } => {
                    "prefect_request"
                }
            },
            ToolError::UnexpectedAnswer { .. } => "prefect_unexpected_answer",
            ToolError::NotFound { .. } => "not_found",
            ToolError::Ambiguous { .. } => "ambiguous_name",
            ToolError::CancelRefused { .. } => "cancel_refused",
            ToolError::WaitCancelled { .. } => "wait_cancelled",
            ToolError::AnswerTooLarge { .. } => "answer_too_large",
            ToolError::AmbiguousChoice { .. } => "ambiguous_choice",
            ToolError::NotFoundClose { .. } => "not_found_close_names",
            ToolError::MissingParameters { .. } => "missing_parameters",
            ToolError::Declined { .. } => "declined",
            ToolError::BadAnswer { .. } => "bad_answer",
            ToolError::AskFailed { .. } => "ask_failed",
            ToolError::RequestState { .. } => "request_state_rejected",
            ToolError::InputRequired => "input_required",
            ToolError::TaskStarted => "task_started",
            ToolError::UnknownTask => "unknown_task",
            ToolError::Write(error) => error.kind(),
            ToolError::UnknownStateName { .. } => "unknown_state_name",
        }
    }

    /// As a JSON-RPC error, for the requests whose results have no `isError` (prompts/get,
    /// resources/read, completion/complete): what the caller got wrong (a bad argument, an
    /// object that does not exist) is `invalid_params`, the rest `internal_error`; the text is
    /// [`ToolError::message`] either way.
    pub fn into_error_data(self) -> ErrorData {
        let message = self.message();
        match self {
            ToolError::InvalidArgument(_)
            | ToolError::NotFound { .. }
            | ToolError::Ambiguous { .. }
            | ToolError::UnknownTask
            | ToolError::Write(WriteError::NoSuchQueue { .. })
            | ToolError::Write(WriteError::RunInputInvalid { .. })
            | ToolError::Prefect {
                source: PrefectError::NotFound { .. },
                ..
            } => ErrorData::invalid_params(message, None),
            _ => ErrorData::internal_error(message, None),
        }
    }

    /// The text the client sees.
    pub fn message(&self) -> String {
        match self {
            ToolError::InvalidArgument(error) => format!("Invalid arguments: {}", argument(error)),
            ToolError::Prefect { action, source } => describe(action, source),
            ToolError::UnexpectedAnswer { action, problem } => format!(
                "Prefect's answer could not be used while {action}: {problem}. The server may \
                 run a Prefect version this client does not support."
            ),
            ToolError::NotFound { kind, name } => format!(
                "Not found: there is no {} named {name:?}. {}",
                kind.noun(),
                kind.where_to_look()
            ),
            ToolError::Ambiguous { kind, name, ids } => format!(
                "More than one {} is named {name:?} (ids {}); pass the id instead.",
                kind.noun(),
                ids.join(", ")
            ),
            ToolError::CancelRefused {
                flow_run_id,
                status,
                reason,
            } => format!(
                "Flow run {flow_run_id} was not cancelled: Prefect answered {status}: {}",
                reason.as_deref().unwrap_or("no reason given")
            ),
            ToolError::WaitCancelled { flow_run_id } => format!(
                "Stopped waiting for flow run {flow_run_id}: the request was cancelled. The run \
                 goes on; cancel_flow_run stops it."
            ),
            ToolError::AnswerTooLarge { bytes, limit } => format!(
                "The answer would be {} KB, over the {} KB this server returns even after \
                 shortening its lists. Ask for less: a smaller limit, a narrower filter, or \
                 detail: false.",
                bytes / 1024,
                limit / 1024
            ),
            ToolError::AmbiguousChoice {
                what,
                candidates,
                more,
            } => {
                let mut text = format!(
                    "Ambiguous: {what} matches {} objects, and this client cannot be asked which \
                     one is meant (it does not support elicitation). Pass the id of the one you \
                     mean:",
                    candidates.len() + more
                );
                for candidate in candidates {
                    text.push_str("\n- ");
                    text.push_str(candidate);
                }
                if *more > 0 {
                    text.push_str(&format!("\n- ... and {more} more"));
                }
                text
            }
            ToolError::NotFoundClose { what, close } => format!(
                "Not found: there is no {what}. Close names: {}. Pass the exact \
                 \"flow_name/deployment_name\" or the id.",
                close.join("; ")
            ),
            ToolError::MissingParameters {
                deployment,
                missing,
            } => {
                let list: Vec<String> = missing
                    .iter()
                    .map(|(name, type_)| format!("{name} ({type_})"))
                    .collect();
                let example: Vec<String> = missing
                    .iter()
                    .map(|(name, _)| format!("\"{name}\": ..."))
                    .collect();
                format!(
                    "Missing parameters: deployment {deployment} requires {} without a default; \
                     no flow run was created. Pass them in `parameters`, e.g. {{{}}}.",
                    list.join(", "),
                    example.join(", ")
                )
            }
            ToolError::Declined {
                question,
                answer,
                outcome,
            } => format!("The request for {question} was {answer}: {outcome}"),
            ToolError::BadAnswer { question, detail } => {
                format!("The answer to the request for {question} cannot be used: {detail}")
            }
            ToolError::AskFailed { question, message } => format!(
                "Asking the client for {question} failed ({message}); nothing was done. Call \
                 the tool again, giving it explicitly."
            ),
            ToolError::RequestState { reason } => format!(
                "The requestState sent with this call was rejected ({reason}): it was altered, \
                 sealed by a server with another key (replicas must share \
                 PREFECT_MCP_REQUEST_STATE_KEY), or is too old. Call the tool again without \
                 requestState and inputResponses to be asked afresh."
            ),
            ToolError::InputRequired => "The client was asked for input.".into(),
            ToolError::TaskStarted => "The wait goes on as a task.".into(),
            ToolError::UnknownTask => "Unknown task: no task of yours has this id (it may have \
                                       expired). Call the tool again for a new one."
                .into(),
            ToolError::Write(error) => error.message(),
            ToolError::UnknownStateName {
                name,
                suggestions,
                known,
                names_from,
            } => unknown_state_name(name, suggestions, known, names_from),
        }
    }

    /// As the client sees a failed call: a result with `isError` and this error's text.
    pub fn into_result(self) -> CallToolResult {
        CallToolResult::error(self.into_contents())
    }

    /// The argument error that [`decode_error`] put into an rmcp `ErrorData`, if it is one.
    pub fn from_argument_error(error: &rmcp::ErrorData) -> Option<ToolError> {
        let data = error.data.as_ref()?;
        let path = data.get(ARGUMENT_ERROR_MARKER)?.as_str()?.to_string();
        Some(ToolError::InvalidArgument(ArgumentError::Decode {
            path,
            problem: error.message.to_string(),
        }))
    }
}

/// The `ErrorData` our argument decoder returns to rmcp for arguments that do not decode; the
/// dispatch recognises it ([`ToolError::from_argument_error`]) and words it here.
pub fn decode_error(path: String, problem: String) -> rmcp::ErrorData {
    rmcp::ErrorData::invalid_params(problem, Some(json!({ ARGUMENT_ERROR_MARKER: path })))
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for ToolError {}

impl IntoContents for ToolError {
    fn into_contents(self) -> Vec<ContentBlock> {
        // The tool's span (opened by the dispatch) records what kind of failure this was. A
        // wait handed to a task is no failure: its line says `outcome=task` alone.
        if !matches!(self, ToolError::TaskStarted) {
            tracing::Span::current().record("error_kind", self.kind());
        }
        vec![ContentBlock::text(self.message())]
    }
}

#[cfg(test)]
mod tests;
