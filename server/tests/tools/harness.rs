//! The fast tier's harness: a scripted Prefect (mockito) and a `McpServer` in this process,
//! called through the same dispatch as MCP `tools/call` (argument checks, error wording, size bound).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mockito::{Matcher, Mock, Server, ServerGuard};
use prefect_mcp_server::mcp::{McpServer, ServerOptions};
use rmcp::model::CallToolResult;
use serde_json::Value;

/// A scripted Prefect and a server whose client talks to it.
pub struct Harness {
    pub prefect: ServerGuard,
    pub server: McpServer,
}

impl Harness {
    /// All tools, against a fresh scripted Prefect.
    pub async fn new() -> Self {
        Self::with_options(every_toolset()).await
    }

    pub async fn with_options(options: ServerOptions) -> Self {
        let prefect = Server::new_async().await;
        let api_url = format!("{}/api", prefect.url());
        let server = server_for(&api_url, &options);
        Harness { prefect, server }
    }

    /// The API URL the server's client was given.
    pub fn api_url(&self) -> String {
        format!("{}/api", self.prefect.url())
    }

    /// A mock of `method` on `path` below `/api` (e.g. `/flows/filter`), answering JSON;
    /// chain `with_status`/`with_body`/`match_body`/`expect`, then `create_async`.
    pub fn mock(&mut self, method: &str, path: &str) -> Mock {
        self.prefect
            .mock(method, format!("/api{path}").as_str())
            .with_header("content-type", "application/json")
    }

    /// A mock answering 200 with `body`, created.
    pub async fn answer(&mut self, method: &str, path: &str, body: &str) -> Mock {
        self.mock(method, path).with_body(body).create_async().await
    }

    /// A mock answering `status` with `body` (Prefect's error JSON), created.
    pub async fn fail(&mut self, method: &str, path: &str, status: usize, body: &str) -> Mock {
        self.mock(method, path)
            .with_status(status)
            .with_body(body)
            .create_async()
            .await
    }

    /// A mock answering 200 with `body` only to a request whose JSON body contains `expected`.
    pub async fn answer_to(
        &mut self,
        method: &str,
        path: &str,
        expected: Value,
        body: &str,
    ) -> Mock {
        self.mock(method, path)
            .match_body(Matcher::PartialJson(expected))
            .with_body(body)
            .create_async()
            .await
    }

    /// A watch on every request that reaches the scripted Prefect from now on: assert on it
    /// (`assert_nothing_sent`) to show that a call was refused before it reached Prefect.
    pub async fn watch_for_requests(&mut self) -> RequestWatch {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut mocks = Vec::new();
        for method in ["GET", "POST", "PATCH", "PUT", "DELETE"] {
            let seen = Arc::clone(&seen);
            mocks.push(
                self.prefect
                    .mock(method, Matcher::Any)
                    .match_request(move |request| {
                        seen.lock().expect("watch lock").push(format!(
                            "{} {}",
                            request.method(),
                            request.path_and_query()
                        ));
                        false
                    })
                    .create_async()
                    .await,
            );
        }
        RequestWatch {
            seen,
            _mocks: mocks,
        }
    }

    /// Call a tool by name, through the MCP dispatch.
    pub async fn call(&self, tool: &str, arguments: Value) -> CallToolResult {
        let Value::Object(arguments) = arguments else {
            panic!("tool arguments must be a JSON object, got {arguments}");
        };
        self.server
            .call_in_process(tool, arguments)
            .await
            .unwrap_or_else(|e| panic!("{tool}: protocol error {e:?}"))
    }

    /// A successful call's structured JSON; panics with the error text otherwise.
    pub async fn ok(&self, tool: &str, arguments: Value) -> Value {
        let result = self.call(tool, arguments).await;
        assert_ne!(
            result.is_error,
            Some(true),
            "{tool} failed: {}",
            text_of(&result)
        );
        let structured = result
            .structured_content
            .clone()
            .unwrap_or_else(|| panic!("{tool}: no structured content"));
        let text: Value = serde_json::from_str(&text_of(&result)).expect("text twin is JSON");
        assert_eq!(text, structured, "{tool}: the text twin differs");
        structured
    }

