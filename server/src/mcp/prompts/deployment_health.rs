//! deployment_health: a deployment's recent outcomes, schedule, work pool and workers.

use std::fmt::Write;

use chrono::Utc;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::GetPromptResult;
use rmcp::service::RequestContext;
use rmcp::{prompt, prompt_router, ErrorData, RoleServer};

use super::{brief, deployment_by_name, render, DeploymentArg, RECENT_RUNS};
use crate::errors::ToolError;
use crate::mcp::server::McpServer;

/// What the model is asked to do with the brief's data.
const TASK: &str = "Assess this deployment's health in a short paragraph: is it running on \
             schedule, how often does it fail and why, can its runs start (pool, workers, \
             paused)? Then list concrete actions, if any.";

#[prompt_router(router = "deployment_health_prompt", vis = "pub(crate)")]
impl McpServer {
    /// A deployment's health: recent outcomes, schedule, work pool and workers.
    #[prompt(title = "Deployment health")]
    async fn deployment_health(
        &self,
        Parameters(args): Parameters<DeploymentArg>,
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResult, ErrorData> {
        self.health_brief(&args.deployment, &context)
            .await
            .map_err(ToolError::into_error_data)
    }
}

impl McpServer {
    async fn health_brief(
        &self,
        deployment: &str,
        context: &RequestContext<RoleServer>,
    ) -> Result<GetPromptResult, ToolError> {
        let view = deployment_by_name(&self.prefect, deployment, context).await?;
        let now = Utc::now();
        let (recent, upcoming) = tokio::try_join!(
            self.prefect
                .deployment_runs(view.id, Some(now), RECENT_RUNS),
            self.prefect.upcoming_runs(view.id),
        )?;
        let mut text = format!(
            "# Health of deployment \"{deployment}\"\n\nPrefect at {}.\n\n",
            self.prefect.api_url()
        );
        render::deployment(&mut text, &view);

        let mut outcomes: Vec<(String, usize)> = Vec::new();
        for run in &recent {
            let label = render::state_label(run.state.as_ref());
            match outcomes.iter_mut().find(|(l, _)| *l == label) {
                Some((_, n)) => *n += 1,
                None => outcomes.push((label, 1)),
            }
        }
        let _ = writeln!(
            text,
            "\n## The last {} run(s): {}",
            recent.len(),
            if outcomes.is_empty() {
                "none".to_string()
            } else {
                outcomes
                    .iter()
                    .map(|(label, n)| format!("{n} {label}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        );
        for run in &recent {
            let _ = writeln!(text, "{}", render::run_line(run));
        }
        let _ = writeln!(text, "\n## Upcoming runs ({})", upcoming.len());
        for run in &upcoming {
            let _ = writeln!(text, "{}", render::run_line(run));
        }
        let _ = writeln!(text, "\n## Where its runs execute");
        match &view.work_pool_name {
            Some(pool) => {
                let pool = self.prefect.work_pool_status(pool).await?;
                render::work_pool(&mut text, &pool);
            }
            None => {
                let _ = writeln!(
                    text,
                    "No work pool: a runner process (`flow.serve()` / `prefect.serve()`) serves \
                     it; status READY means the runner polled recently."
                );
            }
        }
        Ok(brief(format!("Health of {deployment}"), text, TASK))
    }
}
