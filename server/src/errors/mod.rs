//! The one place where failures are worded and become MCP tool errors.
//!
//! Tools return `Result<_, ToolError>`; the call seam turns the `Err` side into a result with
//! `isError: true` whose text is [`ToolError::message`] (`Display` is the same text). Tools only
//! say what went wrong, as a variant with its facts, and what they were doing (`doing`); every
//! sentence a user reads is written here, naming the object, the cause and what to do about it.
//! Messages never contain credentials: the client's errors carry URLs without user info, and
//! no message here quotes a header's value.

use std::fmt;

use prefect_api::PrefectError;
use rmcp::model::{ContentBlock, IntoContents};
use rmcp::ErrorData;
use serde_json::json;

use crate::output::{LOG_LEVELS, STATE_TYPES};

/// The marker our argument decoder puts on the `ErrorData` it must return to rmcp, so that the
/// call seam can turn it back into a [`ToolError`] instead of a protocol error.
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
    /// The answer would exceed the size bound even after shortening its lists.
    AnswerTooLarge { bytes: usize },
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
    /// A search by state name found nothing because no run has been in a state of that name
    /// (names are exact): `known` are the names that exist, `suggestions` the likely ones.
    UnknownStateName {
        name: String,
        suggestions: Vec<String>,
        known: Vec<String>,
        names_from: StateNameSource,
    },
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
}

impl ObjectKind {
    fn noun(self) -> &'static str {
        match self {
            ObjectKind::FlowRun => "flow run",
            ObjectKind::Automation => "automation",
        }
    }

    fn where_to_look(self) -> &'static str {
        match self {
            ObjectKind::FlowRun => {
                "Names are exact; pass the run's id, or find it with list_flow_runs or \
                 search_flow_runs_by_state."
            }
            ObjectKind::Automation => "Names are exact; list_automations shows them.",
        }
    }
}

/// A bad argument, with the facts needed to say what is valid.
#[derive(Debug, Clone, PartialEq)]
pub enum ArgumentError {
    /// The arguments did not decode: a missing, misspelt or mistyped argument. `path` is where
    /// (`limit`, `parameters.x`), empty for the object itself.
    Decode {
        path: String,
        problem: String,
    },
    NotAUuid {
        field: &'static str,
        value: String,
        /// Where to go instead, e.g. the by-name tool; may be empty.
        hint: &'static str,
    },
    OutOfRange {
        field: &'static str,
        min: i64,
        max: i64,
        got: i64,
        /// Why the range is what it is, or what to do instead; may be empty.
        hint: &'static str,
    },
    NegativeOffset {
        got: i64,
    },
    Blank {
        field: &'static str,
    },
    UnknownStateType {
        value: String,
    },
    UnknownLogLevel {
        value: String,
    },
    NotADeploymentName {
        value: String,
    },
    NotADeploymentIdOrName {
        value: String,
    },
    UnknownParameters {
        deployment: String,
        unknown: Vec<String>,
        valid: Vec<String>,
    },
    NotATimestamp {
        field: &'static str,
        value: String,
        problem: String,
    },
    BareUuidResource {
        value: String,
    },
    SinceAfterUntil {
        since: String,
        until: String,
    },
    FilterMixesKeys {
        entity: &'static str,
        body_keys: Vec<String>,
        other_keys: Vec<String>,
        valid: Vec<&'static str>,
    },
    FilterLimitNotANumber {
        value: String,
    },
    /// A filter key or operator Prefect does not have; `path` is where.
    FilterDecode {
        path: String,
        problem: String,
    },
    /// An HTTP header meant to carry credentials is not text.
    HeaderNotText {
        header: &'static str,
    },
    /// A resource URI that names nothing this server serves; `valid` lists what it serves.
    UnknownResource {
        uri: String,
        valid: String,
    },
    /// A resource of a toolset that `--toolsets` left out.
    ToolsetNotOffered {
        uri: String,
        toolset: &'static str,
    },
    /// A flow-run resource URI whose id is not a UUID.
    NotAFlowRunId {
        uri: String,
        value: String,
    },
    /// A subscription to a resource that does not change on its own.
    NotSubscribable {
        uri: String,
    },
    /// A subscription past the per-session cap.
    TooManySubscriptions {
        max: usize,
    },
    /// A task past the per-session cap.
    TooManyTasks {
        max: usize,
    },
    /// A name that would be a path in Prefect's URL (`.`, `..`, or with a separator), which
    /// could reach another of Prefect's routes.
    NotAName {
        field: &'static str,
        value: String,
    },
    /// A prompt or template argument without completions; `valid` lists those with.
    NotCompletable {
        what: String,
        valid: Vec<String>,
    },
    /// A prompt's `hours` that is not a whole number in range.
    NotWholeHours {
        value: String,
        max: i64,
    },
}

