//! why_late: a deployment's late runs, with the diagnosis of the newest (work pool, workers,
//! paused queues, concurrency limits).

use std::fmt::Write;

use chrono::{Duration, Utc};
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::GetPromptResult;
use rmcp::service::RequestContext;
use rmcp::{prompt, prompt_router, ErrorData, RoleServer};

use super::{brief, deployment_by_name, diagnose, render, DeploymentArg, RECENT_RUNS};
use crate::errors::ToolError;
use crate::mcp::server::McpServer;

/// What the model is asked to do with the brief's data.
const TASK: &str = "Explain why these runs have not started, most likely cause first, and \
             what to do about each cause (start a worker, resume a pool, queue or deployment, \
             free a concurrency slot). If nothing is late, say so and say whether anything in the data \
             would make the next run late.";

#[prompt_router(router = "why_late_prompt", vis = "pub(crate)")]
impl McpServer {
    /// Why are a deployment's runs late? Its late runs, with the diagnosis of the newest
    /// (work pool, workers, paused queues, concurrency limits).
    #[prompt(title = "Why are a deployment's runs late?")]
    async fn why_late(
        &self,
        Parameters(args): Parameters<DeploymentArg>,
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResult, ErrorData> {
        self.why_late_brief(&args.deployment, &context)
            .await
            .map_err(ToolError::into_error_data)
    }
}

impl McpServer {
    async fn why_late_brief(
        &self,
        deployment: &str,
        context: &RequestContext<RoleServer>,
    ) -> Result<GetPromptResult, ToolError> {
        let view = deployment_by_name(&self.prefect, deployment, context).await?;
        let late = self
            .prefect
            .waiting_runs(view.id, Utc::now() - Duration::seconds(60), RECENT_RUNS)
            .await?;
        let mut text = format!(
            "# Why are the runs of \"{deployment}\" late?\n\nPrefect at {}.\n\n",
            self.prefect.api_url()
        );
        render::deployment(&mut text, &view);
        let _ = writeln!(
            text,
            "\n## Runs waiting past their start time ({}{})",
            late.len(),
            if late.len() as i64 == RECENT_RUNS {
                ", the newest shown"
            } else {
                ""
            }
        );
        for run in &late {
            let _ = writeln!(text, "{}", render::run_line(run));
        }
        match late.first() {
            Some(newest) => {
                let _ = writeln!(
                    text,
                    "\n## Diagnosis of the newest late run, \"{}\"",
                    newest.name.as_deref().unwrap_or("unnamed")
                );
                let diagnosis = diagnose(&self.prefect, &newest.id.to_string(), context).await?;
                render::diagnosis(&mut text, &diagnosis);
            }
            None => {
                let _ = writeln!(
                    text,
                    "None: no run of this deployment is waiting past its start time."
                );
                if let Some(pool) = &view.work_pool_name {
                    let pool = self.prefect.work_pool_status(pool).await?;
                    let _ = writeln!(text);
                    render::work_pool(&mut text, &pool);
                }
            }
        }
        Ok(brief(
            format!("{} late run(s) of {deployment}", late.len()),
            text,
            TASK,
        ))
    }
}
