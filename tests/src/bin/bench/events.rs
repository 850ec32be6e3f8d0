//! What waiting costs Prefect: requests per minute for N waiting calls and N subscribed runs
//! (N = 1, 20, 200), and the time from a run's final state to the wait's answer and to the
//! update notification, with the server's event stream and with its polling fallback.
//!
//! Prefect is reached through the counting proxy of the tests (`event_proxy`); the fallback is
//! forced the way a real proxy forces it, by refusing the websocket upgrade, so the server runs
//! unchanged. Runs are parked (scheduled in 2099, no deployment: nothing moves them) and
//! finished by setting their state straight in Prefect, as a worker would.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use integration_tests::event_proxy::EventProxy;
use integration_tests::raw_http::{Events, RawSession};
use integration_tests::{
    connect_with, force_state, prefect_api_url, HttpServer, Launch, ParkedRuns,
};
use rmcp::model::CallToolRequestParams;
use serde_json::Value;

use crate::latency::{ms, percentile};

/// How many waits or subscribed runs each measure runs with.
const SIZES: [usize; 3] = [1, 20, 200];
/// How long the requests are counted, once every wait or subscription is in place.
const WINDOW: Duration = Duration::from_secs(20);
/// Runs finished one after the other to time the answer (at most; N = 1 has one run).
const SAMPLES: usize = 5;
/// Subscribed runs per HTTP session (50 runs over 10 sessions in the goal).
const RUNS_PER_SESSION: usize = 5;
/// Longer than any measure here: no wait ends on its own.
const WAIT_SECONDS: u64 = 600;
/// The most a step of the bench waits for the server before it gives up.
const SETTLES_WITHIN: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Stream,
    /// The websocket upgrade refused: the server's polling fallback.
    Polling,
}

/// One measure: Prefect requests per minute in the steady state, and the latencies sampled.
struct Measure {
    per_minute: f64,
    latencies: Vec<Duration>,
}

/// The table's rows.
pub async fn lines() -> Result<Vec<String>> {
    let mut lines = Vec::new();
    for (kind, what) in [
        (Kind::Waits, "waiting calls (stdio)"),
        (Kind::Subscriptions, "subscribed runs (HTTP, 5 per session)"),
    ] {
        for (mode, label, target) in [
            (Mode::Stream, "event stream", "≤ 20 (10 in 30 s)"),
            (Mode::Polling, "polling fallback (websocket refused)", ""),
        ] {
            let mut rates = Vec::new();
            let mut samples = Vec::new();
            for n in SIZES {
                let measure = kind.measure(n, mode).await?;
                rates.push(format!("{:.0}", measure.per_minute));
                samples.extend(measure.latencies);
            }
            samples.sort();
            lines.push(format!(
                "| Prefect requests/min, N = {} {what}: {label} | {} | {target} |",
                SIZES.map(|n| n.to_string()).join(" / "),
                rates.join(" / ")
            ));
            let answer = match kind {
                Kind::Waits => "the wait's answer",
                Kind::Subscriptions => "the update notification",
            };
            lines.push(format!(
                "| final state to {answer}, p50 / max of {}: {label} | {} / {} ms | {} |",
                samples.len(),
                ms(percentile(&samples, 0.5)),
                ms(*samples.last().context("no latency sampled")?),
                if mode == Mode::Stream {
                    "≤ 300 / 600 ms"
                } else {
                    ""
                }
            ));
        }
    }
    Ok(lines)
}

#[derive(Clone, Copy)]
enum Kind {
    Waits,
    Subscriptions,
}

impl Kind {
    async fn measure(self, n: usize, mode: Mode) -> Result<Measure> {
        let runs = ParkedRuns::make(n, "bench").await;
        let proxy = EventProxy::start(&prefect_api_url()).await;
        proxy.refuse_websockets(mode == Mode::Polling);
        match self {
            Kind::Waits => waits(&runs.ids, &proxy, mode).await,
            Kind::Subscriptions => subscriptions(&runs.ids, &proxy, mode).await,
        }
    }
}

