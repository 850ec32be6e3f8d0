//! MCP prompts (slash commands in Claude Code): each gathers the facts from Prefect when it is
//! fetched and hands the model a ready brief, the data written out as text, followed by the
//! task. The data is what the tools compute (`diagnose_flow_run`, the flow run lists, the work
//! pool and deployment views); nothing here talks HTTP. Each brief stays under
//! [`render::BRIEF_BUDGET`] characters.

mod render;

use std::collections::HashMap;
use std::fmt::Write;

use chrono::{Duration, Utc};
use prefect_api::types;
use rmcp::handler::server::router::prompt::PromptRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{GetPromptResult, PromptMessage, Role};
use rmcp::service::RequestContext;
use rmcp::{prompt, prompt_router, ErrorData, RoleServer};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use crate::errors::{ArgumentError, ToolError};
use crate::output::{Diagnosis, FlowRunView};
use crate::server::PrefectServer;
use crate::tools::args::{self, MAX_LIMIT};
use crate::tools::deployments::deployments_body;
use crate::tools::deployments::DeploymentNameArgs;
use crate::tools::diagnose::DiagnoseArgs;
use crate::tools::flow_runs::flow_runs_body;
use crate::tools::logs::FlowRunLogsArgs;

/// The prompts and the toolset each draws on: a prompt is offered when its toolset is.
pub const PROMPT_TOOLSETS: [(&str, &str); 4] = [
    ("triage_failures", "diagnose"),
    ("why_late", "diagnose"),
    ("deployment_health", "deployments"),
    ("explain_run", "diagnose"),
];

