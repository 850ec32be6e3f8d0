//! Traces over OTLP/HTTP (`--otlp-endpoint`): a real OTLP receiver on loopback (Python with the
//! `opentelemetry-proto` definitions, tests/python/otlp_receiver.py) gets, for a tool call whose
//! client set `params._meta.traceparent`, the server span as a child of the client's span with
//! the MCP attributes, and the Prefect request's span under it; Prefect gets that span's
//! `traceparent`. The same receiver gets the metrics, from stdio as from HTTP. A collector
//! nobody answers changes nothing for the client.
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

/// The OTLP receiver: one JSON line per span and per metric data point it decoded.
struct Receiver {
    child: Child,
    endpoint: String,
    spans: mpsc::Receiver<Value>,
    metrics: mpsc::Receiver<Value>,
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
        let (span_sender, spans) = mpsc::channel();
        let (metric_sender, metrics) = mpsc::channel();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let item: Value = serde_json::from_str(&line).expect("one JSON item per line");
                let sender = if item["signal"] == "metric" {
                    &metric_sender
                } else {
                    &span_sender
                };
                if sender.send(item).is_err() {
                    return;
                }
            }
        });
        Receiver {
            child,
            endpoint: format!("http://127.0.0.1:{}", port.trim()),
            spans,
            metrics,
        }
    }

    /// The spans received until `done` holds of them; fails after 30 s.
    fn spans_until(&self, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        received_until(&self.spans, "spans", done)
    }

    /// The metric data points received until `done` holds of them; fails after 30 s.
    fn metrics_until(&self, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        received_until(&self.metrics, "metric data points", done)
    }
}

fn received_until(
    channel: &mpsc::Receiver<Value>,
    what: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut items = Vec::new();
    while !done(&items) {
        let left = deadline.saturating_duration_since(Instant::now());
        match channel.recv_timeout(left) {
            Ok(item) => items.push(item),
            Err(_) => panic!("the {what} wanted did not arrive within 30 s: {items:#?}"),
        }
    }
    items
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

/// The data point of `name` whose attributes include `attributes`.
fn point<'a>(points: &'a [Value], name: &str, attributes: &Value) -> Option<&'a Value> {
    let wanted = attributes.as_object().expect("attributes object");
    points.iter().find(|p| {
        p["name"] == name
            && wanted
                .iter()
                .all(|(key, value)| &p["attributes"][key] == value)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_stdio_the_metrics_leave_for_the_collector_when_the_server_stops() {
    let receiver = Receiver::start();
    let mut server = RawStdioServer::start_with(&["--otlp-endpoint", &receiver.endpoint]);
    for _ in 0..2 {
        let reply = call_list_flows(&mut server);
        assert_eq!(reply["result"]["isError"], json!(false), "{reply}");
    }
    // The export interval is a minute: what arrives was sent as the server stopped.
    stop(&mut server);

    let list_flows = json!({"mcp.method.name": "tools/call", "gen_ai.tool.name": "list_flows"});
    let prefect = json!({"operation": "read_flows", "http.request.method": "POST"});
    let points = receiver.metrics_until(|points| {
        point(points, "mcp.server.operation.duration", &list_flows).is_some()
            && point(points, "prefect.client.request.duration", &prefect).is_some()
    });
    let calls = point(&points, "mcp.server.operation.duration", &list_flows).unwrap();
    assert_eq!(calls["type"], "histogram", "{calls:#}");
    assert_eq!(calls["unit"], "s", "{calls:#}");
    assert_eq!(calls["count"], 2, "{calls:#}");
    assert_eq!(calls["attributes"]["error.type"], "", "{calls:#}");
    assert_eq!(
        calls["bounds"][0], 0.01,
        "the MCP conventions' buckets: {calls:#}"
    );
    assert_eq!(
        calls["resource"]["service.name"], "prefect-mcp-server",
        "{calls:#}"
    );
    assert_eq!(calls["content_type"], "application/x-protobuf");
    let requests = point(&points, "prefect.client.request.duration", &prefect).unwrap();
    assert_eq!(requests["count"], 2, "{requests:#}");
    assert_eq!(
        requests["attributes"]["http.response.status_code"], "200",
        "{requests:#}"
    );
    let session = points
        .iter()
        .find(|p| p["name"] == "mcp.server.session.duration")
        .expect("the stdio session, timed as it ended");
    assert_eq!(session["count"], 1, "{session:#}");
    // Ids and arguments are never attributes.
    let text = serde_json::to_string(&points).unwrap();
    assert!(!text.contains("\"limit\""), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_http_the_metrics_leave_on_the_export_interval() {
    let receiver = Receiver::start();
    let server = HttpServer::start(
        &["--otlp-endpoint", &receiver.endpoint],
        &[("OTEL_METRIC_EXPORT_INTERVAL", "500")],
    );
    let _session = raw_http::RawSession::open(&server.mcp(), json!({})).await;
    // The session is open while the server runs: the level arrives without a stop.
    let points = receiver.metrics_until(|points| {
        points
            .iter()
            .any(|p| p["name"] == "mcp.server.sessions" && p["value"] == 1)
    });
    let sessions = points
        .iter()
        .find(|p| p["name"] == "mcp.server.sessions")
        .unwrap();
    assert_eq!(sessions["type"], "sum", "{sessions:#}");
    assert_eq!(
        sessions["monotonic"], false,
        "an up-down counter: {sessions:#}"
    );
}
