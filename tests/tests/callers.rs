//! Callers kept apart on one HTTP endpoint, told apart here by their own Prefect credentials
//! (`--per-request-auth`; OAuth subjects are the OAuth tier's): a session belongs to the caller
//! that opened it (anyone else gets 404, as for an unknown session, on POST, GET and DELETE);
//! one caller opening the session cap's worth of sessions closes only its own; one caller
//! holding its share of long waits is refused (503) while another is still served. Prefect is
//! a stand-in that never answers, so that a call stays in flight as long as the test wants.
//!
//! tier: once

use std::time::{Duration, Instant};

use integration_tests::raw_http::*;
use integration_tests::*;
use serde_json::json;

const KEY: &str = "x-prefect-api-key";

/// A session opened by hand with a caller's headers; its id.
async fn open(http: &reqwest::Client, url: &str, key: &str) -> String {
    let response = post(http, url, &initialize(1), &[(KEY, key)]).await;
    assert_eq!(response.status(), 200, "{key} could not open a session");
    let id = response.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_string();
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let status = post(http, url, &initialized, &in_session(&id, key))
        .await
        .status();
    assert!(status.is_success(), "notifications/initialized: {status}");
    id
}

fn in_session<'a>(id: &'a str, key: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut headers = vec![("mcp-session-id", id), ("mcp-protocol-version", PROTOCOL)];
    if !key.is_empty() {
        headers.push((KEY, key));
    }
    headers
}

fn list_tools() -> serde_json::Value {
    json!({"jsonrpc": "2.0", "id": 7, "method": "tools/list", "params": {}})
}

/// The status of `tools/list` in session `id` sent as caller `key` ("" for none).
async fn list_status(http: &reqwest::Client, url: &str, id: &str, key: &str) -> u16 {
    post(http, url, &list_tools(), &in_session(id, key))
        .await
        .status()
        .as_u16()
}

async fn send(request: reqwest::RequestBuilder, id: &str, key: &str) -> u16 {
    let mut request = request
        .header("mcp-session-id", id)
        .header("mcp-protocol-version", PROTOCOL)
        .header("accept", "text/event-stream");
    if !key.is_empty() {
        request = request.header(KEY, key);
    }
    tokio::time::timeout(ANSWER_BOUND, request.send())
        .await
        .expect("answered in time")
        .expect("send")
        .status()
        .as_u16()
}

#[tokio::test]
async fn another_callers_session_id_is_unknown_and_the_cap_closes_only_the_greedy_ones() {
    let fake = FakePrefect::start(vec![Answer::hang()]).await;
    let server = HttpServer::start(
        &[
            "--per-request-auth",
            "optional",
            "--max-sessions",
            "6",
            "--max-sessions-per-caller",
            "3",
        ],
        &[("PREFECT_API_URL", &fake.api_url)],
    );
    let (http, url) = (reqwest::Client::new(), server.mcp());
    let a = open(&http, &url, "key-of-a").await;
    let b = open(&http, &url, "key-of-b").await;

    // B (and the operator, with no key) naming A's session: 404, as for an unknown session.
    for intruder in ["key-of-b", ""] {
        assert_eq!(list_status(&http, &url, &a, intruder).await, 404);
        assert_eq!(send(http.get(&url), &a, intruder).await, 404, "GET");
        assert_eq!(send(http.delete(&url), &a, intruder).await, 404, "DELETE");
    }
    assert_eq!(
        list_status(&http, &url, &a, "key-of-a").await,
        200,
        "A's session survived B's DELETE"
    );

    // A opens the whole cap's worth of sessions: only A's own are closed, B's stays.
    for _ in 0..6 {
        open(&http, &url, "key-of-a").await;
    }
    assert_eq!(
        list_status(&http, &url, &b, "key-of-b").await,
        200,
        "B's session was closed by A's"
    );
    assert_eq!(
        list_status(&http, &url, &a, "key-of-a").await,
        404,
        "A's least recently used session made room for A's new ones"
    );
    assert_eq!(send(http.delete(&url), &b, "key-of-b").await, 202);
}

#[tokio::test]
async fn a_caller_holding_its_share_of_long_waits_leaves_others_served() {
    let fake = FakePrefect::start(vec![Answer::hang()]).await;
    let server = HttpServer::start(
        &[
            "--stateless",
            "--per-request-auth",
            "optional",
            "--max-in-flight-per-caller",
            "2",
        ],
        &[("PREFECT_API_URL", &fake.api_url)],
    );
    let (http, url) = (reqwest::Client::new(), server.mcp());
    let mut waiting = Vec::new();
    for _ in 0..2 {
        let (http, url) = (http.clone(), url.clone());
        waiting.push(tokio::spawn(async move {
            let call = tool_call("list_flows", json!({}));
            post(&http, &url, &call, &[(KEY, "key-of-a")]).await
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while fake.request_count() < 2 {
        assert!(Instant::now() < deadline, "A's calls never reached Prefect");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let refused = post(&http, &url, &list_tools(), &[(KEY, "key-of-a")]).await;
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()["retry-after"], "1");
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("--max-in-flight-per-caller"));

    for other in [vec![(KEY, "key-of-b")], vec![]] {
        let served = post(&http, &url, &list_tools(), &other).await;
        assert_eq!(served.status(), 200, "{other:?} is locked out by A");
        let tools = answer_of(served).await;
        assert!(tools["result"]["tools"].is_array(), "{tools}");
    }
    // B's own call reaches Prefect too.
    let b_call = {
        let (http, url) = (http.clone(), url.clone());
        tokio::spawn(async move {
            let call = tool_call("list_flows", json!({}));
            post(&http, &url, &call, &[(KEY, "key-of-b")]).await
        })
    };
    while fake.request_count() < 3 {
        assert!(Instant::now() < deadline, "B's call never reached Prefect");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // A's waits ending give A its share back.
    for call in waiting {
        call.abort();
    }
    b_call.abort();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let again = post(&http, &url, &list_tools(), &[(KEY, "key-of-a")]).await;
        if again.status() == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "A's share never came back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