const DEFAULT_HOURS: i64 = 24;
const MAX_HOURS: i64 = 24 * 30;
/// Groups of failures diagnosed one by one (each diagnosis is a handful of Prefect calls).
const MAX_DIAGNOSED_GROUPS: usize = 8;
/// Runs listed per group, newest first.
const RUNS_PER_GROUP: usize = 5;
/// Recent runs shown by deployment_health and why_late.
const RECENT_RUNS: i64 = 20;
/// Log lines embedded by explain_run.
const LOG_TAIL: i64 = 30;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TriageArgs {
    /// How many hours back to look, 1-720 (default 24).
    #[serde(default)]
    pub hours: Option<String>,
    /// Only runs in this exact state name, e.g. "Crashed" or "TimedOut" (default: every
    /// FAILED and CRASHED run).
    #[serde(default)]
    pub state: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeploymentArg {
    /// The deployment, as "flow_name/deployment_name".
    pub deployment: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowRunArg {
    /// The flow run: its id, or its name (the newest run of that name).
    pub flow_run: String,
}

fn brief(description: String, text: String, extra: Vec<PromptMessage>) -> GetPromptResult {
    let mut messages = vec![PromptMessage::new_text(
        Role::User,
        render::within_budget(text),
    )];
    messages.extend(extra);
    GetPromptResult::new(messages).with_description(description)
}

fn hours(given: Option<&str>) -> Result<i64, ToolError> {
    let Some(raw) = args::non_blank(given) else {
        return Ok(DEFAULT_HOURS);
    };
    raw.parse::<i64>()
        .ok()
        .filter(|h| (1..=MAX_HOURS).contains(h))
        .ok_or_else(|| {
            ArgumentError::NotWholeHours {
                value: raw.to_string(),
                max: MAX_HOURS,
            }
            .into()
        })
}

/// Failures are grouped by deployment and cause.
type GroupKey = (Option<Uuid>, String);

/// Failures that look alike: the first line of the state's message, or its name.
fn cause_of(run: &FlowRunView) -> String {
    let state = run.state.as_ref();
    state
        .and_then(|s| s.message.as_deref())
        .and_then(|m| m.lines().map(str::trim).find(|l| !l.is_empty()))
        .map(|line| line.chars().take(160).collect())
        .or_else(|| state.and_then(|s| s.name.clone()))
        .unwrap_or_else(|| "no message".into())
}

#[prompt_router(router = "prompts_router", vis = "pub(crate)")]
impl PrefectServer {
    /// Triage the failed and crashed flow runs of the last hours: grouped by deployment and
    /// cause, with the diagnosis of the newest run of each group.
    #[prompt(title = "Triage failed flow runs")]
    async fn triage_failures(
        &self,
        Parameters(args): Parameters<TriageArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResult, ErrorData> {
        self.triage_brief(args, &context)
            .await
            .map_err(ToolError::into_error_data)
    }

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

impl PrefectServer {
    /// The prompts offered with these toolsets.
    pub(crate) fn offered_prompts(wants: impl Fn(&str) -> bool) -> PromptRouter<Self> {
        let mut router = Self::prompts_router();
        for (prompt, toolset) in PROMPT_TOOLSETS {
            if !wants(toolset) {
                router.remove_route(prompt);
            }
        }
        router
    }

    async fn diagnose(
        &self,
        flow_run: &str,
        context: &RequestContext<RoleServer>,
    ) -> Result<Diagnosis, ToolError> {
        let args = DiagnoseArgs {
            flow_run: flow_run.to_string(),
        };
        Ok(self
            .diagnose_flow_run(crate::tools::args::Parameters(args), context.clone())
            .await?
            .0)
    }

    async fn deployment_by_name(
        &self,
        full_name: &str,
        context: &RequestContext<RoleServer>,
    ) -> Result<crate::output::DeploymentView, ToolError> {
        let args = DeploymentNameArgs {
            name: full_name.to_string(),
            detail: false,
        };
        Ok(self
            .get_deployment_by_name(crate::tools::args::Parameters(args), context.clone())
            .await?
            .0)
    }

    /// `flow/deployment` names of these deployments, for headings.
    async fn deployment_names(&self, ids: Vec<Uuid>) -> Result<HashMap<Uuid, String>, ToolError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let these = types::DeploymentFilter {
            id: Some(types::DeploymentFilterId {
                any: Some(ids),
                ..Default::default()
            }),
            ..Default::default()
        };
        Ok(self
            .read_deployments(&deployments_body(Some(these), None, MAX_LIMIT, 0))
            .await?
            .deployments
            .into_iter()
            .map(|d| {
                let name = format!("{}/{}", d.flow_name.as_deref().unwrap_or("?"), d.name);
                (d.id, name)
            })
            .collect())
    }

    async fn triage_brief(
        &self,
        args: TriageArgs,
        context: &RequestContext<RoleServer>,
    ) -> Result<GetPromptResult, ToolError> {
        let hours = hours(args.hours.as_deref())?;
        let state_name = args::non_blank(args.state.as_deref()).map(String::from);
        let since = Utc::now() - Duration::hours(hours);
        let state = match &state_name {
            Some(name) => types::FlowRunFilterState {
                name: Some(types::FlowRunFilterStateName {
                    any: Some(vec![name.clone()]),
                    ..Default::default()
                }),
                ..Default::default()
            },
            None => types::FlowRunFilterState {
                type_: Some(types::FlowRunFilterStateType {
                    any: Some(vec![
                        types::StateType("FAILED".into()),
                        types::StateType("CRASHED".into()),
                    ]),
                    ..Default::default()
                }),
                ..Default::default()
            },
        };
        let filter = types::FlowRunFilter {
            state: Some(state),
            expected_start_time: Some(types::FlowRunFilterExpectedStartTime {
                after: Some(since),
                before: None,
            }),
            ..Default::default()
        };
        let runs = self
            .read_flow_runs(&flow_runs_body(Some(filter), None, MAX_LIMIT, 0))
            .await?
            .flow_runs;

        // Groups in the order of their newest run (the list is newest first).
        let mut groups: Vec<(GroupKey, Vec<&FlowRunView>)> = Vec::new();
        for run in &runs {
            let key = (run.deployment_id, cause_of(run));
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, members)) => members.push(run),
                None => groups.push((key, vec![run])),
            }
        }
        let names = self
            .deployment_names(groups.iter().filter_map(|((d, _), _)| *d).collect())
            .await?;

        let what = state_name
            .as_deref()
            .map_or("failed and crashed".to_string(), |n| format!("\"{n}\""));
        let mut text = format!(
            "# Triage: {what} flow runs in the last {hours} h\n\nPrefect at {}. {} run(s){} in \
             {} group(s) by deployment and cause, newest first.\n",
            self.client.api_url(),
            runs.len(),
            if runs.len() as i64 == MAX_LIMIT {
                " (the newest 200; there may be more)"
            } else {
                ""
            },
            groups.len()
        );
        for (index, ((deployment, cause), members)) in groups.iter().enumerate() {
            let deployment = deployment
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_else(|| "no deployment".into());
            let _ = write!(
                text,
                "\n## {}. {deployment}: {} ({} run(s))\n",
                index + 1,
                render::quote(cause),
                members.len()
            );
            for run in members.iter().take(RUNS_PER_GROUP) {
                let _ = writeln!(text, "{}", render::run_line(run));
            }
            if index < MAX_DIAGNOSED_GROUPS {
                let newest = members[0];
                let _ = writeln!(
                    text,
                    "\nDiagnosis of the newest, \"{}\":",
                    newest.name.as_deref().unwrap_or("unnamed")
                );
                let diagnosis = self.diagnose(&newest.id.to_string(), context).await?;
                render::diagnosis(&mut text, &diagnosis);
            } else {
                let _ = writeln!(
                    text,
                    "(not diagnosed here: use the diagnose_flow_run tool on it)"
                );
            }
        }
        if runs.is_empty() {
            let _ = writeln!(text, "\nNo such runs: nothing failed in that window.");
        }
        text.push_str(
            "\n# Task\nFor each group, say in a sentence or two what failed, the most likely \
             cause (from the diagnosis above) and the fix. Put the groups that need action first; \
             say which look like the same root cause. Use the diagnose_flow_run and \
             get_flow_run_logs tools only if something above is unclear.\n",
        );
        Ok(brief(
            format!("{} {what} run(s) in the last {hours} h", runs.len()),
            text,
            Vec::new(),
        ))
    }

    /// The newest runs of a deployment, newest first by expected start.
    async fn deployment_runs(
        &self,
        deployment: Uuid,
        state: Option<types::FlowRunFilterState>,
        before: Option<chrono::DateTime<Utc>>,
        limit: i64,
    ) -> Result<Vec<FlowRunView>, ToolError> {
        let filter = types::FlowRunFilter {
            deployment_id: Some(types::FlowRunFilterDeploymentId {
                any: Some(vec![deployment]),
                ..Default::default()
            }),
            state,
            expected_start_time: before.map(|before| types::FlowRunFilterExpectedStartTime {
                after: None,
                before: Some(before),
            }),
            ..Default::default()
        };
        Ok(self
            .read_flow_runs(&flow_runs_body(Some(filter), None, limit, 0))
            .await?
            .flow_runs)
    }

    async fn why_late_brief(
        &self,
        deployment: &str,
        context: &RequestContext<RoleServer>,
    ) -> Result<GetPromptResult, ToolError> {
        let view = self.deployment_by_name(deployment, context).await?;
        // Late: still waiting to start, past its time (Prefect names such runs "Late").
        let waiting = types::FlowRunFilterState {
            type_: Some(types::FlowRunFilterStateType {
                any: Some(vec![
                    types::StateType("SCHEDULED".into()),
                    types::StateType("PENDING".into()),
                ]),
                ..Default::default()
            }),
            ..Default::default()
        };
        let late = self
            .deployment_runs(
                view.id,
                Some(waiting),
                Some(Utc::now() - Duration::seconds(60)),
                RECENT_RUNS,
            )
            .await?;
        let mut text = format!(
            "# Why are the runs of \"{deployment}\" late?\n\nPrefect at {}.\n\n",
            self.client.api_url()
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
                let diagnosis = self.diagnose(&newest.id.to_string(), context).await?;
                render::diagnosis(&mut text, &diagnosis);
            }
            None => {
                let _ = writeln!(
                    text,
                    "None: no run of this deployment is waiting past its start time."
                );
                if let Some(pool) = &view.work_pool_name {
                    let pool = self.work_pool_status(pool).await?;
                    let _ = writeln!(text);
                    render::work_pool(&mut text, &pool);
                }
            }
        }
        text.push_str(
            "\n# Task\nExplain why these runs have not started, most likely cause first, and \
             what to do about each cause (start a worker, resume a pool, queue or deployment, \
             free a concurrency slot). If nothing is late, say so and say whether anything above \
             would make the next run late.\n",
        );
        Ok(brief(
            format!("{} late run(s) of {deployment}", late.len()),
            text,
            Vec::new(),
        ))
    }

    async fn health_brief(
        &self,
        deployment: &str,
        context: &RequestContext<RoleServer>,
    ) -> Result<GetPromptResult, ToolError> {
        let view = self.deployment_by_name(deployment, context).await?;
        let now = Utc::now();
        let (recent, upcoming) = tokio::try_join!(
            self.deployment_runs(view.id, None, Some(now), RECENT_RUNS),
            self.upcoming_runs(view.id),
        )?;
        let mut text = format!(
            "# Health of deployment \"{deployment}\"\n\nPrefect at {}.\n\n",
            self.client.api_url()
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
                let pool = self.work_pool_status(pool).await?;
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
        text.push_str(
            "\n# Task\nAssess this deployment's health in a short paragraph: is it running on \
             schedule, how often does it fail and why, can its runs start (pool, workers, \
             paused)? Then list concrete actions, if any.\n",
        );
        Ok(brief(format!("Health of {deployment}"), text, Vec::new()))
    }

    /// The next scheduled runs, soonest first.
    async fn upcoming_runs(&self, deployment: Uuid) -> Result<Vec<FlowRunView>, ToolError> {
        let filter = types::FlowRunFilter {
            deployment_id: Some(types::FlowRunFilterDeploymentId {
                any: Some(vec![deployment]),
                ..Default::default()
            }),
            expected_start_time: Some(types::FlowRunFilterExpectedStartTime {
                after: Some(Utc::now()),
                before: None,
            }),
            ..Default::default()
        };
        let body = types::BodyReadFlowRunsFlowRunsFilterPost {
            flow_runs: Some(filter),
            limit: Some(5),
            sort: Some(types::FlowRunSort("EXPECTED_START_TIME_ASC".into())),
            ..Default::default()
        };
        Ok(self.read_flow_runs(&body).await?.flow_runs)
    }

    async fn explain_brief(
        &self,
        flow_run: &str,
        context: &RequestContext<RoleServer>,
    ) -> Result<GetPromptResult, ToolError> {
        let diagnosis = self.diagnose(flow_run, context).await?;
        let run = &diagnosis.flow_run;
        let logs = self
            .get_flow_run_logs(crate::tools::args::Parameters(FlowRunLogsArgs {
                flow_run_id: run.id.to_string(),
                level: None,
                limit: LOG_TAIL,
                offset: 0,
                include_task_runs: true,
            }))
            .await?
            .0;
        let mut text = format!(
            "# Explain flow run \"{}\"\n\nPrefect at {}.\n\n{}\nParameters: {}\nStarted {}, \
             ended {}, ran {:.1} s over {} attempt(s).\n",
            run.name.as_deref().unwrap_or("unnamed"),
            self.client.api_url(),
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
        text.push_str(
            "\n# Task\nExplain what happened to this run in plain words: what it did, where it \
             stopped or why it has not started, the root cause, and what to do next.\n",
        );
        let summary = diagnosis.summary.clone();
        Ok(brief(summary, text, Vec::new()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_default_and_bounds() {
        assert_eq!(hours(None).unwrap(), 24);
        assert_eq!(hours(Some(" ")).unwrap(), 24);
        assert_eq!(hours(Some("72")).unwrap(), 72);
        for bad in ["0", "721", "two", "1.5"] {
            let err = hours(Some(bad)).unwrap_err().message();
            assert!(err.contains("1 to 720"), "{err}");
        }
    }

    #[test]
    fn every_prompt_has_a_toolset_and_arguments_are_described() {
        let prompts = PrefectServer::prompts_router().list_all();
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
            assert!(PROMPT_TOOLSETS.iter().any(|(p, _)| *p == prompt.name));
            for argument in prompt.arguments.iter().flatten() {
                assert!(argument.description.is_some(), "{}", argument.name);
            }
        }
    }
}