impl From<ArgumentError> for ToolError {
    fn from(error: ArgumentError) -> Self {
        ToolError::InvalidArgument(error)
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
            ToolError::AnswerTooLarge { bytes } => format!(
                "The answer would be {} KB, over the {} KB this server returns even after \
                 shortening its lists. Ask for less: a smaller limit, a narrower filter, or \
                 detail: false.",
                bytes / 1024,
                crate::output::bound::MAX_RESULT_BYTES / 1024
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
            ToolError::UnknownStateName {
                name,
                suggestions,
                known,
                names_from,
            } => unknown_state_name(name, suggestions, known, names_from),
        }
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
/// call seam recognises it ([`ToolError::from_argument_error`]) and words it here.
pub fn decode_error(path: String, problem: String) -> rmcp::ErrorData {
    rmcp::ErrorData::invalid_params(problem, Some(json!({ ARGUMENT_ERROR_MARKER: path })))
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for ToolError {}

fn unknown_state_name(
    name: &str,
    suggestions: &[String],
    known: &[String],
    names_from: &StateNameSource,
) -> String {
    let quoted = |names: &[String]| {
        names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (what, list) = match names_from {
        StateNameSource::Observed => (
            format!(
                "No flow or task run has been in a state named \"{name}\" (checked against the \
                 state names in this server's retained run history, GET /observed-states)."
            ),
            "The names that occurred are",
        ),
        StateNameSource::Standard => (
            format!(
                "\"{name}\" is not one of Prefect's state names (this server predates Prefect \
                 3.9's GET /observed-states, so it was checked against Prefect's standard names)."
            ),
            "The standard names are",
        ),
    };
    let hint = if suggestions.is_empty() {
        String::new()
    } else {
        format!(
            " Did you mean {}?",
            quoted(suggestions).replace(", \"", " or \"")
        )
    };
    format!(
        "{what}{hint} State names are exact and case-sensitive; state_type (FAILED, ...) is \
         case-insensitive. {list}: {}.",
        quoted(known)
    )
}

fn at(path: &str) -> String {
    if path.is_empty() || path == "." {
        String::new()
    } else {
        format!("{path}: ")
    }
}

fn argument(error: &ArgumentError) -> String {
    match error {
        ArgumentError::Decode { path, problem } => format!("{}{problem}", at(path)),
        ArgumentError::NotAUuid { field, value, hint } => format!(
            "{field} must be a UUID such as 2f9a6c1e-8d3b-4a8e-9c55-0d1e2f3a4b5c, got {value:?}.{}",
            if hint.is_empty() {
                String::new()
            } else {
                format!(" {hint}")
            }
        ),
        ArgumentError::OutOfRange {
            field,
            min,
            max,
            got,
            hint,
        } => format!(
            "{field} must be between {min} and {max}, got {got}.{}",
            if hint.is_empty() {
                String::new()
            } else {
                format!(" {hint}")
            }
        ),
        ArgumentError::NegativeOffset { got } => format!("offset must be 0 or more, got {got}"),
        ArgumentError::Blank { field } => format!("{field} must not be empty"),
        ArgumentError::UnknownStateType { value } => format!(
            "state_type {value:?} is not a Prefect state type; valid types are {}. \
             (Display names such as \"Late\" are state names: use state_name for those.)",
            STATE_TYPES.join(", ")
        ),
        ArgumentError::UnknownLogLevel { value } => format!(
            "level {value:?} is not a log level; valid levels are {} (each includes the levels \
             above it)",
            LOG_LEVELS.map(|(name, _)| name).join(", ")
        ),
        ArgumentError::NotADeploymentName { value } => format!(
            "deployment name {value:?} must have the form \"flow_name/deployment_name\", for \
             example \"etl/nightly\" (list_deployments shows flow_name and name of each)"
        ),
        ArgumentError::NotADeploymentIdOrName { value } => format!(
            "deployment_id {value:?} is neither a UUID nor a name of the form \
             \"flow_name/deployment_name\" (e.g. \"etl/nightly\")"
        ),
        ArgumentError::UnknownParameters {
            deployment,
            unknown,
            valid,
        } => format!(
            "deployment {deployment:?} has no parameter named {}; its parameters are: {}",
            unknown.join(", "),
            if valid.is_empty() {
                "none".to_string()
            } else {
                valid.join(", ")
            }
        ),
        ArgumentError::NotATimestamp {
            field,
            value,
            problem,
        } => format!(
            "{field} must be an RFC 3339 timestamp with a time zone, such as \
             2025-05-01T12:00:00Z or 2025-05-01T14:00:00+02:00; got {value:?} ({problem})"
        ),
        ArgumentError::BareUuidResource { value } => format!(
            "resource_id {value:?} is a bare UUID; events name resources with their kind, e.g. \
             \"prefect.flow-run.{value}\", \"prefect.deployment.{value}\" or \
             \"prefect.flow.{value}\""
        ),
        ArgumentError::SinceAfterUntil { since, until } => {
            format!("since ({since}) is after until ({until}); since must be the earlier time")
        }
        ArgumentError::FilterMixesKeys {
            entity,
            body_keys,
            other_keys,
            valid,
        } => format!(
            "filter_criteria mixes top-level keys of Prefect's filter body ({}) with other keys \
             ({}). Valid top-level keys are: {}. Put {entity} filter fields under \"{entity}\", \
             or pass only the {entity} filter.",
            body_keys.join(", "),
            other_keys.join(", "),
            valid.join(", "),
        ),
        ArgumentError::FilterLimitNotANumber { value } => {
            format!("filter_criteria.limit must be a whole number from 1 to 200, got {value}")
        }
        ArgumentError::FilterDecode { path, problem } => {
            let path = if path.is_empty() || path == "." {
                String::new()
            } else {
                format!(".{path}")
            };
            format!("filter_criteria{path}: {problem}")
        }
        ArgumentError::HeaderNotText { header } => {
            format!("the {header} header is not valid text")
        }
        ArgumentError::UnknownResource { uri, valid } => {
            format!("there is no resource {uri:?}; this server serves {valid}")
        }
        ArgumentError::ToolsetNotOffered { uri, toolset } => format!(
            "{uri:?} belongs to the toolset \"{toolset}\", which this server does not offer \
             (--toolsets)"
        ),
        ArgumentError::NotAFlowRunId { uri, value } => format!(
            "{uri:?}: {value:?} is not a flow run id (a UUID); resources/list and completion \
             offer recent runs' ids"
        ),
        ArgumentError::NotSubscribable { uri } => format!(
            "{uri:?} cannot be subscribed to: only flow runs (prefect://flow-runs/{{id}}) change \
             on their own"
        ),
        ArgumentError::TooManySubscriptions { max } => format!(
            "this session already watches {max} flow runs, the most one session may (one Prefect \
             request polls them all); unsubscribe from runs you no longer need (finished runs \
             leave on their own)"
        ),
        ArgumentError::TooManyTasks { max } => format!(
            "this session already runs {max} tasks, the most one session may; wait for one to \
             finish or cancel one (tasks/cancel), or call without a task to wait in the call"
        ),
        ArgumentError::NotAName { field, value } => format!(
            "{field} {value:?} is not a name: \".\", \"..\" and names containing \"/\" or \"\\\" \
             are refused, as they would address another part of Prefect's API"
        ),
        ArgumentError::NotCompletable { what, valid } => format!(
            "{what} has no completions; the completable arguments are: {}",
            valid.join(", ")
        ),
        ArgumentError::NotWholeHours { value, max } => {
            format!("hours must be a whole number of hours from 1 to {max}, got {value:?}")
        }
    }
}

fn describe(action: &str, error: &PrefectError) -> String {
    match error {
        PrefectError::NotFound { message } => format!(
            "Not found while {action}: Prefect says \"{message}\". Check the id or name \
             (the list_* and search_* tools show what exists)."
        ),
        PrefectError::Validation { status, message } => {
            format!("Prefect rejected the request while {action} ({status}): {message}")
        }
        PrefectError::Unauthorized { status, message } => format!(
            "Prefect refused the credentials while {action} ({status}: {message}). Check \
             PREFECT_API_KEY (Prefect Cloud) or PREFECT_API_AUTH_STRING (a server with basic \
             auth), or the active Prefect profile."
        ),
        PrefectError::Unreachable { url, message } => format!(
            "Cannot reach Prefect at {url} while {action} ({message}). Is the Prefect server \
             running? Set PREFECT_API_URL to its API URL, e.g. http://127.0.0.1:4200/api."
        ),
        PrefectError::Timeout { url, .. } => format!(
            "Prefect at {url} did not answer in time while {action}. The server may be \
             overloaded; try again, or raise the timeout (--timeout / PREFECT_MCP_TIMEOUT_SECONDS)."
        ),
        PrefectError::Server { status, message } => format!(
            "Prefect failed while {action} ({status}): {message}. This is a server-side \
             problem; try again later."
        ),
        PrefectError::Decode { message } => format!(
            "Prefect's answer could not be understood while {action}: {message}. The server \
             may run a Prefect version this client does not support."
        ),
        PrefectError::ResponseTooLarge { message } => format!(
            "Prefect's answer was too large while {action} ({message}). Ask for less: a smaller \
             limit or a narrower filter."
        ),
        PrefectError::InvalidConfig { message } | PrefectError::Request { message } => {
            format!("Could not send the request while {action}: {message}")
        }
    }
}

impl IntoContents for ToolError {
    fn into_contents(self) -> Vec<ContentBlock> {
        // The tool's span (opened by the call seam) records what kind of failure this was.
        tracing::Span::current().record("error_kind", self.kind());
        vec![ContentBlock::text(self.message())]
    }
}

/// Attach what the tool was doing to a client error: `call.await.doing("reading flow x")?`.
pub trait Doing<T> {
    fn doing(self, action: impl Into<String>) -> Result<T, ToolError>;
    /// Like `doing`, where Prefect's 404 means "there is none" rather than a failure (a deleted
    /// deployment, an endpoint an older server lacks).
    fn doing_or_none(self, action: impl Into<String>) -> Result<Option<T>, ToolError>;
}

impl<T> Doing<T> for Result<T, PrefectError> {
    fn doing(self, action: impl Into<String>) -> Result<T, ToolError> {
        self.map_err(|source| ToolError::Prefect {
            action: action.into(),
            source,
        })
    }

    fn doing_or_none(self, action: impl Into<String>) -> Result<Option<T>, ToolError> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(PrefectError::NotFound { .. }) => Ok(None),
            Err(source) => Err(ToolError::Prefect {
                action: action.into(),
                source,
            }),
        }
    }
}

/// Whether `error` is Prefect's 404, for callers that hold a `ToolError` already.
pub fn is_not_found(error: &ToolError) -> bool {
    matches!(
        error,
        ToolError::Prefect {
            source: PrefectError::NotFound { .. },
            ..
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_state_name_says_where_the_names_came_from_and_suggests() {
        let known = vec!["Completed".to_string(), "Late".to_string()];
        let observed = ToolError::UnknownStateName {
            name: "late".into(),
            suggestions: vec!["Late".into()],
            known: known.clone(),
            names_from: StateNameSource::Observed,
        }
        .message();
        assert!(observed.contains("No flow or task run has been in a state named \"late\""));
        assert!(observed.contains("Did you mean \"Late\"?"), "{observed}");
        assert!(
            observed.contains("occurred are: \"Completed\", \"Late\"."),
            "{observed}"
        );
        let standard = ToolError::UnknownStateName {
            name: "Faild".into(),
            suggestions: vec!["Failed".into(), "Cancelled".into()],
            known,
            names_from: StateNameSource::Standard,
        }
        .message();
        assert!(standard.contains("standard names"), "{standard}");
        assert!(
            standard.contains("Did you mean \"Failed\" or \"Cancelled\"?"),
            "{standard}"
        );
    }

    #[test]
    fn unreachable_names_url_and_fix() {
        let err = ToolError::Prefect {
            action: "listing flows".into(),
            source: PrefectError::Unreachable {
                url: "http://127.0.0.1:9/api/flows/filter".into(),
                message: "Connection refused".into(),
            },
        };
        let text = err.message();
        assert!(text.contains("http://127.0.0.1:9/api"), "{text}");
        assert!(text.contains("PREFECT_API_URL"), "{text}");
        assert_eq!(err.to_string(), text, "Display and message() agree");
    }

    #[test]
    fn unauthorized_points_at_credentials() {
        let err = ToolError::Prefect {
            action: "listing flows".into(),
            source: PrefectError::Unauthorized {
                status: 401,
                message: "Unauthorized".into(),
            },
        };
        assert!(err.message().contains("PREFECT_API_KEY"));
        assert_eq!(err.kind(), "prefect_unauthorized");
    }

    #[test]
    fn argument_errors_survive_the_trip_through_rmcp() {
        let data = decode_error("limit".into(), "invalid type: string \"5\"".into());
        let error = ToolError::from_argument_error(&data).expect("ours");
        assert_eq!(
            error.message(),
            "Invalid arguments: limit: invalid type: string \"5\""
        );
        let foreign = rmcp::ErrorData::invalid_params("tool not found", None);
        assert!(ToolError::from_argument_error(&foreign).is_none());
    }

    #[test]
    fn not_found_means_none_only_for_404() {
        let none: Result<Option<()>, _> = Err::<(), _>(PrefectError::NotFound {
            message: "gone".into(),
        })
        .doing_or_none("reading");
        assert!(matches!(none, Ok(None)));
        let failed = Err::<(), _>(PrefectError::Server {
            status: 500,
            message: "boom".into(),
        })
        .doing_or_none("reading");
        assert!(failed.is_err());
    }
}
