//! Traces over OTLP/HTTP (`--otlp-endpoint`): a real OTLP receiver on loopback (Python with the
//! `opentelemetry-proto` definitions, tests/python/otlp_receiver.py) gets, for a tool call whose
//! client set `params._meta.traceparent`, the server span as a child of the client's span with
//! the MCP attributes, and the Prefect request's span under it; Prefect gets that span's
//! `traceparent`. A collector nobody answers changes nothing for the client.
//!
//! tier: once

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use integration_tests::event_proxy::EventProxy;
use integration_tests::*;
use serde_json::{json, Value};

/// The client's own trace, as an instrumented agent would send it.
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CLIENT_SPAN: &str = "00f067aa0ba902b7";

/// The OTLP receiver: one JSON line per span it decoded.
struct Receiver {
    child: Child,
    endpoint: String,
    spans: mpsc::Receiver<Value>,
}

impl Receiver {
    fn start() -> Self {
        let script = workspace_root().join("tests/python/otlp_receiver.py");
        let mut child = Command::new(clients_python())
            .arg(script)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the OTLP receiver");
        let mut lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
        let port = lines
            .next()
            .and_then(Result::ok)
            .expect("the receiver prints its port first");
        let (sender, spans) = mpsc::channel();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let span = serde_json::from_str(&line).expect("one JSON span per line");
                if sender.send(span).is_err() {
                    return;
                }
            }
        });
        Receiver {
            child,
            endpoint: format!("http://127.0.0.1:{}", port.trim()),
            spans,
        }
    }

    /// The spans received until `done` holds of them; fails after 30 s.
    fn spans_until(&self, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut spans = Vec::new();
        while !done(&spans) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.spans.recv_timeout(left) {
                Ok(span) => spans.push(span),
                Err(_) => panic!("the spans wanted did not arrive within 30 s: {spans:#?}"),
            }
        }
        spans
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `list_flows` over raw stdio, its `params._meta` carrying the client's trace; the reply.
fn call_list_flows(server: &mut RawStdioServer) -> Value {
    server.request(
        2,
        "tools/call",
        json!({
            "name": "list_flows",
            "arguments": {"limit": 3},
            "_meta": {"traceparent": format!("00-{TRACE_ID}-{CLIENT_SPAN}-01")},
        }),
    )
}

/// Close stdin and wait for the server to exit (it sends its last spans first).
fn stop(server: &mut RawStdioServer) {
    server.close_stdin();
    let _ = server.child.wait();
}

