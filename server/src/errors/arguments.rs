//! Bad arguments: what was wrong and what is valid, worded before any request is sent.

use super::ToolError;
use crate::output::{ARTIFACT_TYPES, LOG_LEVELS, STATE_TYPES};

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
    /// Neither an artifact's UUID nor a key (lowercase letters, digits and dashes).
    NotAnArtifactKey {
        value: String,
    },
    UnknownArtifactType {
        value: String,
    },
    /// Neither a block's UUID nor "type-slug/name".
    NotABlockName {
        value: String,
    },
    /// A concurrency limit name with a character Prefect refuses.
    BadLimitName {
        value: String,
        character: char,
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
    /// `--per-request-auth required` and the request carries no Prefect credentials.
    CredentialsRequired {
        headers: [&'static str; 2],
    },
    /// A write tool called by an OAuth caller whose token lacks the write scope.
    NeedsScope {
        tool: String,
        scope: &'static str,
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
    /// `resources/subscribe` (2025 era) on stateless HTTP: no session carries its updates.
    SubscribeNeedsSession,
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
    /// An update without a field to change; `fields` are the ones it takes, in words.
    NothingToUpdate {
        fields: &'static str,
    },
    /// A text longer than Prefect takes.
    TooLong {
        field: &'static str,
        max: usize,
        got: usize,
    },
    /// A variable value of `null`, which Prefect does not store.
    NullVariableValue,
    /// Parameters whose values do not fit the flow's types: (name, expected type).
    WrongParameterTypes {
        deployment: String,
        wrong: Vec<(String, String)>,
    },
    /// set_flow_run_state to CANCELLING, which is cancel_flow_run's job.
    UseCancelTool,
    /// cancel_flow_runs with nothing to select runs by.
    NoBulkCriteria,
    /// cancel_flow_runs for a final state type.
    CannotCancelFinished {
        state: String,
    },
}

impl From<ArgumentError> for ToolError {
    fn from(error: ArgumentError) -> Self {
        ToolError::InvalidArgument(error)
    }
}

fn at(path: &str) -> String {
    if path.is_empty() || path == "." {
        String::new()
    } else {
        format!("{path}: ")
    }
}

pub(super) fn argument(error: &ArgumentError) -> String {
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
        ArgumentError::NotAnArtifactKey { value } => format!(
            "artifact {value:?} is neither an artifact UUID nor an artifact key; keys are \
             lowercase letters, digits and dashes, e.g. \"sales-report\" (list_artifacts shows \
             them)"
        ),
        ArgumentError::UnknownArtifactType { value } => format!(
            "type {value:?} is not an artifact type; valid types are {} (link artifacts are \
             markdown)",
            ARTIFACT_TYPES.join(", ")
        ),
        ArgumentError::NotABlockName { value } => format!(
            "block {value:?} is neither a block UUID nor \"type-slug/name\"; a slug is \
             lowercase letters, digits and dashes, e.g. \"s3-bucket/prod-data\" (list_blocks \
             shows both parts)"
        ),
        ArgumentError::BadLimitName { value, character } => format!(
            "concurrency limit name {value:?} has {character:?}, which Prefect does not allow \
             in a limit name; a name may hold anything but / % & > <"
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
        ArgumentError::CredentialsRequired {
            headers: [key, auth_string],
        } => format!(
            "this server needs your own Prefect credentials on every request: send your API key \
             in the {key} header (or user:password in {auth_string})"
        ),
        ArgumentError::NeedsScope { tool, scope } => format!(
            "{tool} changes Prefect and needs the {scope} scope, which your access token was not \
             granted: sign in again asking for it"
        ),
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
        ArgumentError::SubscribeNeedsSession => "resources/subscribe needs a session to carry \
             its updates, and this server is stateless (--stateless); open subscriptions/listen \
             (protocol 2026-07-28) instead, whose own request carries them, or read the \
             resource again"
            .into(),
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
        ArgumentError::NothingToUpdate { fields } => {
            format!("nothing to change: give at least one of {fields}")
        }
        ArgumentError::TooLong { field, max, got } => {
            format!("{field} must be at most {max} characters, got {got}")
        }
        ArgumentError::NullVariableValue => "value must not be null: a variable holds a \
            string, number, boolean, object or list (delete_variable removes one)"
            .into(),
        ArgumentError::WrongParameterTypes { deployment, wrong } => {
            let list: Vec<String> = wrong
                .iter()
                .map(|(name, expected)| format!("{name} ({expected})"))
                .collect();
            format!(
                "deployment {deployment:?} takes other types for: {}",
                list.join(", ")
            )
        }
        ArgumentError::UseCancelTool => "state CANCELLING is how a run is cancelled: use \
            cancel_flow_run (its worker then stops it), or CANCELLED to force the end state"
            .into(),
        ArgumentError::NoBulkCriteria => "give at least one of deployment, state or \
            filter_criteria: cancel_flow_runs never cancels every run at once"
            .into(),
        ArgumentError::CannotCancelFinished { state } => format!(
            "state {state} is a final state: finished runs cannot be cancelled; use an \
             unfinished one (SCHEDULED, PENDING, RUNNING, PAUSED) or omit state"
        ),
    }
}
