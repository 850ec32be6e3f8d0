//! `resources/subscribe` (2025 era) past the per-session cap.

use super::*;
use futures::StreamExt;
use integration_tests::oauth::RecordingProxy;
use integration_tests::HttpServer;

/// the Limits table of docs/team-endpoint.md: 200 per session, no flag (one Prefect request polls them all).
const CAP: usize = 200;

#[tokio::test]
async fn past_200_subscriptions_a_session_is_refused_saying_so_and_others_still_subscribe() {
    let runs = ParkedRuns::make(CAP + 1, "subscribe").await;
    let proxy = RecordingProxy::start(&prefect_api_url()).await;
    let server = HttpServer::start(&[], &[("PREFECT_API_URL", &proxy.api_url)]);
    let a = RawSession::open(&server.mcp(), json!({})).await;

    let started = Instant::now();
    let replies: Vec<Value> = futures::stream::iter(&runs.ids[..CAP])
        .map(|id| a.request("resources/subscribe", json!({ "uri": run_uri(id) })))
        .buffer_unordered(8)
        .collect()
        .await;
    for reply in &replies {
        assert!(reply["result"].is_object(), "{reply}");
    }
    eprintln!(
        "{CAP} subscriptions in one session: {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let last = run_uri(&runs.ids[CAP]);
    let refused = a
        .request("resources/subscribe", json!({ "uri": last }))
        .await;
    let message = refused["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&format!("already watches {CAP} flow runs"))
            && message.contains("unsubscribe"),
        "the refusal states the cap: {refused}"
    );
    // A run it already watches is no new subscription: accepted at the cap.
    let again = a
        .request(
            "resources/subscribe",
            json!({ "uri": run_uri(&runs.ids[0]) }),
        )
        .await;
    assert!(again["result"].is_object(), "{again}");

    // The cap is the session's: another one subscribes to the refused run.
    let b = RawSession::open(&server.mcp(), json!({})).await;
    let other = b
        .request("resources/subscribe", json!({ "uri": last }))
        .await;
    assert!(
        other["result"].is_object(),
        "another session is refused: {other}"
    );

    // Unsubscribing makes room.
    let gone = a
        .request(
            "resources/unsubscribe",
            json!({ "uri": run_uri(&runs.ids[0]) }),
        )
        .await;
    assert!(gone["result"].is_object(), "{gone}");
    let room = a
        .request("resources/subscribe", json!({ "uri": last }))
        .await;
    assert!(
        room["result"].is_object(),
        "no room after unsubscribing: {room}"
    );

    // However many runs a session watches, one request polls them all: a filter naming all
    // 200 (each id is 36 bytes), and no more polls than two sessions' ticks (1.5 s) make.
    let deadline = Instant::now() + SETTLES_WITHIN;
    let polls = loop {
        let polls: Vec<usize> = proxy
            .heads()
            .iter()
            .filter(|h| h.starts_with("POST /api/flow_runs/filter "))
            .map(|h| content_length(h))
            .collect();
        if polls.iter().any(|&bytes| bytes > CAP * 36) {
            break polls;
        }
        assert!(
            Instant::now() < deadline,
            "no poll covered the {CAP} runs: {polls:?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let ticks = started.elapsed().as_secs_f64() / 1.5;
    assert!(
        polls.len() as f64 <= 2.0 * ticks + 4.0,
        "{} polls in {:.0} s: one per run, not one per session and tick",
        polls.len(),
        started.elapsed().as_secs_f64()
    );
}

fn content_length(head: &str) -> usize {
    head.lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0)
}
