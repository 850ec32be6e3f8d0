//! The hostile tier: careless and hostile HTTP clients against the real binary, each case with a
//! bound (status, time, memory). Memory and timing figures themselves are `cargo xtask bench`'s;
//! the bounds here are generous enough for a busy machine. Independent of the Prefect version:
//! run it once per CI run (`cargo xtask test -- --test hostile`).
//!
//! tier: once

use std::time::{Duration, Instant};

use integration_tests::raw_http::*;
use integration_tests::*;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// VmRSS of a process, in MB.
fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS");
    kb / 1024.0
}

#[tokio::test]
async fn abandoned_sessions_are_capped_and_a_new_client_is_always_served() {
    let server = HttpServer::start(&[], &[]);
    let http = reqwest::Client::new();
    let mut first = None;
    let mut last = String::new();
    // Warm up the allocator and rmcp's first-use state before the baseline.
    for i in 0..20 {
        post(&http, &server.mcp(), &initialize(i), &[]).await;
    }
    let before = rss_mb(server.pid());
    for i in 0..3_000 {
        let response = post(&http, &server.mcp(), &initialize(i), &[]).await;
        assert_eq!(response.status(), 200, "session {i} was refused");
        let id = response.headers()["mcp-session-id"]
            .to_str()
            .unwrap()
            .to_string();
        first.get_or_insert(id.clone());
        last = id;
    }
    let grown = rss_mb(server.pid()) - before;
    eprintln!("3,000 abandoned sessions: RSS grew by {grown:.1} MB");
    assert!(
        grown <= 64.0,
        "3,000 abandoned sessions added {grown:.1} MB (bound 64 MB)"
    );

    let ping = json!({"jsonrpc": "2.0", "id": 9, "method": "ping"});
    let evicted = post(
        &http,
        &server.mcp(),
        &ping,
        &[("mcp-session-id", first.as_deref().unwrap())],
    )
    .await;
    assert_eq!(
        evicted.status(),
        404,
        "the least recently used session is closed at the cap"
    );
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    post(
        &http,
        &server.mcp(),
        &initialized,
        &[("mcp-session-id", &last)],
    )
    .await;
    let newest = post(&http, &server.mcp(), &ping, &[("mcp-session-id", &last)]).await;
    assert_eq!(newest.status(), 200, "the newest session still works");
}

/// Open a connection, send `bytes`, then wait; how long until the server gave up on it, and
/// what it said.
async fn abandon_after(address: String, bytes: Vec<u8>) -> (Duration, String) {
    let started = Instant::now();
    let mut stream = TcpStream::connect(&address).await.expect("connect");
    stream.write_all(&bytes).await.expect("write");
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(90), stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the server held a half-sent request for 90 s");
    (
        started.elapsed(),
        String::from_utf8_lossy(&answer).into_owned(),
    )
}

#[tokio::test]
async fn half_sent_requests_are_cut_off() {
    let server = HttpServer::start(&["--stateless"], &[]);
    let address = server.address().to_string();
    let half_head =
        format!("POST /mcp HTTP/1.1\r\nHost: {address}\r\nContent-Type: appl").into_bytes();
    let half_body = format!(
        "POST /mcp HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Accept: {ACCEPT}\r\nContent-Length: 200\r\n\r\n{{\"jsonrpc\": \"2.0\","
    )
    .into_bytes();
    let mut clients = Vec::new();
    for i in 0..300 {
        let bytes = if i % 10 == 0 { &half_body } else { &half_head };
        clients.push(tokio::spawn(abandon_after(address.clone(), bytes.clone())));
    }
    for client in clients {
        let (waited, answer) = client.await.unwrap();
        assert!(
            waited <= Duration::from_secs(45),
            "a half-sent request was cut off only after {waited:?} (bound 45 s)"
        );
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
            "unexpected answer to a half-sent request: {answer}"
        );
    }
    let health = reqwest::get(format!("{}/health", server.base))
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "the server still serves");
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413() {
    let server = HttpServer::start(&["--stateless"], &[]);
    let http = reqwest::Client::new();
    let padding = "x".repeat(2 * 1024 * 1024);
    let big = tool_call("search_flows", json!({ "name": padding }));
    let announced = post(&http, &server.mcp(), &big, &[]).await;
    assert_eq!(announced.status(), 413);
    assert!(announced
        .text()
        .await
        .unwrap()
        .contains("--max-request-bytes"));

    // The same without Content-Length: counted as it arrives.
    let chunks: Vec<Result<String, std::io::Error>> = big
        .to_string()
        .into_bytes()
        .chunks(64 * 1024)
        .map(|c| Ok(String::from_utf8_lossy(c).into_owned()))
        .collect();
    let chunked = http
        .post(server.mcp())
        .header("content-type", "application/json")
        .header("accept", ACCEPT)
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    assert_eq!(chunked.status(), 413);
}

