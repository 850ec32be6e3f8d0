//! explain_run: one flow run explained from its state, failed tasks, logs, deployment and work
//! pool.

use std::fmt::Write;

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::GetPromptResult;
use rmcp::service::RequestContext;
use rmcp::{prompt, prompt_router, ErrorData, RoleServer};
use schemars::JsonSchema;
use serde::Deserialize;

use super::{brief, diagnose, render};
use crate::errors::ToolError;
use crate::mcp::server::McpServer;
use crate::output::quoted;
use crate::prefect::logs::LogQuery;

/// What the model is asked to do with the brief's data.
const TASK: &str = "Explain what happened to this run in plain words: what it did, where it \
             stopped or why it has not started, the root cause, and what to do next.";

/// Log lines embedded in the brief.
const LOG_TAIL: i64 = 30;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowRunArg {
    /// The flow run: its id, or its name (the newest run of that name).
    pub flow_run: String,
}

#[prompt_router(router = "explain_run_prompt", vis = "pub(crate)")]
impl McpServer {
    /// Explain one flow run: what happened, why, and what to do, from its state, failed
    /// tasks, logs, deployment and work pool.
    #[prompt(title = "Explain a flow run")]
    async fn explain_run(
        &self,
        Parameters(args): Parameters<FlowRunArg>,
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResult, ErrorData> {
        self.explain_brief(&args.flow_run, &context)
            .await
            .map_err(ToolError::into_error_data)
    }
}

impl McpServer {
    async fn explain_brief(
        &self,
        flow_run: &str,
        context: &RequestContext<RoleServer>,
    ) -> Result<GetPromptResult, ToolError> {
        let diagnosis = diagnose(&self.prefect, flow_run, context).await?;
        let run = &diagnosis.flow_run;
        let logs = self
            .prefect
            .flow_run_logs(LogQuery {
                flow_run_id: run.id,
                min_level: None,
                limit: LOG_TAIL,
                offset: 0,
                include_task_runs: true,
            })
            .await?;
        let mut text = format!(
            "# Explain flow run \"{}\"\n\nPrefect at {}.\n\n{}\nParameters: {}\nStarted {}, \
             ended {}, ran {:.1} s over {} attempt(s).\n",
            run.name.as_deref().unwrap_or("unnamed"),
            self.prefect.api_url(),
            render::run_line(run),
            render::quote(&serde_json::Value::Object(run.parameters.clone()).to_string()),
            render::time(run.start_time),
            render::time(run.end_time),
            run.total_run_time,
            run.run_count,
        );
        if let Some(others) = diagnosis.other_runs_with_this_name {
            let _ = writeln!(
                text,
                "({others} other run(s) share this name; this is the newest. Pass an id for \
                 another.)"
            );
        }
        if let Some(d) = &diagnosis.deployment {
            let _ = writeln!(
                text,
                "Deployment \"{}\" ({}paused, status {}).",
                d.name,
                if d.paused { "" } else { "not " },
                d.status.as_deref().unwrap_or("unknown")
            );
        }
        let _ = writeln!(text, "\n## Diagnosis");
        render::diagnosis(&mut text, &diagnosis);
        let _ = writeln!(
            text,
            "\n## The newest {} log line(s){}",
            logs.count,
            if logs.older_lines_available {
                " (older lines exist)"
            } else {
                ""
            }
        );
        render::log_lines(&mut text, &logs.logs);
        let description = format!(
            "Explain flow run {}",
            quoted(run.name.as_deref().unwrap_or("unnamed"))
        );
        Ok(brief(description, text, TASK))
    }
}
