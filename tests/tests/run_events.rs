//! Waits driven by Prefect's event websocket, against the real Prefect through a proxy that
//! counts HTTP requests and websockets and can refuse or drop the websocket, or play an outage
//! (a Prefect restart as the server sees it). Counts are asserted, never times: the latency
//! figures are `cargo xtask bench`'s. The event stream differs between Prefect releases
//! (subprotocol, auth), so this file runs on every tier.

use std::time::Duration;

use futures::future::join_all;
use integration_tests::event_proxy::{self, EventProxy};
use integration_tests::raw_http::RawSession;
use integration_tests::*;
use serde_json::{json, Value};

/// How long a test waits for something the server does on its own (a reconnect, a poll).
const SETTLES_WITHIN: Duration = Duration::from_secs(60);

/// Wait until `done` holds, failing after [`SETTLES_WITHIN`] with `what`.
async fn until(what: &str, done: impl Fn() -> bool) {
    event_proxy::until(what, SETTLES_WITHIN, done).await
}

/// A stdio server whose Prefect is behind `proxy`.
async fn server_behind(proxy: &EventProxy) -> Session {
    connect_with(Launch::default().env("PREFECT_API_URL", &proxy.api_url))
        .await
        .expect("start the server")
}

async fn wait_for(session: &Session, id: &str, timeout: u64) -> Value {
    call_ok(
        session,
        "wait_for_flow_run",
        json!({"flow_run_id": id, "timeout": timeout}),
    )
    .await
}

fn assert_finished(waited: &Value, state_type: &str) {
    assert_eq!(waited["wait"], "final_state", "{waited}");
    assert_eq!(waited["flow_run"]["state"]["type"], state_type, "{waited}");
}

#[tokio::test]
async fn twenty_waits_cost_prefect_one_websocket_and_a_few_requests() {
    let runs = ParkedRuns::make(20, "events-twenty").await;
    let proxy = EventProxy::start(&prefect_api_url()).await;
    let session = server_behind(&proxy).await;
    let waits = join_all(runs.ids.iter().map(|id| wait_for(&session, id, 30)));
    let finish_one = async {
        until("the event stream opens", || proxy.websockets_open() == 1).await;
        force_state(&runs.ids[0], "COMPLETED").await;
    };
    let (waited, ()) = tokio::join!(waits, finish_one);

    assert_finished(&waited[0], "COMPLETED");
    for other in &waited[1..] {
        assert_eq!(other["wait"], "timed_out", "{other}");
    }
    // Each call reads its run once before it waits; waiting itself reads the watched runs by
    // ids (one request for all) and the finished run once more. Polling made ~160.
    let requests = proxy.requests();
    eprintln!(
        "20 waits of 30 s: {} Prefect requests, {} websocket(s)",
        requests.len(),
        proxy.websockets_opened()
    );
    assert!(
        requests.len() <= 20 + 10,
        "{} Prefect requests while 20 calls waited 30 s: {requests:#?}",
        requests.len()
    );
    assert_eq!(proxy.websockets_opened(), 1, "one stream for all waits");
    until("the stream closes with the last wait", || {
        proxy.websockets_open() == 0
    })
    .await;
    session.cancel().await.ok();
}

#[tokio::test]
async fn a_state_change_while_the_stream_is_dropped_still_ends_the_wait() {
    let runs = ParkedRuns::make(1, "events-dropped").await;
    let proxy = EventProxy::start(&prefect_api_url()).await;
    let session = server_behind(&proxy).await;
    let change_while_down = async {
        until("the event stream opens", || proxy.websockets_open() == 1).await;
        proxy.drop_websockets();
        force_state(&runs.ids[0], "FAILED").await;
    };
    let (waited, ()) = tokio::join!(wait_for(&session, &runs.ids[0], 300), change_while_down);
    assert_finished(&waited, "FAILED");
    session.cancel().await.ok();
}

