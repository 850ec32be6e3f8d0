//! The streamable HTTP transport: a real MCP client session, stateless replicas, bearer token,
//! loopback-only by default, Host/Origin checks, /health, per-request Prefect credentials.

use std::process::Command;

use integration_tests::raw_http::ANSWER_BOUND;
use integration_tests::*;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::ServiceExt;
use serde_json::{json, Value};

/// One JSON-RPC request without a session (stateless mode); the JSON-RPC reply.
async fn post(url: &str, body: Value, headers: &[(&str, &str)]) -> (u16, Value) {
    let client = reqwest::Client::new();
    let mut request = client
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(body.to_string());
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = request.send().await.expect("send");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    // An SSE answer carries the JSON-RPC message on a `data:` line.
    let json = text
        .lines()
        .find_map(|l| {
            l.strip_prefix("data:")
                .map(str::trim)
                .filter(|d| d.starts_with('{'))
        })
        .map(String::from)
        .unwrap_or(text);
    (status, serde_json::from_str(&json).unwrap_or(Value::Null))
}

fn tool_call(name: &str, arguments: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": name, "arguments": arguments}})
}

#[tokio::test]
async fn a_real_mcp_client_session_over_http() {
    let server = HttpServer::start(&[], &[]);
    let transport = StreamableHttpClientTransport::from_uri(server.mcp());
    let client = ().serve(transport).await.expect("initialise over HTTP");
    let tools = client.list_all_tools().await.unwrap();
    assert!(tools.iter().any(|t| t.name == "get_flow_by_name"));
    let result = client
        .call_tool(
            rmcp::model::CallToolRequestParams::new("get_flow_by_name")
                .with_arguments(rmcp::object!({"name": "mcp-hello"})),
        )
        .await
        .unwrap();
    assert_eq!(result.structured_content.unwrap()["name"], "mcp-hello");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn stateless_replicas_each_answer_any_request() {
    let replicas = [
        HttpServer::start(&["--stateless"], &[]),
        HttpServer::start(&["--stateless"], &[]),
    ];
    for replica in &replicas {
        let (status, reply) = post(
            &replica.mcp(),
            tool_call("search_flows", json!({"name": "hello"})),
            &[],
        )
        .await;
        assert_eq!(status, 200, "{reply}");
        assert_eq!(
            reply["result"]["structuredContent"]["flows"][0]["name"], "mcp-hello",
            "{reply}"
        );
    }
}

#[tokio::test]
async fn health_answers_without_authentication() {
    let server = HttpServer::start(&["--http-token", "t0ken"], &[]);
    let health: Value = reqwest::get(format!("{}/health", server.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
}

#[tokio::test]
async fn the_bearer_token_is_required_when_configured() {
    let server = HttpServer::start(
        &["--stateless"],
        &[("PREFECT_MCP_HTTP_TOKEN", "s3cret-token")],
    );
    let call = tool_call("list_flows", json!({"limit": 1}));
    let (status, _) = post(&server.mcp(), call.clone(), &[]).await;
    assert_eq!(status, 401);
    let (status, _) = post(
        &server.mcp(),
        call.clone(),
        &[("authorization", "Bearer wrong")],
    )
    .await;
    assert_eq!(status, 401);
    let (status, reply) = post(
        &server.mcp(),
        call,
        &[("authorization", "Bearer s3cret-token")],
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["result"]["structuredContent"]["count"], 1);

    // A real client with the token.
    let config =
        StreamableHttpClientTransportConfig::with_uri(server.mcp()).auth_header("s3cret-token");
    let client = ().serve(StreamableHttpClientTransport::from_config(config)).await.unwrap();
    assert!(!client.list_all_tools().await.unwrap().is_empty());
}

/// A POST's head, announcing `body`, with `headers`.
fn post_head(host: &str, body: &str, headers: &str) -> String {
    format!(
        "POST /mcp HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\n\
         accept: application/json, text/event-stream\r\n{headers}content-length: {}\r\n\r\n",
        body.len()
    )
}

/// The next answer's head on `stream`, lowercased.
async fn answer_head(stream: &mut tokio::net::TcpStream) -> String {
    use tokio::io::AsyncReadExt;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let read = tokio::time::timeout(ANSWER_BOUND, stream.read(&mut byte))
            .await
            .expect("an answer in time")
            .expect("read");
        assert_eq!(
            read,
            1,
            "closed before an answer: {:?}",
            String::from_utf8_lossy(&head)
        );
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).to_ascii_lowercase()
}

/// A refusal sent from a request's headers, before its body arrived, says the connection closes:
/// hyper closes it after such an answer, and a client that sent its next request on it (the
/// Python SDK fetches the resource metadata right after the 401) met "server disconnected
/// without sending a response". An answer after the body keeps the connection.
#[tokio::test]
async fn a_refusal_before_the_body_arrived_says_the_connection_closes() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = HttpServer::start(&["--stateless", "--http-token", "s3cret-token"], &[]);
    let host = server.address().to_string();
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "ping"}).to_string();

    let mut stream = tokio::net::TcpStream::connect(&host)
        .await
        .expect("connect");
    stream
        .write_all(post_head(&host, &body, "").as_bytes())
        .await
        .unwrap();
    let head = answer_head(&mut stream).await;
    assert!(head.starts_with("http/1.1 401"), "{head}");
    assert!(head.contains("\r\nconnection: close\r\n"), "{head}");
    let _ = stream.write_all(body.as_bytes()).await;
    let mut rest = Vec::new();
    let _ = tokio::time::timeout(ANSWER_BOUND, stream.read_to_end(&mut rest)).await;
    assert!(
        !String::from_utf8_lossy(&rest).contains("HTTP/1.1"),
        "answered again"
    );

    // With the token, the body is read and the connection carries the next request.
    let mut stream = tokio::net::TcpStream::connect(&host)
        .await
        .expect("connect");
    let signed_in = "authorization: Bearer s3cret-token\r\n";
    for _ in 0..2 {
        let request = post_head(&host, &body, signed_in) + &body;
        stream.write_all(request.as_bytes()).await.unwrap();
        let head = answer_head(&mut stream).await;
        assert!(head.starts_with("http/1.1 200"), "{head}");
        assert!(!head.contains("connection: close"), "{head}");
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or_else(|| panic!("a JSON answer with a length: {head}"));
        let mut answer = vec![0u8; length];
        stream.read_exact(&mut answer).await.unwrap();
    }
}

