//! Diagnosis of a flow run: why it failed, or why it has not started. Gathers the run's failed
//! task runs, the tail of its error logs, its deployment, work pool, queue and workers, and full
//! concurrency limits, and names the likely causes.

use chrono::{DateTime, Duration, Utc};
use prefect_api::{types, PrefectCall};
use uuid::Uuid;

use super::logs::logs_body;
use super::query::{States, MAX_LIMIT};
use super::task_runs::task_runs_body;
use super::Prefect;
use crate::errors::{is_not_found, Doing, ToolError};
use crate::output::{
    cap_text, cut_repeated_tracebacks, headline, quoted, ConcurrencyLimitStatus, DeploymentStatus,
    Diagnosis, FlowRunView, LogLine, TaskRunView,
};

/// WARNING, in Prefect's numeric log levels.
const WARNING: i64 = 30;
const MAX_FAILED_TASKS: i64 = 5;
const MAX_ERROR_LINES: i64 = 20;
/// A SCHEDULED or PENDING run this far past its start time is treated as late.
const LATE_AFTER_SECONDS: i64 = 60;

impl Prefect {
    /// Diagnose `run`; `same_name` is how many runs share its name (1 when given by id).
    pub async fn diagnose(
        &self,
        run: FlowRunView,
        same_name: usize,
    ) -> Result<Diagnosis, ToolError> {
        let (failed_task_runs, error_logs, deployment, full_limits) = tokio::try_join!(
            self.failed_task_runs(run.id),
            self.error_log_tail(run.id),
            self.deployment_status(run.deployment_id),
            self.full_concurrency_limits(),
        )?;
        let pool_name = run
            .work_pool_name
            .clone()
            .or_else(|| deployment.as_ref().and_then(|d| d.work_pool_name.clone()));
        let work_pool = match pool_name {
            Some(name) => match self.work_pool_status(&name).await {
                Ok(pool) => Some(pool),
                // A pool deleted since is itself a finding, not a reason to fail.
                Err(error) if is_not_found(&error) => None,
                Err(other) => return Err(other),
            },
            None => None,
        };
        let mut diagnosis = Diagnosis {
            summary: String::new(),
            likely_causes: Vec::new(),
            flow_run: run,
            other_runs_with_this_name: same_name.checked_sub(1).filter(|n| *n > 0),
            failed_task_runs,
            error_logs,
            deployment,
            work_pool,
            full_concurrency_limits: full_limits,
        };
        diagnosis.likely_causes = likely_causes(&diagnosis, Utc::now());
        diagnosis.summary = summarise(&diagnosis);
        Ok(diagnosis)
    }

    async fn failed_task_runs(&self, flow_run_id: Uuid) -> Result<Vec<TaskRunView>, ToolError> {
        let failed = types::TaskRunFilter {
            state: States::of_types(&["FAILED", "CRASHED"]).task_run_filter(),
            ..Default::default()
        };
        let this_run = types::FlowRunFilter {
            id: Some(types::FlowRunFilterId {
                any: Some(vec![flow_run_id]),
                ..Default::default()
            }),
            ..Default::default()
        };
        let body = task_runs_body(failed, Some(this_run), MAX_FAILED_TASKS, 0);
        let runs = self
            .client
            .read_task_runs(&body)
            .value()
            .await
            .doing(format!(
                "reading the failed task runs of flow run {flow_run_id}"
            ))?;
        Ok(runs.into_iter().map(TaskRunView::from).collect())
    }

    /// The newest WARNING-or-worse lines, oldest first.
    async fn error_log_tail(&self, flow_run_id: Uuid) -> Result<Vec<LogLine>, ToolError> {
        let filter = types::LogFilter {
            flow_run_id: Some(types::LogFilterFlowRunId {
                any: Some(vec![flow_run_id]),
            }),
            level: Some(types::LogFilterLevel {
                ge: Some(WARNING),
                le: None,
            }),
            ..Default::default()
        };
        let mut lines = self
            .client
            .read_logs(&logs_body(&filter, MAX_ERROR_LINES, 0))
            .value()
            .await
            .doing(format!("reading the error logs of flow run {flow_run_id}"))?;
        lines.reverse();
        let mut lines: Vec<LogLine> = lines.into_iter().map(LogLine::from).collect();
        cut_repeated_tracebacks(lines.iter_mut().map(|line| &mut line.message));
        Ok(lines)
    }