#[tokio::test]
async fn with_the_websocket_refused_waits_poll_and_still_end() {
    let runs = ParkedRuns::make(3, "events-refused").await;
    let proxy = EventProxy::start(&prefect_api_url()).await;
    proxy.refuse_websockets(true);
    let session = server_behind(&proxy).await;
    let waits = join_all(runs.ids.iter().map(|id| wait_for(&session, id, 300)));
    let finish_all = async {
        until("the upgrade is refused", || proxy.websockets_refused() >= 1).await;
        for id in &runs.ids {
            force_state(id, "COMPLETED").await;
        }
    };
    let (waited, ()) = tokio::join!(waits, finish_all);
    for one in &waited {
        assert_finished(one, "COMPLETED");
    }
    assert_eq!(proxy.websockets_opened(), 0);
    // The three waits share their polls: no single-run reads besides each call's own.
    let single_reads = proxy
        .requests()
        .iter()
        .filter(|r| r.starts_with("GET /api/flow_runs/"))
        .count();
    assert!(single_reads <= 3 + 3, "{:#?}", proxy.requests());
    session.cancel().await.ok();
}

#[tokio::test]
async fn a_prefect_outage_in_the_middle_of_waits_is_survived_and_the_stream_comes_back() {
    let runs = ParkedRuns::make(3, "events-outage").await;
    let proxy = EventProxy::start(&prefect_api_url()).await;
    let session = server_behind(&proxy).await;
    let waits = join_all(runs.ids.iter().map(|id| wait_for(&session, id, 300)));
    let script = async {
        until("the event stream opens", || proxy.websockets_open() == 1).await;
        proxy.outage(true);
        // Changes Prefect makes while the server cannot reach it.
        force_state(&runs.ids[0], "COMPLETED").await;
        force_state(&runs.ids[1], "CANCELLED").await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        proxy.outage(false);
        // The stream is tried again after the polling that stood in for it.
        until("the event stream reopens", || proxy.websockets_open() == 1).await;
        force_state(&runs.ids[2], "COMPLETED").await;
    };
    let (waited, ()) = tokio::join!(waits, script);
    assert_finished(&waited[0], "COMPLETED");
    assert_finished(&waited[1], "CANCELLED");
    assert_finished(&waited[2], "COMPLETED");
    assert!(proxy.websockets_opened() >= 2);
    session.cancel().await.ok();
}

#[tokio::test]
async fn fifty_subscribed_runs_over_ten_sessions_cost_prefect_nothing_while_unchanged() {
    let runs = ParkedRuns::make(50, "events-subscribed").await;
    let proxy = EventProxy::start(&prefect_api_url()).await;
    let server = HttpServer::start(&[], &[("PREFECT_API_URL", &proxy.api_url)]);
    let uri = |id: &str| format!("prefect://flow-runs/{id}");
    let mut sessions = Vec::new();
    for chunk in runs.ids.chunks(5) {
        sessions.push(RawSession::subscribed_to_runs(&server.mcp(), chunk).await);
    }
    until("the event stream opens", || proxy.websockets_open() == 1).await;
    // Polling read each session's runs every 1.5 s: ~66 requests in these 10 s.
    let subscribed = proxy.requests().len();
    tokio::time::sleep(Duration::from_secs(10)).await;
    let requests = proxy.requests();
    assert!(
        requests.len() - subscribed <= 10,
        "{:#?}",
        &requests[subscribed..]
    );

    force_state(&runs.ids[7], "COMPLETED").await;
    let updates = &mut sessions[1].1;
    let update = updates
        .find(SETTLES_WITHIN, |m| {
            m["method"] == "notifications/resources/updated"
        })
        .await
        .expect("the finished run's update");
    assert_eq!(update["params"]["uri"], uri(&runs.ids[7]).as_str());
    assert_eq!(proxy.websockets_opened(), 1, "one stream for all sessions");
}