/// Wait until `done` holds, or fail naming `what`.
async fn until(what: &str, done: impl Fn() -> bool) -> Result<()> {
    let deadline = Instant::now() + SETTLES_WITHIN;
    while !done() {
        if Instant::now() > deadline {
            bail!("bench: {what} did not happen within {SETTLES_WITHIN:?}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

/// The stream open (or refused), and nothing more owed to the start: the requests counted
/// from here are what waiting costs.
async fn settled(proxy: &EventProxy, mode: Mode) -> Result<()> {
    match mode {
        Mode::Stream => until("the event stream opening", || proxy.websockets_open() == 1).await?,
        Mode::Polling => until("the websocket refusal", || proxy.websockets_refused() >= 1).await?,
    }
    // The read by ids after subscribing, and the fallback's first quick polls.
    tokio::time::sleep(Duration::from_secs(3)).await;
    Ok(())
}

/// Prefect requests per minute over [`WINDOW`].
async fn rate(proxy: &EventProxy) -> f64 {
    let before = proxy.requests().len();
    tokio::time::sleep(WINDOW).await;
    let counted = proxy.requests().len() - before;
    counted as f64 * 60.0 / WINDOW.as_secs_f64()
}

/// N `wait_for_flow_run` calls on one stdio server.
async fn waits(ids: &[String], proxy: &EventProxy, mode: Mode) -> Result<Measure> {
    let session = connect_with(Launch::default().env("PREFECT_API_URL", &proxy.api_url)).await?;
    let answered: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let mut calls = Vec::new();
    for id in ids {
        let (peer, answered, id) = (session.peer().clone(), answered.clone(), id.clone());
        calls.push(tokio::spawn(async move {
            let request = CallToolRequestParams::new("wait_for_flow_run").with_arguments(
                rmcp::object!({"flow_run_id": id.clone(), "timeout": WAIT_SECONDS}),
            );
            let result = peer.call_tool(request).await;
            answered.lock().expect("answers").insert(id, Instant::now());
            result
        }));
    }
    // Each call reads its run once before it waits.
    until("every call reading its run", || {
        proxy.requests().len() >= ids.len()
    })
    .await?;
    settled(proxy, mode).await?;
    let per_minute = rate(proxy).await;
    let mut latencies = Vec::new();
    for id in ids.iter().take(SAMPLES) {
        let finished = Instant::now();
        force_state(id, "COMPLETED").await;
        until("the wait's answer", || {
            answered.lock().expect("answers").contains_key(id)
        })
        .await?;
        latencies.push(answered.lock().expect("answers")[id] - finished);
    }
    session.cancel().await.ok();
    for call in calls {
        call.abort();
    }
    Ok(Measure {
        per_minute,
        latencies,
    })
}

/// N runs subscribed to with `resources/subscribe`, [`RUNS_PER_SESSION`] per HTTP session.
async fn subscriptions(ids: &[String], proxy: &EventProxy, mode: Mode) -> Result<Measure> {
    let server = HttpServer::start(&[], &[("PREFECT_API_URL", &proxy.api_url)]);
    let uri = |id: &str| format!("prefect://flow-runs/{id}");
    let mut sessions: Vec<(RawSession, Events)> = Vec::new();
    for chunk in ids.chunks(RUNS_PER_SESSION) {
        sessions.push(RawSession::subscribed_to_runs(&server.mcp(), chunk).await);
    }
    settled(proxy, mode).await?;
    let per_minute = rate(proxy).await;
    let mut latencies = Vec::new();
    for (i, id) in ids.iter().enumerate().take(SAMPLES) {
        let wanted = uri(id);
        let finished = Instant::now();
        force_state(id, "COMPLETED").await;
        let updates = &mut sessions[i / RUNS_PER_SESSION].1;
        updates
            .find(SETTLES_WITHIN, |m: &Value| {
                m["method"] == "notifications/resources/updated"
                    && m["params"]["uri"] == wanted.as_str()
            })
            .await
            .with_context(|| format!("no update for {wanted}"))?;
        latencies.push(finished.elapsed());
    }
    for (session, _) in &sessions {
        session.close().await;
    }
    Ok(Measure {
        per_minute,
        latencies,
    })
}
