//! What a real Prefect cannot easily show: outages, hangs, 5xx and 429, malformed and oversized
//! answers, and a client that goes away mid-call. The server must explain each and carry on.

use std::time::{Duration, Instant};

use integration_tests::*;
use serde_json::json;

const FLOW: &str = r#"{"id":"6d9a7f0e-3c1b-4b8e-9f2a-1a2b3c4d5e6f","name":"etl","tags":["prod"],"created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z","labels":{}}"#;

async fn connect_to(fake: &FakePrefect, extra: &[&str]) -> Session {
    let mut launch = Launch::default().env("PREFECT_API_URL", &fake.api_url);
    for arg in extra {
        launch = launch.arg(arg);
    }
    connect_with(launch).await.unwrap()
}

#[tokio::test]
async fn prefect_going_away_mid_session_is_reported_and_the_session_carries_on() {
    let fake = FakePrefect::start(vec![Answer::json(200, &format!("[{FLOW}]"))]).await;
    let s = connect_to(&fake, &[]).await;
    let flows = call_ok(&s, "list_flows", json!({})).await;
    assert_eq!(flows["flows"][0]["name"], "etl");
    fake.stop();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let err = call_err(&s, "list_flows", json!({})).await;
    assert!(
        err.contains("Cannot reach Prefect at") && err.contains(&fake.api_url),
        "{err}"
    );
    // Still answering MCP requests.
    assert!(s.list_all_tools().await.unwrap().len() > 10);
}

#[tokio::test]
async fn a_hanging_prefect_times_out_with_a_clear_error() {
    let fake = FakePrefect::start(vec![Answer::hang()]).await;
    let s = connect_to(&fake, &["--timeout", "1"]).await;
    let started = Instant::now();
    let err = call_err(&s, "get_flow_by_name", json!({"name": "etl"})).await;
    assert!(
        err.contains("did not answer in time") && err.contains("--timeout"),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the timeout was not applied"
    );
}

#[tokio::test]
async fn busy_and_rate_limited_answers_are_retried() {
    let fake = FakePrefect::start(vec![
        Answer::json(503, r#"{"exception_message":"database is locked"}"#),
        Answer::json(429, r#"{"detail":"slow down"}"#).header("retry-after", "1"),
        Answer::json(200, FLOW),
    ])
    .await;
    let s = connect_to(&fake, &[]).await;
    let flow = call_ok(&s, "get_flow_by_name", json!({"name": "etl"})).await;
    assert_eq!(flow["name"], "etl");
    assert_eq!(fake.request_count(), 3, "two retries, then success");
}

#[tokio::test]
async fn persistent_server_errors_are_reported_after_retries() {
    let fake = FakePrefect::start(vec![Answer::json(502, "<html>bad gateway</html>")]).await;
    let s = connect_to(&fake, &[]).await;
    let err = call_err(&s, "get_flow_by_name", json!({"name": "etl"})).await;
    assert!(err.contains("502") && err.contains("server-side"), "{err}");
    assert_eq!(
        fake.request_count(),
        4,
        "the first attempt and three retries"
    );
    let fake = FakePrefect::start(vec![Answer::json(
        500,
        r#"{"exception_message":"Internal Server Error"}"#,
    )])
    .await;
    let s = connect_to(&fake, &[]).await;
    let err = call_err(&s, "list_flows", json!({})).await;
    assert!(
        err.contains("500") && err.contains("Internal Server Error"),
        "{err}"
    );
    assert_eq!(fake.request_count(), 1, "a 500 is not retried");
}

#[tokio::test]
async fn malformed_answers_are_reported_not_panicked_on() {
    for body in ["this is not json", r#"{"id": 3}"#, "[{\"id\": \"x\"}]"] {
        let fake = FakePrefect::start(vec![Answer::json(200, body)]).await;
        let s = connect_to(&fake, &[]).await;
        let err = call_err(&s, "get_flow_by_name", json!({"name": "etl"})).await;
        assert!(err.contains("could not be understood"), "{body}: {err}");
        let err = call_err(&s, "list_flows", json!({})).await;
        assert!(err.contains("could not be understood"), "{body}: {err}");
    }
}

#[tokio::test]
async fn oversized_answers_are_refused_before_being_read() {
    let huge = format!("[{}]", vec![FLOW; 300_000].join(","));
    assert!(huge.len() > 32 * 1024 * 1024);
    let fake = FakePrefect::start(vec![Answer::json(200, &huge)]).await;
    let s = connect_to(&fake, &[]).await;
    let err = call_err(&s, "list_flows", json!({})).await;
    assert!(err.contains("too large") && err.contains("limit"), "{err}");
}

/// The client closes stdin while a create waits for its run: the server must stop at once,
/// not sit out the 600 s wait (no task left running).
#[test]
fn a_client_disconnecting_during_a_wait_ends_the_server() {
    let mut server = RawStdioServer::start();
    server.send(
        r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"create_flow_run_from_deployment","arguments":{"deployment_id":"mcp-slow/slow","name":"disconnected-wait","parameters":{"seconds":20},"timeout":600},"_meta":{"progressToken":"wait"}}}"#,
    );
    // The first progress notification says the run exists and the wait has begun.
    loop {
        let line = server
            .read_line()
            .expect("the server exited before it began waiting");
        assert!(!line.contains("\"id\":2"), "the call ended early: {line}");
        if line.contains("notifications/progress") {
            break;
        }
    }
    server.close_stdin();
    let started = Instant::now();
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the server kept waiting after the client left"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `subscriptions/listen` on a run whose first read fails (Prefect busy: a 500) still watches
/// it: the next poll's answer is announced. Before, the run was dropped and the client waited
/// for an update that never came (seen once as the Python SDK 2.x context test timing out).
#[tokio::test]
async fn listen_keeps_a_run_whose_first_read_failed() {
    let run = std::fs::read_to_string(
        workspace_root().join("server/tests/fixtures/flow_run_completed.json"),
    )
    .expect("fixture");
    let id = serde_json::from_str::<serde_json::Value>(&run).expect("fixture json")["id"]
        .as_str()
        .expect("fixture id")
        .to_string();
    let fake = FakePrefect::start(vec![
        Answer::json(500, r#"{"detail":"database is locked"}"#),
        Answer::json(200, &format!("[{run}]")),
    ])
    .await;
    let server = HttpServer::start(&["--stateless"], &[("PREFECT_API_URL", &fake.api_url)]);
    let uri = format!("prefect://flow-runs/{id}");
    let messages = replicas::listen_2026(
        &server.mcp(),
        std::slice::from_ref(&uri),
        Duration::from_secs(30),
        |messages| {
            messages
                .iter()
                .any(|m| m["method"] == "notifications/resources/updated")
        },
    )
    .await;
    let update = messages
        .iter()
        .find(|m| m["method"] == "notifications/resources/updated")
        .expect("an update");
    assert_eq!(update["params"]["uri"], uri.as_str(), "{messages:?}");
}
