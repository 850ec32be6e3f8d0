//! Waiting for a flow run to reach a final state.
//!
//! The wait says how far it is, and learns that it should stop, through a [`WaitWatch`]: the
//! MCP layer turns that into progress notifications or a task's status, and the request's (or
//! task's) cancellation; this layer does not know which.

use std::future::Future;
use std::time::{Duration, Instant};

use prefect_api::PrefectError;
use tokio_util::sync::CancellationToken;

use super::Prefect;
use crate::errors::ToolError;
use crate::output::{FlowRunView, WaitOutcome};

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
    /// Poll the run until it is final, the timeout passes, or `watch` is cancelled. Polls every
    /// second at first, then every 4 s, to stay light on the server.
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
        let mut interval = Duration::from_secs(1);
        let mut failed_polls = 0;
        loop {
            if run.is_final() {
                return Ok(waited(run, WaitOutcome::FinalState));
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(waited(run, WaitOutcome::TimedOut));
            }
            let elapsed = timeout.saturating_sub(deadline - now).as_secs_f64();
            let state = run
                .state
                .as_ref()
                .map_or("unknown", |s| s.name.as_deref().unwrap_or(&s.type_));
            watch
                .progress(
                    elapsed,
                    timeout.as_secs_f64(),
                    format!("flow run {} is {state}", run.id),
                )
                .await;
            tokio::select! {
                _ = watch.cancellation().cancelled() => {
                    let stopped = ToolError::WaitCancelled {
                        flow_run_id: run.id.to_string(),
                    };
                    watch.stopped(stopped.message());
                    return Err(stopped);
                }
                _ = tokio::time::sleep(interval.min(deadline - now)) => {}
            }
            // Under 5 s: Prefect's server (uvicorn) drops connections idle for 5 s, and a poll
            // sent just then fails with "connection closed before message completed".
            interval = (interval * 2).min(Duration::from_secs(4));
            match self.read_flow_run(run.id).await {
                Ok(now) => {
                    run = now;
                    failed_polls = 0;
                }
                // A long wait outlives a passing network error; three in a row end it.
                Err(ToolError::Prefect {
                    source: PrefectError::Unreachable { .. } | PrefectError::Timeout { .. },
                    ..
                }) if failed_polls < 2 => failed_polls += 1,
                Err(error) => return Err(error),
            }
        }
    }
}
