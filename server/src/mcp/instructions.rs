//! What the model is told about the tools, once, at initialisation.

/// How the model should use the tools; sent once at initialisation.
pub const INSTRUCTIONS: &str = "\
Tools for a Prefect 3 server: flows, flow runs and deployments.
- Ids are UUIDs. Names: get_flow_by_name takes the flow's exact name; deployments are named \
\"flow_name/deployment_name\" (list_deployments shows both parts).
- States: state_type is one of SCHEDULED, PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, \
CRASHED, PAUSED, CANCELLING; state_name is the display name (\"Late\" is a SCHEDULED run past its \
time). A failed run's state.message carries the exception.
- Lists return {<items>, count}; limit is 1-200 (default 20) and offset pages further.
- filter_* tools take Prefect's filter JSON, either the REST body ({\"flows\": ..., \"flow_runs\": \
..., \"deployments\": ..., \"sort\": ..., \"limit\": ..., \"offset\": ...}) or the bare filter of the \
tool's entity. Operators: any_, not_any_, all_, like_ (case-insensitive contains), eq_, is_null_, \
before_/after_, operator and_/or_. Unknown keys are rejected, never ignored.
- search_deployments_by_status: an active schedule means the deployment is not paused.
- create_flow_run_from_deployment returns at once with timeout 0; with timeout > 0 it waits for \
a final state (COMPLETED, FAILED, CANCELLED, CRASHED) and says whether it timed out. \
cancel_flow_run moves a run to CANCELLING; its worker then stops it. wait_for_flow_run waits for \
a run started elsewhere.
- Ambiguous run names, deployment names that match nothing but come close, and required run \
parameters without a default are asked of the user when the client supports elicitation; \
otherwise the error lists the candidates or the missing parameters.
- Writes: delete_flow_run, delete_variable, set_flow_run_state and cancel_flow_runs ask the user \
to confirm first; declined, nothing changes. A client that cannot ask gets an error saying what \
would have happened. resume_flow_run asks for the input a paused run waits for.";
