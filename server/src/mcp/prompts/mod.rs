//! MCP prompts (slash commands in Claude Code), one file per prompt: each gathers the facts
//! from Prefect when it is fetched and hands the model a ready brief, the data written out as
//! text, followed by the task. The data comes from the Prefect layer (`crate::prefect`: the
//! diagnosis, flow run lists, work pool and deployment views); nothing here talks HTTP. Each
//! brief stays under [`render::BRIEF_BUDGET`] characters.

mod deployment_health;
mod explain_run;
mod render;
mod triage_failures;
mod why_late;

use rmcp::model::{GetPromptResult, PromptMessage, Role};
use rmcp::service::RequestContext;
use rmcp::RoleServer;
use schemars::JsonSchema;
use serde::Deserialize;

use super::ask::{resolve, Asker};
use super::tools::args;
use crate::errors::ToolError;
use crate::output::{DeploymentView, Diagnosis};
use crate::prefect::Prefect;

/// Recent runs shown by deployment_health and why_late.
const RECENT_RUNS: i64 = 20;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeploymentArg {
    /// The deployment, as "flow_name/deployment_name".
    pub deployment: String,
}

fn brief(description: String, text: String, extra: Vec<PromptMessage>) -> GetPromptResult {
    let mut messages = vec![PromptMessage::new_text(
        Role::User,
        render::within_budget(text),
    )];
    messages.extend(extra);
    GetPromptResult::new(messages).with_description(description)
}

/// The diagnosis of a run given by id or name (a name several runs share is asked about).
async fn diagnose(
    prefect: &Prefect,
    flow_run: &str,
    context: &RequestContext<RoleServer>,
) -> Result<Diagnosis, ToolError> {
    let (run, same_name) = resolve::flow_run(prefect, flow_run, &Asker::of(context)).await?;
    prefect.diagnose(run, same_name).await
}

/// A deployment by "flow/deployment" (a close name is asked about).
async fn deployment_by_name(
    prefect: &Prefect,
    full_name: &str,
    context: &RequestContext<RoleServer>,
) -> Result<DeploymentView, ToolError> {
    let (flow, name) = args::deployment_full_name(full_name)?;
    let asker = Asker::of(context);
    resolve::deployment_named(prefect, full_name, flow, name, false, &asker).await
}
