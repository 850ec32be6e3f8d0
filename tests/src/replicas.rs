//! Stateless replicas that share one `--request-state-key`, behind nginx, and a raw 2026-07-28
//! client for them: every request stands alone, carrying its protocol version, client info and
//! capabilities (the tasks extension declared) in `_meta`, and the SEP-2243 headers
//! (`MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`) that rmcp checks.

use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::{json, Value};

use crate::oauth::Nginx;
use crate::{free_port, HttpServer};

/// The key every replica is started with.
pub const STATE_KEY: &str = "the-replicas-shared-request-state-key-0123456789";

/// Two stateless replicas (A and B) with the shared key, and nginx balancing round-robin over
/// them at [`Replicas::front`]. Everything stops when dropped.
pub struct Replicas {
    pub a: HttpServer,
    pub b: HttpServer,
    _nginx: Nginx,
    front: u16,
}

impl Replicas {
    /// `extra` flags go to both replicas.
    pub fn start(extra: &[&str]) -> Self {
        let mut args = vec!["--stateless", "--request-state-key", STATE_KEY];
        args.extend_from_slice(extra);
        let a = HttpServer::start(&args, &[]);
        let b = HttpServer::start(&args, &[]);
        let front = free_port();
        let nginx = Nginx::start(front, &[port_of(&a), port_of(&b)]);
        Replicas {
            a,
            b,
            _nginx: nginx,
            front,
        }
    }

    /// The `/mcp` URL behind nginx.
    pub fn front(&self) -> String {
        format!("http://127.0.0.1:{}/mcp", self.front)
    }
}

fn port_of(server: &HttpServer) -> u16 {
    server
        .address()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("the server's port")
}

/// The body and headers of one 2026-07-28 request.
fn request(method: &str, mut params: Value, tasks: bool) -> (Value, Vec<(String, String)>) {
    let extensions = if tasks {
        json!({"io.modelcontextprotocol/tasks": {}})
    } else {
        json!({})
    };
    params["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "replica-tests", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {"extensions": extensions},
    });
    let mut headers = vec![
        ("mcp-protocol-version".to_string(), "2026-07-28".to_string()),
        ("mcp-method".to_string(), method.to_string()),
    ];
    let name = match method {
        "tools/call" | "prompts/get" => params["name"].as_str(),
        "resources/read" => params["uri"].as_str(),
        "tasks/get" | "tasks/update" | "tasks/cancel" => params["taskId"].as_str(),
        _ => None,
    };
    if let Some(name) = name {
        headers.push(("mcp-name".to_string(), name.to_string()));
    }
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    (body, headers)
}

fn post(url: &str, body: &Value, headers: &[(String, String)]) -> reqwest::RequestBuilder {
    let mut builder = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(body.to_string());
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    builder
}

/// One request to `url`; the JSON-RPC reply (from a JSON body or an SSE stream). `tasks`:
/// whether the client declares the tasks extension. `extra` headers go along (credentials).
pub async fn request_2026(
    url: &str,
    method: &str,
    params: Value,
    tasks: bool,
    extra: &[(&str, &str)],
) -> Value {
    let (body, mut headers) = request(method, params, tasks);
    headers.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let response = post(url, &body, &headers).send().await.expect("send");
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    let json = text
        .lines()
        .filter_map(|l| l.strip_prefix("data:").map(str::trim))
        .filter(|d| d.starts_with('{'))
        .find(|d| d.contains("\"id\""))
        .map(String::from)
        .unwrap_or(text);
    serde_json::from_str(&json).unwrap_or_else(|_| panic!("{method} answered {status}: {json}"))
}

/// Open `subscriptions/listen` for `uris` at `url` and collect its messages until `enough`
/// says so (or `timeout` passes, which fails).
pub async fn listen_2026(
    url: &str,
    uris: &[String],
    timeout: Duration,
    mut enough: impl FnMut(&[Value]) -> bool,
) -> Vec<Value> {
    let (body, headers) = request(
        "subscriptions/listen",
        json!({"notifications": {"resourceSubscriptions": uris}}),
        false,
    );
    let response = post(url, &body, &headers).send().await.expect("listen");
    assert!(
        response.status().is_success(),
        "listen: {}",
        response.status()
    );
    let deadline = Instant::now() + timeout;
    let mut stream = response.bytes_stream();
    let mut buffer = String::new();
    let mut messages = Vec::new();
    while !enough(&messages) {
        let left = deadline.saturating_duration_since(Instant::now());
        let chunk = tokio::time::timeout(left, stream.next())
            .await
            .unwrap_or_else(|_| panic!("the listen stream went quiet: {messages:?}"))
            .unwrap_or_else(|| panic!("the listen stream ended: {messages:?}"))
            .expect("reading the listen stream");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find('\n') {
            let line: String = buffer.drain(..=end).collect();
            if let Some(data) = line.trim().strip_prefix("data:") {
                if let Ok(message) = serde_json::from_str::<Value>(data.trim()) {
                    messages.push(message);
                }
            }
        }
    }
    messages
}