#[test]
fn binding_beyond_loopback_requires_a_token() {
    let output = Command::new(server_binary())
        .args(["--transport", "http", "--bind", "0.0.0.0:0"])
        .env("PREFECT_API_URL", prefect_api_url())
        .env_remove("PREFECT_MCP_HTTP_TOKEN")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--http-token") && stderr.contains("127.0.0.1"),
        "{stderr}"
    );
}

#[tokio::test]
async fn foreign_host_and_origin_headers_are_refused() {
    let server = HttpServer::start(
        &["--stateless", "--allowed-origin", "https://app.example.com"],
        &[],
    );
    let call = tool_call("list_flows", json!({"limit": 1}));
    let (status, _) = post(&server.mcp(), call.clone(), &[("host", "evil.example")]).await;
    assert_eq!(status, 403, "DNS rebinding: a foreign Host is refused");
    let (status, _) = post(
        &server.mcp(),
        call.clone(),
        &[("origin", "https://evil.example")],
    )
    .await;
    assert_eq!(status, 403, "a foreign Origin is refused");
    let (status, _) = post(
        &server.mcp(),
        call,
        &[("origin", "https://app.example.com")],
    )
    .await;
    assert_eq!(status, 200, "an allowed Origin passes");
}

#[tokio::test]
async fn per_request_credentials_reach_prefect_when_enabled() {
    let fake = FakePrefect::start(vec![Answer::json(200, "[]")]).await;
    let server = HttpServer::start(
        &["--stateless", "--per-request-auth"],
        &[
            ("PREFECT_API_URL", &fake.api_url),
            ("PREFECT_API_KEY", "server-key"),
        ],
    );
    let call = tool_call("list_flows", json!({}));
    let (status, reply) = post(
        &server.mcp(),
        call.clone(),
        &[("x-prefect-api-key", "tenant-key")],
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    let (status, _) = post(&server.mcp(), call, &[]).await;
    assert_eq!(status, 200);
    let requests = fake.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 2);
    let auth_of = |head: &str| {
        head.lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("authorization:")
                    .map(|v| v.trim().to_string())
            })
            .unwrap_or_default()
    };
    assert_eq!(
        auth_of(&requests[0]),
        "bearer tenant-key",
        "the caller's key replaces the server's"
    );
    assert_eq!(
        auth_of(&requests[1]),
        "bearer server-key",
        "without headers, the server's own"
    );
}

#[tokio::test]
async fn stateless_http_offers_tasks_only_with_a_shared_request_state_key() {
    // Without a shared key a task would live in one process, and the next request may reach
    // another replica; with one, the task id is sealed with it and any replica answers.
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"}}});
    let key = "a-shared-request-state-key-of-32-bytes-or-more";
    for (flags, offered) in [
        (&["--stateless"][..], false),
        (&["--stateless", "--request-state-key", key][..], true),
    ] {
        let server = HttpServer::start(flags, &[]);
        let (status, reply) = post(&server.mcp(), initialize.clone(), &[]).await;
        assert_eq!(status, 200, "{reply}");
        let capabilities = &reply["result"]["capabilities"];
        assert!(capabilities["tools"].is_object(), "{reply}");
        assert_eq!(
            capabilities["extensions"]["io.modelcontextprotocol/tasks"].is_object(),
            offered,
            "{flags:?}: {reply}"
        );
    }
}

#[tokio::test]
async fn required_per_request_credentials_never_fall_back_to_the_servers() {
    let fake = FakePrefect::start(vec![Answer::json(200, "[]")]).await;
    let server = HttpServer::start(
        &["--stateless", "--per-request-auth", "required"],
        &[
            ("PREFECT_API_URL", &fake.api_url),
            ("PREFECT_API_KEY", "server-key"),
        ],
    );
    let call = tool_call("list_flows", json!({}));
    let (status, reply) = post(&server.mcp(), call.clone(), &[]).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["result"]["isError"], true, "{reply}");
    assert!(
        reply["result"]["content"][0]["text"]
            .as_str()
            .is_some_and(|t| t.contains("x-prefect-api-key")),
        "the refusal says which header to send: {reply}"
    );
    assert_eq!(fake.request_count(), 0, "nothing reached Prefect");
    // The same caller twice: both calls reach Prefect with the caller's key.
    for _ in 0..2 {
        let (status, reply) = post(
            &server.mcp(),
            call.clone(),
            &[("x-prefect-api-key", "tenant-key")],
        )
        .await;
        assert_eq!(status, 200, "{reply}");
        assert_ne!(reply["result"]["isError"], true, "{reply}");
    }
    let requests = fake.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 2);
    assert!(requests
        .iter()
        .all(|head| head.to_ascii_lowercase().contains("bearer tenant-key")));
}
