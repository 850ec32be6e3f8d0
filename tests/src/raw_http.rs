//! Raw JSON-RPC over streamable HTTP, for what an SDK client would not do: requests as a
//! careless or hostile client sends them, stateless or in a session (`Mcp-Session-Id`) driven by
//! hand, left open, closed with DELETE, or never answering what the server asks. Every answer
//! is awaited within [`ANSWER_BOUND`]: a server that stops answering fails the test, it does not
//! hang it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::StreamExt;
use serde_json::{json, Value};

/// What a streamable HTTP client accepts.
pub const ACCEPT: &str = "application/json, text/event-stream";
/// The session-era protocol these clients speak.
pub const PROTOCOL: &str = "2025-11-25";
/// The extension a client declares to get long waits as tasks.
pub const TASKS: &str = "io.modelcontextprotocol/tasks";
/// How long any one answer may take, however busy the machine.
pub const ANSWER_BOUND: Duration = Duration::from_secs(60);

/// An `initialize` request declaring no capabilities.
pub fn initialize(id: u64) -> Value {
    initialize_with(id, json!({}))
}

pub fn initialize_with(id: u64, capabilities: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "initialize", "params": {
        "protocolVersion": PROTOCOL, "capabilities": capabilities,
        "clientInfo": {"name": "hostile", "version": "1"}}})
}

pub fn tool_call(name: &str, arguments: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": name, "arguments": arguments}})
}