    /// The run's deployment and how many of its runs are active; `None` without a deployment
    /// or when it was deleted since.
    async fn deployment_status(
        &self,
        deployment_id: Option<Uuid>,
    ) -> Result<Option<DeploymentStatus>, ToolError> {
        let Some(id) = deployment_id else {
            return Ok(None);
        };
        let Some(deployment) = self
            .client
            .read_deployment(&id)
            .value()
            .await
            .doing_or_none(format!("reading deployment {id}"))?
        else {
            return Ok(None);
        };
        let active = types::FlowRunFilter {
            deployment_id: Some(types::FlowRunFilterDeploymentId {
                any: Some(vec![id]),
                ..Default::default()
            }),
            state: Some(types::FlowRunFilterState {
                type_: Some(types::FlowRunFilterStateType {
                    any: Some(vec![
                        types::StateType("PENDING".into()),
                        types::StateType("RUNNING".into()),
                    ]),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        let active_runs = self.count_flow_runs(active).await?;
        let view = crate::output::DeploymentView::new(deployment, None);
        Ok(Some(DeploymentStatus {
            id: view.id,
            name: view.name,
            paused: view.paused,
            status: view.status,
            last_polled: view.last_polled,
            work_pool_name: view.work_pool_name,
            work_queue_name: view.work_queue_name,
            concurrency_limit: view.concurrency_limit,
            active_runs,
        }))
    }

    async fn full_concurrency_limits(&self) -> Result<Vec<ConcurrencyLimitStatus>, ToolError> {
        let body = types::BodyReadAllConcurrencyLimitsV2V2ConcurrencyLimitsFilterPost {
            limit: Some(MAX_LIMIT),
            ..Default::default()
        };
        let limits = self
            .client
            .read_all_concurrency_limits_v2(&body)
            .value()
            .await
            .doing("reading the global concurrency limits")?;
        Ok(limits
            .into_iter()
            .filter(|l| l.active && l.active_slots >= l.limit)
            .map(|l| ConcurrencyLimitStatus {
                name: l.name,
                limit: l.limit,
                active_slots: l.active_slots,
            })
            .collect())
    }
}

fn is_late(run: &FlowRunView, now: DateTime<Utc>) -> bool {
    let waiting = run
        .state
        .as_ref()
        .is_some_and(|s| matches!(s.type_.as_str(), "SCHEDULED" | "PENDING"));
    let named_late = run.state.as_ref().and_then(|s| s.name.as_deref()) == Some("Late");
    let overdue = run
        .expected_start_time
        .is_some_and(|t| now - t > Duration::seconds(LATE_AFTER_SECONDS));
    waiting && (named_late || overdue)
}

/// The likely causes, most likely first, from what was gathered.
fn likely_causes(d: &Diagnosis, now: DateTime<Utc>) -> Vec<String> {
    let run = &d.flow_run;
    let state = run.state.as_ref();
    let kind = state.map_or("UNKNOWN", |s| s.type_.as_str());
    let message = state
        .and_then(|s| s.message.as_deref())
        .map(|m| cap_text(m, 500));
    let mut causes = Vec::new();
    match kind {
        "FAILED" | "CRASHED" => {
            if let Some(message) = message {
                causes.push(format!("The run ended {kind}: {message}"));
            }
            for task in &d.failed_task_runs {
                let why = task
                    .state
                    .as_ref()
                    .and_then(|s| s.message.as_deref())
                    .map_or_else(String::new, |m| format!(": {}", cap_text(m, 300)));
                causes.push(format!(
                    "Task run {} failed{why}",
                    quoted(task.name.as_deref().unwrap_or(&task.task_key))
                ));
            }
            // Its first line: its traceback is in error_logs.
            if let Some(last) = d.error_logs.last() {
                causes.push(format!(
                    "Last {} logged: {}",
                    last.level,
                    cap_text(&headline(&last.message), 300)
                ));
            }
            if kind == "CRASHED" {
                causes.push(
                    "CRASHED means the process or its infrastructure died (out of memory, killed, \
                     image or dependency missing): check the worker's or runner's own logs"
                        .into(),
                );
            }
        }
        _ if is_late(run, now) => causes.extend(late_causes(d)),
        "CANCELLING" => {
            causes.push(
                "The run is being cancelled; it ends CANCELLED once its worker or runner stops it"
                    .into(),
            );
            if let Some(pool) = &d.work_pool {
                causes.extend(pool.problems_for_queue(run.work_queue_name.as_deref()));
            }
        }
        "CANCELLED" => causes.push(format!(
            "The run was cancelled{}",
            message.map_or_else(String::new, |m| format!(": {m}"))
        )),
        "PAUSED" => causes.push("The run is paused, waiting to be resumed (or for input)".into()),
        "COMPLETED" => causes.push("The run completed; nothing is wrong with it".into()),
        "RUNNING" => causes.push(format!(
            "The run is running{}",
            run.start_time
                .map_or_else(String::new, |t| format!(" since {}", t.to_rfc3339()))
        )),
        _ => causes.push(format!(
            "The run is {kind} and not yet due{}",
            run.expected_start_time
                .map_or_else(String::new, |t| format!(
                    " (expected to start {})",
                    t.to_rfc3339()
                ))
        )),
    }
    causes
}

/// Why a SCHEDULED or PENDING run past its time has not started.
fn late_causes(d: &Diagnosis) -> Vec<String> {
    let run = &d.flow_run;
    let mut causes = Vec::new();
    let Some(deployment) = &d.deployment else {
        causes.push(
            "The run has no deployment (or it was deleted), so no worker or runner will pick it \
             up: create runs from a deployment"
                .into(),
        );
        return causes;
    };
    if let Some(pool) = &d.work_pool {
        causes.extend(pool.problems_for_queue(run.work_queue_name.as_deref()));
    } else if let Some(name) = &deployment.work_pool_name {
        causes.push(format!(
            "The deployment's work pool {} does not exist any more",
            quoted(name)
        ));
    } else if deployment.status.as_deref() != Some("READY") {
        causes.push(format!(
            "Nothing is serving deployment {}: its runner (`flow.serve()` / `prefect.serve()`) \
             is not polling (last polled: {})",
            quoted(&deployment.name),
            deployment
                .last_polled
                .map_or_else(|| "never".to_string(), |t| t.to_rfc3339())
        ));
    }
    if let Some(limit) = deployment.concurrency_limit {
        if deployment.active_runs >= limit {
            causes.push(format!(
                "The deployment's concurrency limit is full ({} active of {limit}): the run waits \
                 for one of them to finish",
                deployment.active_runs
            ));
        }
    }
    if deployment.paused {
        causes.push(format!(
            "Deployment {} is paused: its schedule makes no new runs until it is resumed \
             (`prefect deployment resume`)",
            quoted(&deployment.name)
        ));
    }
    for limit in &d.full_concurrency_limits {
        causes.push(format!(
            "Global concurrency limit {} is full ({}/{} slots): work that takes a slot from it waits",
            quoted(&limit.name),
            limit.active_slots,
            limit.limit
        ));
    }
    if causes.is_empty() {
        causes.push(
            "No blocking cause found: the pool has an online worker and nothing is paused or \
             full; the run should start at the worker's next poll"
                .into(),
        );
    }
    causes
}

fn summarise(d: &Diagnosis) -> String {
    let run = &d.flow_run;
    let state = run
        .state
        .as_ref()
        .map_or("no state".to_string(), |s| match s.name.as_deref() {
            Some(name) if !name.eq_ignore_ascii_case(&s.type_) => format!("{} ({name})", s.type_),
            _ => s.type_.clone(),
        });
    let first = d.likely_causes.first().map_or(String::new(), |cause| {
        let mut chars = cause.chars();
        chars
            .next()
            .map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
    });
    format!(
        "Flow run {} is {state}. {first}",
        quoted(run.name.as_deref().unwrap_or("unnamed"))
    )
}
