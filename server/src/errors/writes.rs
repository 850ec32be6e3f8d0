//! The wording of the write tools' failures: refusals by Prefect's orchestration, runs in the
//! wrong state, and changes a person had to confirm but could not be asked about.

/// Flag and variable with which an operator allows destructive calls without confirmation.
pub const ALLOW_UNCONFIRMED_FLAG: &str = "--allow-unconfirmed-writes";
pub const ALLOW_UNCONFIRMED_ENV: &str = "PREFECT_MCP_ALLOW_UNCONFIRMED_WRITES";

#[derive(Debug)]
pub enum WriteError {
    /// Prefect's orchestration did not accept the state change (REJECT, ABORT, WAIT).
    StateRefused {
        flow_run_id: String,
        wanted: String,
        status: String,
        reason: Option<String>,
    },
    /// retry_flow_run on a run that has not finished, or that no deployment would run again.
    NotRetriable {
        flow_run_id: String,
        state: String,
        has_deployment: bool,
    },
    /// resume_flow_run on a run that is not PAUSED.
    NotPaused { flow_run_id: String, state: String },
    /// `run_input` for a paused run that waits for no input.
    NoInputWanted { flow_run: String },
    /// The run has just paused and has not stored the form of the input it waits for yet.
    InputFormPending { flow_run: String },
    /// The paused run waits for input and the client cannot be shown a form (or a field is one
    /// a form cannot hold): each field, to pass as `run_input`.
    RunInputRequired {
        flow_run: String,
        fields: Vec<String>,
    },
    /// `run_input` that does not fit the run's input schema.
    RunInputInvalid {
        flow_run: String,
        problems: Vec<String>,
        fields: Vec<String>,
    },
    /// A work queue that is not in the pool; `queues` are the pool's.
    NoSuchQueue {
        pool: String,
        name: String,
        queues: Vec<String>,
    },
    /// A destructive change that needs a person's confirmation, and a client that cannot be
    /// asked; `action` says exactly what would have happened.
    ConfirmationRequired { action: String },
}

impl WriteError {
    pub fn kind(&self) -> &'static str {
        match self {
            WriteError::StateRefused { .. } => "state_refused",
            WriteError::NotRetriable { .. } => "not_retriable",
            WriteError::NotPaused { .. } => "not_paused",
            WriteError::NoInputWanted { .. } => "no_input_wanted",
            WriteError::InputFormPending { .. } => "input_form_pending",
            WriteError::RunInputRequired { .. } => "run_input_required",
            WriteError::RunInputInvalid { .. } => "run_input_invalid",
            WriteError::NoSuchQueue { .. } => "no_such_queue",
            WriteError::ConfirmationRequired { .. } => "confirmation_required",
        }
    }

    /// Whether the caller got something wrong (rather than Prefect or the situation).
    pub fn is_callers(&self) -> bool {
        matches!(
            self,
            WriteError::NoInputWanted { .. }
                | WriteError::RunInputInvalid { .. }
                | WriteError::NoSuchQueue { .. }
        )
    }

    pub fn message(&self) -> String {
        match self {
            WriteError::StateRefused {
                flow_run_id,
                wanted,
                status,
                reason,
            } => format!(
                "Flow run {flow_run_id} was not moved to {wanted}: Prefect answered {status}: {}. \
                 Nothing was changed.",
                reason.as_deref().unwrap_or("no reason given")
            ),
            WriteError::NotRetriable {
                flow_run_id,
                state,
                has_deployment,
            } if *has_deployment => format!(
                "Flow run {flow_run_id} is {state}: only a finished run (COMPLETED, FAILED, \
                 CANCELLED, CRASHED) can be retried. Wait for it (wait_for_flow_run) or cancel \
                 it first."
            ),
            WriteError::NotRetriable { flow_run_id, .. } => format!(
                "Flow run {flow_run_id} has no deployment, so no worker would run it again: \
                 only a deployment's runs can be retried. Start a new run of its flow instead."
            ),
            WriteError::NotPaused { flow_run_id, state } => format!(
                "Flow run {flow_run_id} is not paused (it is {state}): only a PAUSED run can be \
                 resumed."
            ),
            WriteError::InputFormPending { flow_run } => format!(
                "Flow run {flow_run} has just paused and has not stored the form of the input \
                 it waits for yet: call resume_flow_run again in a few seconds. Nothing was \
                 changed."
            ),
            WriteError::NoInputWanted { flow_run } => format!(
                "Flow run {flow_run} is paused without waiting for input: call resume_flow_run \
                 without run_input."
            ),
            WriteError::RunInputRequired { flow_run, fields } => format!(
                "Flow run {flow_run} waits for input, and this client cannot be shown a form \
                 (it does not support elicitation); the run stays paused. Pass run_input with \
                 its fields: {}.",
                fields.join("; ")
            ),
            WriteError::RunInputInvalid {
                flow_run,
                problems,
                fields,
            } => format!(
                "Invalid arguments: run_input does not fit what flow run {flow_run} waits for: \
                 {}. Its fields: {}. The run stays paused.",
                problems.join("; "),
                fields.join("; ")
            ),
            WriteError::NoSuchQueue { pool, name, queues } => format!(
                "Not found: work pool {pool:?} has no queue named {name:?}; its queues are: {}.",
                if queues.is_empty() {
                    "none".to_string()
                } else {
                    queues.join(", ")
                }
            ),
            WriteError::ConfirmationRequired { action } => format!(
                "Not done: this change needs a person's confirmation, and this client cannot ask \
                 (it does not support elicitation), so nothing was changed. It would have been: \
                 {action} An operator can allow destructive calls without confirmation by \
                 starting the server with {ALLOW_UNCONFIRMED_FLAG} \
                 ({ALLOW_UNCONFIRMED_ENV}=true)."
            ),
        }
    }
}
