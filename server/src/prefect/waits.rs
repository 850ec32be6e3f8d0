//! Waiting for a flow run to reach a final state.
//!
//! The wait says how far it is, and learns that it should stop, through a [`WaitWatch`]: the
//! MCP layer turns that into progress notifications or a task's status, and the request's (or
//! task's) cancellation; this layer does not know which.
//!
//! A wait can also be looked at without waiting ([`wait_outcome_at`]), by a server that keeps no
//! state between requests; that a wait was stopped is then recorded in Prefect itself, as an
//! input of the run ([`Prefect::record_wait_stopped`]), so that every server sees it.

use std::future::Future;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use prefect_api::{types, PrefectCall, PrefectError};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::run_events::Seen;
use super::Prefect;
use crate::errors::ToolError;
use crate::output::{FlowRunView, WaitOutcome, FINAL_STATE_TYPES};

/// The longest wait accepted: waiting longer belongs in Prefect's own automations.
pub const MAX_WAIT_SECONDS: i64 = 3600;

/// Who waits: told how far the wait is, and able to stop it.
pub trait WaitWatch: Sync {
    /// `done` of `total` seconds have passed; `message` says what the run is doing.
    fn progress(&self, done: f64, total: f64, message: String) -> impl Future<Output = ()> + Send;
    /// The last word when the wait stops early.
    fn stopped(&self, message: String);
    /// Cancelled when the waiting should stop (never the run).
    fn cancellation(&self) -> &CancellationToken;
}

/// Where a wait ended.
#[derive(Debug)]
pub struct Waited {
    pub run: FlowRunView,
    pub outcome: WaitOutcome,
    /// How long it waited, to a tenth of a second.
    pub seconds: f64,
}

