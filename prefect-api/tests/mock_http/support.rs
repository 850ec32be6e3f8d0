//! Fixtures shared by the mock HTTP tests: a flow, its endpoint, clients with fast retries, and
//! servers that refuse or never answer.

use std::time::Duration;

use mockito::{Matcher, Mock, Server, ServerGuard};
use prefect_api::{Client, ClientBuilder, PrefectCall, PrefectError};
use serde_json::{json, Value};
use uuid::Uuid;

pub(crate) const FLOW_ID: &str = "d6e8a51e-a8a9-43d1-bbef-4f70221230b4";
pub(crate) const API_KEY: &str = "pnu_s3cret-api-key";
pub(crate) const AUTH_STRING: &str = "admin:hunter2-password";
/// base64("admin:hunter2-password")
pub(crate) const AUTH_STRING_BASE64: &str = "YWRtaW46aHVudGVyMi1wYXNzd29yZA==";

/// A flow as Prefect 3.8 returns it from `GET /flows/{id}`.
pub(crate) fn flow_body() -> Value {
    json!({
        "id": FLOW_ID,
        "created": "2026-11-25T18:47:47.520435Z",
        "updated": "2026-11-25T18:47:48.617000Z",
        "name": "mcp-hello",
        "tags": ["mcp-demo"],
        "labels": {}
    })
}

pub(crate) fn flow_id() -> Uuid {
    FLOW_ID.parse().expect("valid uuid")
}

pub(crate) fn api_url(server: &ServerGuard) -> String {
    format!("{}/api", server.url())
}

/// A client for `server` with retries that wait milliseconds, not seconds.
pub(crate) fn fast_client(server: &ServerGuard) -> ClientBuilder {
    Client::builder(api_url(server)).max_retry_delay(Duration::from_millis(10))
}

/// `GET /api/flows/{FLOW_ID}` answering `status` with `body`.
pub(crate) fn flow_endpoint(server: &mut ServerGuard, status: usize, body: &str) -> Mock {
    server
        .mock("GET", format!("/api/flows/{FLOW_ID}").as_str())
        .with_status(status)
        .with_header("content-type", "application/json")
        .with_body(body)
}

/// `GET /api/flows/{FLOW_ID}` answering 200 with a flow, only when `header` matches `value`.
pub(crate) async fn flow_endpoint_requiring(
    server: &mut ServerGuard,
    header: &str,
    value: Matcher,
) -> Mock {
    flow_endpoint(server, 200, &flow_body().to_string())
        .match_header(header, value)
        .expect(1)
        .create_async()
        .await
}

/// Read the flow and require success: a mock whose matchers fail answers 501 instead.
pub(crate) async fn read_flow_ok(client: &Client) {
    let flow = client
        .read_flow(&flow_id())
        .value()
        .await
        .expect("the mock answered");
    assert_eq!(flow.name, "mcp-hello");
}

/// Read the flow from a server answering `status` with `body` once, and return the error.
pub(crate) async fn read_flow_error(status: usize, body: &str) -> PrefectError {
    let mut server = Server::new_async().await;
    let mock = flow_endpoint(&mut server, status, body)
        .expect(1)
        .create_async()
        .await;
    let client = fast_client(&server).build().unwrap();
    let err = client
        .read_flow(&flow_id())
        .value()
        .await
        .expect_err("the answer is an error");
    mock.assert_async().await;
    err
}

/// A URL on 127.0.0.1 where nothing listens: bind an ephemeral port, then release it.
pub(crate) fn refused_url() -> (u16, String) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    (port, format!("http://127.0.0.1:{port}/api"))
}

/// A server that accepts connections and never answers; it lives as long as the returned task.
pub(crate) async fn silent_server() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/api", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    (url, task)
}

pub(crate) fn assert_free_of_secrets(shown: &str) {
    for secret in [API_KEY, AUTH_STRING, AUTH_STRING_BASE64, "hunter2"] {
        assert!(!shown.contains(secret), "{secret:?} leaked into: {shown}");
    }
}