#[tokio::test]
async fn past_the_in_flight_limit_a_request_gets_503_with_retry_after() {
    // Prefect never answers, so the first two calls stay in flight.
    let fake = FakePrefect::start(vec![Answer::hang()]).await;
    let server = HttpServer::start(
        &["--stateless", "--max-in-flight", "2"],
        &[("PREFECT_API_URL", &fake.api_url)],
    );
    let http = reqwest::Client::new();
    let mut waiting = Vec::new();
    for _ in 0..2 {
        let (http, url) = (http.clone(), server.mcp());
        waiting.push(tokio::spawn(async move {
            post(&http, &url, &tool_call("list_flows", json!({})), &[]).await
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while fake.request_count() < 2 {
        assert!(Instant::now() < deadline, "the calls never reached Prefect");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let refused = post(
        &http,
        &server.mcp(),
        &tool_call("list_flows", json!({})),
        &[],
    )
    .await;
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()["retry-after"], "1");
    assert!(refused.text().await.unwrap().contains("--max-in-flight"));
    let health = reqwest::get(format!("{}/health", server.base))
        .await
        .unwrap();
    assert_eq!(
        health.status(),
        200,
        "/health is not counted against the limit"
    );
    for call in waiting {
        call.abort();
    }
}

#[tokio::test]
async fn the_servers_own_origin_passes_and_a_foreign_one_is_refused() {
    let server = HttpServer::start(&["--stateless"], &[]);
    let http = reqwest::Client::new();
    let port = server.address().rsplit(':').next().unwrap().to_string();
    let call = tool_call("list_flows", json!({"limit": 1}));
    for origin in [
        format!("http://localhost:{port}"),
        format!("http://127.0.0.1:{port}"),
    ] {
        let response = post(&http, &server.mcp(), &call, &[("origin", &origin)]).await;
        assert_eq!(response.status(), 200, "own origin {origin} is refused");
    }
    for origin in [
        "http://evil.example".to_string(),
        format!("http://evil.example:{port}"),
        "http://localhost:1".to_string(),
        "null".to_string(),
    ] {
        let response = post(&http, &server.mcp(), &call, &[("origin", &origin)]).await;
        assert_eq!(response.status(), 403, "foreign origin {origin} passes");
    }
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let server = HttpServer::start(&["--stateless", "--http-token", "t0ken-abc"], &[]);
    let http = reqwest::Client::new();
    let call = tool_call("list_flows", json!({"limit": 1}));
    for header in ["bearer t0ken-abc", "BEARER t0ken-abc", "Bearer t0ken-abc"] {
        let response = post(&http, &server.mcp(), &call, &[("authorization", header)]).await;
        assert_eq!(response.status(), 200, "{header:?} is refused");
    }
    let wrong = post(
        &http,
        &server.mcp(),
        &call,
        &[("authorization", "bearer t0ken-abd")],
    )
    .await;
    assert_eq!(wrong.status(), 401);
}

#[tokio::test]
async fn debug_logs_carry_neither_bodies_nor_secrets() {
    let mut server = HttpServer::start_logged(
        &["--stateless", "--log-level", "debug"],
        &[
            ("PREFECT_MCP_HTTP_TOKEN", "t0ken-in-logs"),
            ("PREFECT_API_KEY", "pnu_key_in_logs"),
        ],
    );
    let url = server.mcp();
    let http = reqwest::Client::new();
    let call = tool_call("search_flows", json!({"name": "canary-argument-5e1f"}));
    let response = post(
        &http,
        &url,
        &call,
        &[("authorization", "Bearer t0ken-in-logs")],
    )
    .await;
    assert_eq!(response.status(), 200);
    server.kill();
    let logs = server.log_text();
    assert!(
        logs.contains("prefect request"),
        "our own debug lines are kept:\n{logs}"
    );
    for secret in ["canary-argument-5e1f", "t0ken-in-logs", "pnu_key_in_logs"] {
        assert!(!logs.contains(secret), "{secret} is in the logs:\n{logs}");
    }
}

#[tokio::test]
async fn path_segments_are_refused_as_names_before_any_request() {
    let fake = FakePrefect::start(vec![Answer::json(200, "{}")]).await;
    let server = HttpServer::start(&["--stateless"], &[("PREFECT_API_URL", &fake.api_url)]);
    let http = reqwest::Client::new();
    for (tool, arguments) in [
        (
            "get_deployment_by_name",
            json!({"name": "../0b6f8f6e-8d1c-4f0e-9a65-5f0e0c3b7a11"}),
        ),
        ("get_deployment_by_name", json!({"name": "./x"})),
        ("get_flow_by_name", json!({"name": ".."})),
        ("get_work_pool", json!({"name": "a/b"})),
    ] {
        let reply = answer_of(
            post(
                &http,
                &server.mcp(),
                &tool_call(tool, arguments.clone()),
                &[],
            )
            .await,
        )
        .await;
        let text = reply["result"]["content"][0]["text"]
            .as_str()
            .unwrap_or_default();
        assert_eq!(
            reply["result"]["isError"], true,
            "{tool} {arguments}: {reply}"
        );
        assert!(text.contains("is not a name"), "{tool} {arguments}: {text}");
    }
    assert_eq!(fake.request_count(), 0, "no request reached Prefect");
}

#[tokio::test]
async fn stateless_http_refuses_the_subscriptions_it_cannot_deliver() {
    let server = HttpServer::start(&["--stateless"], &[]);
    let http = reqwest::Client::new();
    let reply = answer_of(post(&http, &server.mcp(), &initialize(1), &[]).await).await;
    let resources = &reply["result"]["capabilities"]["resources"];
    // A 2025-era client (the only one that initializes) is not offered resources/subscribe,
    // which it could not use here; subscriptions/listen (2026-07-28) still carries its updates
    // on its own request, which any replica serves (tests/tests/replicas.rs,
    // tests/tests/resilience.rs).
    assert!(resources.is_object(), "{reply}");
    assert_ne!(resources["subscribe"], true, "{reply}");
    // A server with sessions offers it.
    let stateful = HttpServer::start(&[], &[]);
    let offered = answer_of(post(&http, &stateful.mcp(), &initialize(1), &[]).await).await;
    assert_eq!(
        offered["result"]["capabilities"]["resources"]["subscribe"], true,
        "{offered}"
    );
    // The 2025-era resources/subscribe would need a session to carry its updates: refused,
    // saying what to use instead.
    let subscribe = json!({"jsonrpc": "2.0", "id": 2, "method": "resources/subscribe",
        "params": {"uri": "prefect://flow-runs/0b6f8f6e-8d1c-4f0e-9a65-5f0e0c3b7a11"}});
    let reply = answer_of(post(&http, &server.mcp(), &subscribe, &[]).await).await;
    let message = reply["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("--stateless") && message.contains("subscriptions/listen"),
        "{reply}"
    );
}

#[tokio::test]
async fn with_prefect_down_resources_list_still_lists_the_skill_and_says_why() {
    let fake = FakePrefect::start(vec![Answer::json(200, "[]")]).await;
    fake.stop();
    let server = HttpServer::start(&["--stateless"], &[("PREFECT_API_URL", &fake.api_url)]);
    let http = reqwest::Client::new();
    let list = json!({"jsonrpc": "2.0", "id": 1, "method": "resources/list"});
    let reply = answer_of(post(&http, &server.mcp(), &list, &[]).await).await;
    let resources = reply["result"]["resources"]
        .as_array()
        .expect("a list, not an error");
    assert!(
        resources
            .iter()
            .any(|r| r["uri"].as_str().is_some_and(|u| u.starts_with("skill://"))),
        "{reply}"
    );
    let why = reply["result"]["_meta"]["io.github.prefect-mcp/runs-unavailable"]
        .as_str()
        .unwrap_or_default();
    assert!(
        why.contains(&fake.api_url),
        "the reason names Prefect's URL: {reply}"
    );
}