    /// A failed call's error text (`isError: true`); panics on success.
    pub async fn err(&self, tool: &str, arguments: Value) -> String {
        let result = self.call(tool, arguments).await;
        assert_eq!(
            result.is_error,
            Some(true),
            "{tool} succeeded: {:?}",
            result.structured_content
        );
        text_of(&result)
    }

    /// A call refused for its arguments: the error text, after checking that Prefect got no
    /// request at all.
    pub async fn refused(&mut self, tool: &str, arguments: Value) -> String {
        let watch = self.watch_for_requests().await;
        let text = self.err(tool, arguments).await;
        watch.assert_nothing_sent();
        assert!(text.starts_with("Invalid arguments: "), "{text}");
        text
    }
}

/// Every request the scripted Prefect received since [`Harness::watch_for_requests`].
///
/// mockito gives a request to the first matching mock still short of its expected hits, so a
/// watcher that only expected no hits (`expect(0)`) lost every request to an earlier mock and
/// passed. But mockito asks every mock whether it matches, so a matcher that records the
/// request and declines it sees them all, whatever mocks came before or after.
pub struct RequestWatch {
    seen: Arc<Mutex<Vec<String>>>,
    _mocks: Vec<Mock>,
}

impl RequestWatch {
    /// The requests seen, as `METHOD path?query`.
    pub fn sent(&self) -> Vec<String> {
        self.seen.lock().expect("watch lock").clone()
    }

    pub fn assert_nothing_sent(&self) {
        let sent = self.sent();
        assert!(sent.is_empty(), "Prefect got requests: {sent:?}");
    }
}

/// Every toolset, with destructive tools acting unconfirmed (`--allow-unconfirmed-writes`):
/// for the tests of what a write sends, apart from the tests of asking.
pub async fn unconfirmed() -> Harness {
    Harness::with_options(ServerOptions {
        allow_unconfirmed_writes: true,
        ..every_toolset()
    })
    .await
}

/// Options offering every toolset, not only the default ones: the tests call every tool.
pub fn every_toolset() -> ServerOptions {
    ServerOptions {
        toolsets: Some(vec!["all".into()]),
        ..ServerOptions::default()
    }
}

/// A server whose client has a short timeout and no retries, so that error tests are quick.
pub fn server_for(api_url: &str, options: &ServerOptions) -> McpServer {
    let builder = prefect_api::Client::builder(api_url)
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(2))
        .max_retries(0);
    let client = builder.clone().build().expect("client");
    McpServer::new(builder, client, "none", options)
}

/// The text of a result's first content block.
pub fn text_of(result: &CallToolResult) -> String {
    result
        .content
        .first()
        .and_then(|c| c.as_text())
        .map(|t| t.text.clone())
        .unwrap_or_default()
}

/// `true` when `value` holds a JSON `null` anywhere (views omit absent fields instead).
pub fn has_null(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.iter().any(has_null),
        Value::Object(fields) => fields.values().any(has_null),
        _ => false,
    }
}

/// A server pointed at a port where nothing listens, and that URL.
pub fn unreachable_server() -> (McpServer, String) {
    // Bind a free port and let it go: nothing listens there afterwards.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let api_url = format!("http://127.0.0.1:{port}/api");
    (server_for(&api_url, &every_toolset()), api_url)
}

/// Calls whose request body must satisfy `check` (mockito's partial JSON treats arrays as
/// prefixes; this compares exactly).
pub fn body_where(mock: Mock, check: impl Fn(&Value) -> bool + Send + Sync + 'static) -> Mock {
    mock.match_request(move |request| {
        request
            .body()
            .ok()
            .and_then(|body| serde_json::from_slice::<Value>(body).ok())
            .is_some_and(|body| check(&body))
    })
}

/// Prefect's 404 for the flow run `id`, as it answers a read of a run that does not exist.
pub async fn flow_run_is_gone(h: &mut Harness, id: &str) -> Mock {
    h.fail(
        "GET",
        &format!("/flow_runs/{id}"),
        404,
        r#"{"detail":"Flow run not found"}"#,
    )
    .await
}

/// `err` says that the flow run `id` was not found while `doing` it.
pub fn assert_names_missing_run(err: &str, doing: &str, id: &str) {
    assert!(
        err.contains(&format!("Not found while {doing} flow run {id}")),
        "{err}"
    );
    assert!(
        err.contains("Flow run not found"),
        "Prefect's own words: {err}"
    );
}