impl Prefect {
    /// Wait until the run is final, the timeout passes, or `watch` is cancelled, woken by the
    /// run's events ([`Prefect::watch_run`]); progress is reported every second at first, then
    /// every 4 s.
    pub async fn wait_for_final_state(
        &self,
        mut run: FlowRunView,
        timeout: Duration,
        watch: &impl WaitWatch,
    ) -> Result<Waited, ToolError> {
        let started = Instant::now();
        let deadline = started + timeout;
        let waited = |run: FlowRunView, outcome: WaitOutcome| Waited {
            run,
            outcome,
            seconds: (started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
        };
        // Watched from the first time it is found unfinished until the wait ends.
        let mut news = None;
        let mut interval = Duration::from_secs(1);
        let mut next_progress = started;
        loop {
            if run.is_final() {
                return Ok(waited(run, WaitOutcome::FinalState));
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(waited(run, WaitOutcome::TimedOut));
            }
            if now >= next_progress {
                let elapsed = timeout.saturating_sub(deadline - now).as_secs_f64();
                watch
                    .progress(elapsed, timeout.as_secs_f64(), status_line(&run))
                    .await;
                next_progress = now + interval;
                interval = (interval * 2).min(Duration::from_secs(4));
            }
            let news = news.get_or_insert_with(|| self.watch_run(run.id));
            tokio::select! {
                _ = watch.cancellation().cancelled() => {
                    let stopped = ToolError::WaitCancelled {
                        flow_run_id: run.id.to_string(),
                    };
                    watch.stopped(stopped.message());
                    return Err(stopped);
                }
                _ = tokio::time::sleep_until(next_progress.min(deadline).into()) => {}
                seen = news.next() => run = self.learned(run, seen).await,
            }
        }
    }

    /// `run` after `seen`: unchanged by news older than its state; a read run as it is; an
    /// event's state on the run, and a final one read once more so that the answer is the whole
    /// finished run.
    async fn learned(&self, mut run: FlowRunView, seen: Seen) -> FlowRunView {
        let known = run.state.as_ref().and_then(|s| s.timestamp);
        if matches!((known, seen.state.timestamp), (Some(known), Some(heard)) if heard < known) {
            return run;
        }
        if let Some(read) = seen.run {
            return read;
        }
        let is_final = FINAL_STATE_TYPES.contains(&seen.state.type_.as_str());
        run.state = Some(seen.state);
        if is_final {
            // Should the read fail, the event's state still ends the wait truthfully.
            if let Ok(read) = self.read_flow_run(run.id).await {
                if read.is_final() {
                    return read;
                }
            }
        }
        run
    }
}

/// What a waiting run is doing, as a wait reports it: "flow run … is Running".
pub fn status_line(run: &FlowRunView) -> String {
    let state = run
        .state
        .as_ref()
        .map_or("unknown", |s| s.name.as_deref().unwrap_or(&s.type_));
    format!("flow run {} is {state}", run.id)
}

/// Where a wait from `started` to `deadline` stands at `now`, looking at `run` once instead of
/// polling: `None` while the run is unfinished and the deadline ahead. A finished run's wait
/// lasted until its end time (as Prefect recorded it, within the wait); a wait past its deadline
/// timed out after all of it.
pub fn wait_outcome_at(
    run: FlowRunView,
    started: DateTime<Utc>,
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<Waited> {
    let seconds = |until: DateTime<Utc>| {
        let until = until.clamp(started, deadline.max(started));
        ((until - started).num_milliseconds() as f64 / 100.0).round() / 10.0
    };
    if run.is_final() {
        let ended = run.end_time.unwrap_or(now).min(now);
        return Some(Waited {
            seconds: seconds(ended),
            run,
            outcome: WaitOutcome::FinalState,
        });
    }
    (now >= deadline).then(|| Waited {
        seconds: seconds(deadline),
        run,
        outcome: WaitOutcome::TimedOut,
    })
}

/// The key of the input that records a stopped wait on a run: `mark` names the wait (Prefect
/// allows lowercase letters, digits and dashes in keys).
fn stop_key(mark: &str) -> String {
    format!("prefect-mcp-wait-stopped-{mark}")
}

impl Prefect {
    /// Record in Prefect that the wait named `mark` on run `id` was stopped: an input of the run
    /// (`POST /flow_runs/{id}/input`), which every server reading this Prefect sees. The run
    /// itself is untouched. Recording it again is no error.
    pub async fn record_wait_stopped(&self, id: Uuid, mark: &str) -> Result<(), ToolError> {
        let body = types::BodyCreateFlowRunInputFlowRunsIdInputPost {
            key: stop_key(mark),
            sender: Some("prefect-mcp".into()),
            value: serde_json::json!({ "stopped_at": Utc::now() }).to_string(),
        };
        match self.client.create_flow_run_input(&id, &body).value().await {
            Ok(_) => Ok(()),
            // 409: the key exists, the wait was stopped before.
            Err(PrefectError::Validation { status: 409, .. }) => Ok(()),
            Err(source) => Err(ToolError::Prefect {
                action: format!("recording the stopped wait on flow run {id}"),
                source,
            }),
        }
    }

    /// Whether [`Prefect::record_wait_stopped`] recorded the wait named `mark` on run `id`.
    pub async fn wait_stopped(&self, id: Uuid, mark: &str) -> Result<bool, ToolError> {
        match self
            .client
            .read_flow_run_input(&id, &stop_key(mark))
            .value()
            .await
        {
            // Prefect answers the stored text; whatever it holds, the record is there.
            Ok(_) | Err(PrefectError::Decode { .. }) => Ok(true),
            Err(PrefectError::NotFound { .. }) => Ok(false),
            Err(source) => Err(ToolError::Prefect {
                action: format!("reading the inputs of flow run {id}"),
                source,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(state: &str, end_time: Option<DateTime<Utc>>) -> FlowRunView {
        let captured = include_str!("../../tests/fixtures/flow_run_completed.json");
        let mut run: types::FlowRunResponse = serde_json::from_str(captured).unwrap();
        if let Some(s) = run.state.as_mut() {
            s.type_ = types::StateType(state.into());
            s.name = Some(state.into());
        }
        let mut run = FlowRunView::from(run);
        run.end_time = end_time;
        run
    }

    #[test]
    fn a_wait_looked_at_once_ends_as_a_polled_wait_would() {
        let started: DateTime<Utc> = "2026-12-04T12:00:00Z".parse().unwrap();
        let deadline = started + chrono::Duration::seconds(60);
        let at = |s: i64| started + chrono::Duration::seconds(s);
        assert!(wait_outcome_at(run("RUNNING", None), started, deadline, at(30)).is_none());
        let done = wait_outcome_at(run("COMPLETED", Some(at(12))), started, deadline, at(30));
        let done = done.unwrap();
        assert_eq!(
            (done.outcome, done.seconds),
            (WaitOutcome::FinalState, 12.0)
        );
        // A run that ended before the wait began was waited for no time at all.
        let before = wait_outcome_at(run("FAILED", Some(at(-5))), started, deadline, at(1));
        assert_eq!(before.unwrap().seconds, 0.0);
        let late = wait_outcome_at(run("RUNNING", None), started, deadline, at(61)).unwrap();
        assert_eq!((late.outcome, late.seconds), (WaitOutcome::TimedOut, 60.0));
        assert_eq!(
            status_line(&late.run),
            format!("flow run {} is RUNNING", late.run.id)
        );
    }
}
