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

use rmcp::handler::server::router::prompt::PromptRouter;
use rmcp::model::{GetPromptResult, PromptMessage, Role};
use rmcp::service::RequestContext;
use rmcp::RoleServer;
use schemars::JsonSchema;
use serde::Deserialize;

use super::ask::{resolve, Asker};
use super::handler::PrefectServer;
use super::tools::args;
use super::toolsets::{Offered, Toolset};
use crate::errors::ToolError;
use crate::output::{DeploymentView, Diagnosis};

/// One prompt's router (each file's `#[prompt_router]`).
type Prompt = fn() -> PromptRouter<PrefectServer>;

/// Each prompt and the toolset it draws on: a prompt is offered when its toolset is.
const PROMPTS: [(Prompt, Toolset); 4] = [
    (PrefectServer::triage_failures_prompt, Toolset::Diagnose),
    (PrefectServer::why_late_prompt, Toolset::Diagnose),
    (
        PrefectServer::deployment_health_prompt,
        Toolset::Deployments,
    ),
    (PrefectServer::explain_run_prompt, Toolset::Diagnose),
];

/// Recent runs shown by deployment_health and why_late.
const RECENT_RUNS: i64 = 20;

/// The prompts offered with these toolsets.
pub fn offered(offered: &Offered) -> PromptRouter<PrefectServer> {
    let mut router = PromptRouter::new();
    for (prompt, toolset) in PROMPTS {
        if offered.wants(toolset) {
            router += prompt();
        }
    }
    router
}

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
    server: &PrefectServer,
    flow_run: &str,
    context: &RequestContext<RoleServer>,
) -> Result<Diagnosis, ToolError> {
    let (run, same_name) =
        resolve::flow_run(&server.prefect, flow_run, &Asker::of(context)).await?;
    server.prefect.diagnose(run, same_name).await
}

/// A deployment by "flow/deployment" (a close name is asked about).
async fn deployment_by_name(
    server: &PrefectServer,
    full_name: &str,
    context: &RequestContext<RoleServer>,
) -> Result<DeploymentView, ToolError> {
    let (flow, name) = args::deployment_full_name(full_name)?;
    let asker = Asker::of(context);
    resolve::deployment_named(&server.prefect, full_name, flow, name, false, &asker).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_prompt_has_a_toolset_and_arguments_are_described() {
        let all = offered(&crate::mcp::toolsets::ServerOptions::default().offered());
        let prompts = all.list_all();
        let names: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "deployment_health",
                "explain_run",
                "triage_failures",
                "why_late"
            ]
        );
        for prompt in &prompts {
            for argument in prompt.arguments.iter().flatten() {
                assert!(argument.description.is_some(), "{}", argument.name);
            }
        }
    }
}