/// POST `body` to `url` as a streamable HTTP client does, with `headers` added.
pub async fn post(
    http: &reqwest::Client,
    url: &str,
    body: &Value,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = http
        .post(url)
        .header("content-type", "application/json")
        .header("accept", ACCEPT)
        .body(body.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    tokio::time::timeout(ANSWER_BOUND, request.send())
        .await
        .unwrap_or_else(|_| panic!("no answer within {ANSWER_BOUND:?}"))
        .expect("send")
}

/// The JSON-RPC answer of a POST: a JSON body, or the `data:` line of an SSE stream that
/// carries a result or an error (notifications before it are skipped); `Null` if neither.
pub async fn answer_of(response: reqwest::Response) -> Value {
    let text = tokio::time::timeout(ANSWER_BOUND, response.text())
        .await
        .unwrap_or_else(|_| panic!("the answer did not end within {ANSWER_BOUND:?}"))
        .unwrap_or_default();
    text.lines()
        .filter_map(|l| l.strip_prefix("data:").map(str::trim))
        .filter_map(|d| serde_json::from_str::<Value>(d).ok())
        .find(|m| m.get("result").is_some() || m.get("error").is_some())
        .or_else(|| serde_json::from_str(&text).ok())
        .unwrap_or(Value::Null)
}

/// A stateful session opened by hand: `initialize`, then `notifications/initialized`, then
/// requests carrying its `Mcp-Session-Id`.
pub struct RawSession {
    http: reqwest::Client,
    url: String,
    pub id: String,
    next_id: AtomicU64,
}

impl RawSession {
    /// Open a session at `url` (`/mcp`) declaring `capabilities`.
    pub async fn open(url: &str, capabilities: Value) -> Self {
        let http = reqwest::Client::new();
        let response = post(&http, url, &initialize_with(1, capabilities), &[]).await;
        assert_eq!(response.status(), 200, "initialize was refused");
        let id = response.headers()["mcp-session-id"]
            .to_str()
            .expect("a session id")
            .to_string();
        let reply = answer_of(response).await;
        assert!(reply["result"]["capabilities"].is_object(), "{reply}");
        let session = RawSession {
            http,
            url: url.to_string(),
            id,
            next_id: AtomicU64::new(2),
        };
        let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        let status = session.post(&initialized).await.status();
        assert!(status.is_success(), "notifications/initialized: {status}");
        session
    }

    /// Open a session whose client declares the tasks extension.
    pub async fn with_tasks(url: &str) -> Self {
        Self::open(url, json!({"extensions": {TASKS: {}}})).await
    }

    /// POST `body` in this session; the response as it came.
    pub async fn post(&self, body: &Value) -> reqwest::Response {
        let headers = [
            ("mcp-session-id", self.id.as_str()),
            ("mcp-protocol-version", PROTOCOL),
        ];
        post(&self.http, &self.url, body, &headers).await
    }

    /// One request; its JSON-RPC reply (`result` or `error`). The HTTP status must be 200.
    pub async fn request(&self, method: &str, params: Value) -> Value {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let response = self.post(&body).await;
        let status = response.status();
        let reply = answer_of(response).await;
        assert_eq!(status, 200, "{method}: {reply}");
        reply
    }

    /// `tools/call`; the JSON-RPC reply.
    pub async fn call(&self, tool: &str, arguments: Value) -> Value {
        self.request("tools/call", json!({"name": tool, "arguments": arguments}))
            .await
    }

    /// `tasks/get`, `tasks/update` or `tasks/cancel` on `task_id`; the JSON-RPC reply.
    pub async fn task(&self, method: &str, task_id: &str) -> Value {
        let mut params = json!({ "taskId": task_id });
        if method == "tasks/update" {
            params["inputResponses"] = json!({});
        }
        self.request(method, params).await
    }

    /// Close the session as a client that is done does: HTTP DELETE; the status.
    pub async fn close(&self) -> reqwest::StatusCode {
        let request = self
            .http
            .delete(&self.url)
            .header("mcp-session-id", &self.id)
            .header("mcp-protocol-version", PROTOCOL)
            .send();
        tokio::time::timeout(ANSWER_BOUND, request)
            .await
            .expect("DELETE answered in time")
            .expect("send DELETE")
            .status()
    }

    /// A session at `url` subscribed (`resources/subscribe`) to the flow runs `ids`, with its
    /// standalone stream, where the updates come, opened first.
    pub async fn subscribed_to_runs(url: &str, ids: &[String]) -> (Self, Events) {
        let session = Self::open(url, json!({})).await;
        let updates = session.server_messages().await;
        for id in ids {
            let uri = format!("prefect://flow-runs/{id}");
            let reply = session
                .request("resources/subscribe", json!({ "uri": uri }))
                .await;
            assert!(reply["result"].is_object(), "subscribing to {uri}: {reply}");
        }
        (session, updates)
    }

    /// Open the session's standalone stream (GET), where the server sends its own requests.
    pub async fn server_messages(&self) -> Events {
        let request = self
            .http
            .get(&self.url)
            .header("accept", "text/event-stream")
            .header("mcp-session-id", &self.id)
            .header("mcp-protocol-version", PROTOCOL)
            .send();
        let response = tokio::time::timeout(ANSWER_BOUND, request)
            .await
            .expect("GET answered in time")
            .expect("send GET");
        assert_eq!(response.status(), 200, "the standalone stream was refused");
        Events {
            stream: Box::pin(
                response
                    .bytes_stream()
                    .map(|chunk| chunk.map(|b| b.to_vec())),
            ),
            buffer: String::new(),
        }
    }
}

/// The JSON-RPC messages of an SSE stream, as they come.
pub struct Events {
    stream: std::pin::Pin<Box<dyn futures::Stream<Item = reqwest::Result<Vec<u8>>> + Send>>,
    buffer: String,
}

impl Events {
    /// The first message `wanted` accepts within `within`; `None` if the stream ended or went
    /// quiet for that long without one.
    pub async fn find(
        &mut self,
        within: Duration,
        wanted: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            while let Some(end) = self.buffer.find('\n') {
                let line: String = self.buffer.drain(..=end).collect();
                let Some(data) = line.trim().strip_prefix("data:") else {
                    continue;
                };
                match serde_json::from_str::<Value>(data.trim()) {
                    Ok(message) if wanted(&message) => return Some(message),
                    _ => {}
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.stream.next()).await;
            match chunk {
                Ok(Some(Ok(bytes))) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
    }
}