fn is_server_span(span: &Value) -> bool {
    span["kind"] == "server" && span["name"] == "tools/call list_flows"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tool_call_continues_the_clients_trace_down_to_prefect() {
    let receiver = Receiver::start();
    let proxy = EventProxy::start(&prefect_api_url()).await;
    let mut server = RawStdioServer::start_with(&[
        "--otlp-endpoint",
        &receiver.endpoint,
        "--api-url",
        &proxy.api_url,
    ]);
    let reply = call_list_flows(&mut server);
    assert_eq!(reply["result"]["isError"], json!(false), "{reply}");
    stop(&mut server);

    let spans = receiver.spans_until(|spans| {
        let server_span = spans.iter().find(|s| is_server_span(s));
        server_span.is_some_and(|parent| {
            spans
                .iter()
                .any(|s| s["parent_span_id"] == parent["span_id"] && s["kind"] == "client")
        })
    });
    let server_span = spans.iter().find(|s| is_server_span(s)).unwrap();
    assert_eq!(server_span["trace_id"], TRACE_ID, "{server_span:#}");
    assert_eq!(
        server_span["parent_span_id"], CLIENT_SPAN,
        "{server_span:#}"
    );
    let attributes = &server_span["attributes"];
    assert_eq!(
        attributes["mcp.method.name"], "tools/call",
        "{server_span:#}"
    );
    assert_eq!(
        attributes["gen_ai.tool.name"], "list_flows",
        "{server_span:#}"
    );
    assert_eq!(attributes["jsonrpc.request.id"], "2", "{server_span:#}");
    assert_eq!(
        attributes["mcp.protocol.version"], "2025-06-18",
        "{server_span:#}"
    );
    assert!(attributes.get("error.type").is_none(), "{server_span:#}");
    // Never the arguments nor the result.
    let text = server_span.to_string();
    assert!(!text.contains("limit") && !text.contains("\"3\""), "{text}");
    assert_eq!(
        server_span["resource"]["service.name"], "prefect-mcp-server",
        "{server_span:#}"
    );
    assert_eq!(server_span["content_type"], "application/x-protobuf");

    let prefect_span = spans
        .iter()
        .find(|s| s["parent_span_id"] == server_span["span_id"] && s["kind"] == "client")
        .unwrap();
    assert_eq!(prefect_span["trace_id"], TRACE_ID);
    assert_eq!(
        prefect_span["name"], "POST /api/flows/filter",
        "{prefect_span:#}"
    );
    let attributes = &prefect_span["attributes"];
    assert_eq!(
        attributes["http.request.method"], "POST",
        "{prefect_span:#}"
    );
    assert_eq!(
        attributes["url.template"], "/api/flows/filter",
        "{prefect_span:#}"
    );
    assert_eq!(
        attributes["http.response.status_code"], 200,
        "{prefect_span:#}"
    );

    // Prefect was told the request's span: its own work joins the same trace.
    let sent = format!(
        "00-{TRACE_ID}-{}-01",
        prefect_span["span_id"].as_str().unwrap()
    );
    let traceparents = proxy.traceparents();
    assert!(
        traceparents.contains(&sent),
        "{sent} not in {traceparents:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_collector_changes_nothing_for_the_client() {
    // A port nobody listens on.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let endpoint = format!("http://{}", dead.local_addr().expect("address"));
    drop(dead);

    let mut untraced = RawStdioServer::start();
    let expected = call_list_flows(&mut untraced);
    stop(&mut untraced);

    let mut traced = RawStdioServer::start_with(&["--otlp-endpoint", &endpoint]);
    for _ in 0..3 {
        assert_eq!(call_list_flows(&mut traced)["result"], expected["result"]);
    }
    stop(&mut traced);
    assert!(traced.child.wait().expect("exit status").success());
}

#[test]
fn an_endpoint_that_is_not_http_is_refused_with_what_to_give() {
    let output = Command::new(server_binary())
        .args(["--otlp-endpoint", "grpc://127.0.0.1:4317", "tools"])
        .output()
        .expect("run the server");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("must be an http:// or https:// URL of an OTLP/HTTP collector"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_http_the_traceparent_header_is_followed_when_meta_has_none() {
    const HEADER_SPAN: &str = "b7ad6b7169203331";
    let receiver = Receiver::start();
    let server = HttpServer::start(&["--otlp-endpoint", &receiver.endpoint], &[]);
    let session = raw_http::RawSession::open(&server.mcp(), json!({})).await;
    let traceparent = format!("00-{TRACE_ID}-{HEADER_SPAN}-01");
    let response = raw_http::post(
        &reqwest::Client::new(),
        &server.mcp(),
        &json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
                "params": {"name": "list_flows", "arguments": {"limit": 1}}}),
        &[
            ("mcp-session-id", session.id.as_str()),
            ("mcp-protocol-version", raw_http::PROTOCOL),
            ("traceparent", traceparent.as_str()),
        ],
    )
    .await;
    let reply = raw_http::answer_of(response).await;
    assert_eq!(reply["result"]["isError"], json!(false), "{reply}");

    // The batch goes out on the exporter's schedule, while the server runs.
    let spans = receiver.spans_until(|spans| spans.iter().any(is_server_span));
    let server_span = spans.iter().find(|s| is_server_span(s)).unwrap();
    assert_eq!(server_span["trace_id"], TRACE_ID, "{server_span:#}");
    assert_eq!(
        server_span["parent_span_id"], HEADER_SPAN,
        "{server_span:#}"
    );
    assert_eq!(
        server_span["attributes"]["jsonrpc.request.id"], "7",
        "{server_span:#}"
    );
}
