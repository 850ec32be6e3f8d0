//! Flow run write tools (toolset flow_runs): retry_flow_run, set_flow_run_state,
//! delete_flow_run, resume_flow_run, cancel_flow_runs. What cannot be undone, or touches many
//! runs, is confirmed by the user first (`crate::mcp::ask::confirm`).

use rmcp::service::RequestContext;
use rmcp::{tool, tool_router, Json, RoleServer};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::args::{self, Parameters};
use super::filter::flow_run_selection;
use crate::errors::{ArgumentError, ToolError, WriteError};
use crate::mcp::ask::{confirm, resolve, run_input, Asker};
use crate::mcp::audit;
use crate::mcp::declarations::Declaration;
use crate::mcp::server::McpServer;
use crate::output::{
    quoted, BulkCancelled, Deleted, FlowRunChanged, FlowRunView, FINAL_STATE_TYPES,
};
use crate::prefect::parameters;

pub(crate) const DECLARED: &[Declaration] = &[
    Declaration::writes("retry_flow_run"),
    Declaration::destroys("set_flow_run_state").idempotent(),
    Declaration::destroys("delete_flow_run"),
    Declaration::writes("resume_flow_run"),
    Declaration::destroys("cancel_flow_runs").idempotent(),
];

/// Unfinished states: what cancel_flow_runs cancels when no state is given.
const UNFINISHED: [&str; 4] = ["SCHEDULED", "PENDING", "RUNNING", "PAUSED"];
/// How many run names a bulk confirmation lists.
const NAMES_SHOWN: usize = 5;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowRunArgs {
    /// Flow run UUID or name.
    pub flow_run: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetStateArgs {
    /// Flow run UUID or name.
    pub flow_run: String,
    /// State type: COMPLETED, FAILED, CANCELLED, CRASHED, SCHEDULED, PENDING, RUNNING, PAUSED.
    pub state: String,
    /// Why; kept on the state.
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResumeArgs {
    /// Flow run UUID or name.
    pub flow_run: String,
    /// The input a run paused with wait_for_input waits for (else asked with a form).
    #[serde(default)]
    pub run_input: Option<Map<String, Value>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRunsArgs {
    /// Deployment UUID or "flow_name/deployment_name".
    #[serde(default)]
    pub deployment: Option<String>,
    /// State type (default: all unfinished).
    #[serde(default)]
    pub state: Option<String>,
    /// More criteria, as filter_flow_runs takes them.
    #[serde(default)]
    pub filter_criteria: Option<Map<String, Value>>,
}

/// How a confirmation names a run: "nightly-42" (FAILED, 2026-11-30 02:00 UTC), the name
/// quoted so that it cannot pass for the words around it.
pub(super) fn described(run: &FlowRunView) -> String {
    let state = run.state.as_ref().map_or("no state", |s| s.type_.as_str());
    let when = run
        .start_time
        .or(run.expected_start_time)
        .map(|t| format!(", {}", t.format("%Y-%m-%d %H:%M UTC")))
        .unwrap_or_default();
    // A state type is one upper-case word; anything else Prefect sends is quoted like a name.
    let state = if !state.is_empty() && state.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
        state.to_string()
    } else {
        quoted(state)
    };
    format!(
        "{} ({state}{when})",
        quoted(run.name.as_deref().unwrap_or("unnamed"))
    )
}

/// The ids a confirmation's "yes" covers.
fn ids(runs: &[FlowRunView]) -> Vec<String> {
    runs.iter().map(|run| run.id.to_string()).collect()
}

impl McpServer {
    /// The run given by id or name (asking which, when several share it), as the audit target.
    async fn target_run(&self, given: &str, asker: &Asker) -> Result<FlowRunView, ToolError> {
        let (run, _) = resolve::flow_run(&self.prefect, given, asker).await?;
        audit::target(run.id, run.name.as_deref());
        Ok(run)
    }
}

#[tool_router(router = flow_run_writes_tools, vis = "pub(crate)")]
impl McpServer {
    /// Retry a finished run as Prefect's UI does: it goes back to SCHEDULED (AwaitingRetry) and
    /// its worker runs it again.
    #[tool]
    async fn retry_flow_run(
        &self,
        Parameters(args): Parameters<FlowRunArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<FlowRunChanged>, ToolError> {
        let run = self
            .target_run(&args.flow_run, &Asker::of(&context))
            .await?;
        self.prefect.retry_flow_run(&run).await.map(Json)
    }

    /// Force a run into a state, bypassing Prefect's orchestration rules, after the user
    /// confirms.
    #[tool]
    async fn set_flow_run_state(
        &self,
        Parameters(args): Parameters<SetStateArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<FlowRunChanged>, ToolError> {
        let state = args::state_type(&args.state)?;
        if state == "CANCELLING" {
            return Err(ArgumentError::UseCancelTool.into());
        }
        let message = args::non_blank(args.message.as_deref())
            .unwrap_or("Set through the Prefect MCP server")
            .to_string();
        let asker = Asker::of(&context);
        let run = self.target_run(&args.flow_run, &asker).await?;
        confirm(
            &asker,
            &format!(
                "Force flow run {} into {state} with the message {}? Prefect's orchestration \
                 rules are bypassed.",
                described(&run),
                quoted(&message)
            ),
            &ids(std::slice::from_ref(&run)),
        )
        .await?;
        self.prefect
            .force_flow_run_state(&run, &state, message)
            .await
            .map(Json)
    }

    /// Delete a flow run, after the user confirms.
    #[tool]
    async fn delete_flow_run(
        &self,
        Parameters(args): Parameters<FlowRunArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<Deleted>, ToolError> {
        let asker = Asker::of(&context);
        let run = self.target_run(&args.flow_run, &asker).await?;
        let shown = described(&run);
        confirm(
            &asker,
            &format!("Delete flow run {shown}? This cannot be undone."),
            &ids(std::slice::from_ref(&run)),
        )
        .await?;
        self.prefect.delete_flow_run(run.id).await?;
        Ok(Json(Deleted {
            id: run.id,
            name: run.name.unwrap_or_default(),
            deleted: true,
            message: format!("Flow run {shown} was deleted."),
        }))
    }

    /// Resume a PAUSED run. A run paused waiting for input is resumed with values a person saw:
    /// a form built from its input schema, filled in with `run_input` when given.
    #[tool]
    async fn resume_flow_run(
        &self,
        Parameters(args): Parameters<ResumeArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<FlowRunChanged>, ToolError> {
        let asker = Asker::of(&context);
        let run = self.target_run(&args.flow_run, &asker).await?;
        let shown = described(&run);
        let input = match (self.prefect.paused_run_input(run.id).await?, args.run_input) {
            (None, None) => None,
            (None, Some(_)) => {
                return Err(ToolError::Write(WriteError::NoInputWanted {
                    flow_run: shown,
                }))
            }
            (Some(wanted), Some(given)) => {
                let problems = parameters::input_problems(&wanted.schema, &given);
                if !problems.is_empty() {
                    return Err(ToolError::Write(WriteError::RunInputInvalid {
                        flow_run: shown,
                        problems,
                        fields: parameters::field_lines(&wanted.schema),
                    }));
                }
                Some(run_input(&asker, &shown, &wanted, Some(&given)).await?)
            }
            (Some(wanted), None) => Some(run_input(&asker, &shown, &wanted, None).await?),
        };
        self.prefect.resume_flow_run(&run, input).await.map(Json)
    }

    /// Cancel every unfinished run that matches (at most 200 a call), after the user confirms
    /// the count.
    #[tool]
    async fn cancel_flow_runs(
        &self,
        Parameters(args): Parameters<CancelRunsArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<BulkCancelled>, ToolError> {
        if args.deployment.is_none() && args.state.is_none() && args.filter_criteria.is_none() {
            return Err(ArgumentError::NoBulkCriteria.into());
        }
        let state = args.state.as_deref().map(args::state_type).transpose()?;
        if let Some(state) = state.as_deref().filter(|s| FINAL_STATE_TYPES.contains(s)) {
            return Err(ArgumentError::CannotCancelFinished {
                state: state.to_string(),
            }
            .into());
        }
        let mut selection = flow_run_selection(args.filter_criteria.unwrap_or_default())?;
        let asker = Asker::of(&context);
        let mut of_deployment = String::new();
        if let Some(given) = &args.deployment {
            let deployment = resolve::deployment(&self.prefect, given, &asker).await?;
            of_deployment = format!(
                " of deployment {}",
                quoted(&self.prefect.full_name(&deployment).await?)
            );
            selection.of_deployment(deployment.id);
        }
        if state.is_some() || !selection.chooses_states() {
            let types: Vec<&str> = state.as_deref().map_or(UNFINISHED.to_vec(), |s| vec![s]);
            selection.only_state_types(&types);
        }
        let runs = self.prefect.cancellable_runs(selection).await?;
        audit::runs(&runs);
        if runs.is_empty() {
            return Ok(Json(BulkCancelled::nothing()));
        }
        let mut names: Vec<String> = runs
            .iter()
            .take(NAMES_SHOWN)
            .map(|r| quoted(&r.name.clone().unwrap_or_else(|| r.id.to_string())))
            .collect();
        if runs.len() > NAMES_SHOWN {
            names.push(format!("and {} more", runs.len() - NAMES_SHOWN));
        }
        let plural = if runs.len() == 1 { "" } else { "s" };
        let state_word = state.map(|s| format!("{s} ")).unwrap_or_default();
        confirm(
            &asker,
            &format!(
                "Cancel {} {state_word}run{plural}{of_deployment}: {}?",
                runs.len(),
                names.join(", ")
            ),
            &ids(&runs),
        )
        .await?;
        self.prefect.cancel_flow_runs(&runs).await.map(Json)
    }
}
