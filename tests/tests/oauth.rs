//! The HTTP server as an OAuth 2.1 resource server, against a real authorization server
//! (node-oidc-provider on loopback, minting RS256 JWT access tokens for the server's public URL
//! by the client credentials grant): the Python MCP SDK 2.x signs in from the 401 alone; scopes
//! decide what a caller sees and may do; bad tokens are refused; the MCP token never reaches
//! Prefect; writes are logged with their caller.
//!
//! Version-independent: one run of the full suite covers it, not one per Prefect release.
//!
//! tier: once

use std::process::Command;

use integration_tests::oauth::{AuthServer, Nginx, OAuthMcp, RecordingProxy};
use integration_tests::*;
use serde_json::{json, Value};

const WRITER: &str = "prefect-writer";
const READER: &str = "prefect-reader";

/// One JSON-RPC request with a bearer token (stateless: no session); status, challenge, body.
async fn post(url: &str, token: Option<&str>, body: Value) -> (u16, String, Value) {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(body.to_string());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("send");
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let text = response.text().await.unwrap_or_default();
    let json = text
        .lines()
        .find_map(|l| l.strip_prefix("data:").map(str::trim))
        .unwrap_or(&text)
        .to_string();
    (
        status,
        challenge,
        serde_json::from_str(&json).unwrap_or(Value::Null),
    )
}

fn call(name: &str, arguments: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
           "params": {"name": name, "arguments": arguments}})
}

fn list_tools() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}})
}

/// The Python SDK client script for one client; its summary.
fn python_client(url: &str, auth: &AuthServer, client: &str, tool: &str, args: Value) -> Value {
    run_client_script(
        Command::new(clients_python())
            .arg(workspace_root().join("tests/python/oauth_client.py"))
            .args([url, &auth.issuer, client, &auth.secret(client), tool])
            .arg(args.to_string())
            .env_remove("PYTHONPATH")
            .env_remove("PYTHONHOME")
            .env("PYTHONDONTWRITEBYTECODE", "1"),
    )
}

fn strings(list: &Value) -> Vec<&str> {
    list.as_array()
        .map(|items| items.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

// Multi-threaded: the recording proxy serves while the client script blocks this thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_sdk_signs_in_from_the_401_with_every_scope_the_client_may_have() {
    let port = OAuthMcp::reserve();
    let public_url = OAuthMcp::public_url(port);
    let auth = AuthServer::start(&public_url);
    let proxy = RecordingProxy::start(&prefect_api_url()).await;
    let server = OAuthMcp::start(port, &public_url, &auth.issuer, Some(&proxy.api_url), &[]);
    let write = json!({"deployment_id": "mcp-hello/hello", "name": "oauth-e2e-run"});

    // The 401 asks for both scopes; the authorization server grants a read-only client only
    // prefect:read, so it sees no write tool and its write is refused.
    let reader = python_client(
        &public_url,
        &auth,
        READER,
        "create_flow_run_from_deployment",
        write.clone(),
    );
    assert_eq!(reader["statuses"][0], 401, "{reader}");
    assert_eq!(reader["first_scope"], "prefect:read", "{reader}");
    assert!(reader["read_ok"].as_bool().unwrap_or(false), "{reader}");
    let seen = strings(&reader["tools_before"]);
    assert!(seen.contains(&"search_flows"), "{reader}");
    assert!(
        !seen.contains(&"create_flow_run_from_deployment") && !seen.contains(&"cancel_flow_run"),
        "a read-only token sees no write tool: {reader}"
    );
    assert!(
        reader["write"]["refused"] == true || reader["write"]["is_error"] == true,
        "a read-only client's write was refused: {reader}"
    );
    assert!(
        reader["write"]["structured"]["flow_run_id"].is_null(),
        "a read-only client created a run: {reader}"
    );

    // A client allowed to write gets both scopes from the 401 alone: the write tools are listed
    // at once and the write goes through without a step-up.
    let writer = python_client(
        &public_url,
        &auth,
        WRITER,
        "create_flow_run_from_deployment",
        write,
    );
    assert_eq!(writer["statuses"][0], 401, "{writer}");
    assert_eq!(
        writer["first_scope"], "prefect:read prefect:write",
        "{writer}"
    );
    assert!(
        strings(&writer["tools_before"]).contains(&"create_flow_run_from_deployment"),
        "the first token's tools/list shows the write tools: {writer}"
    );
    assert_eq!(writer["write"]["refused"], false, "{writer}");
    assert_eq!(writer["write"]["is_error"], false, "{writer}");
    assert!(
        !writer["statuses"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == 403),
        "the write needed no step-up: {writer}"
    );
    let run_id = writer["write"]["structured"]["flow_run_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no run created: {writer}"))
        .to_string();

    // The MCP token never went to Prefect: the server's requests carry no Authorization at all
    // (this Prefect has no auth), so no bearer token of any kind.
    let heads = proxy.heads();
    assert!(
        !heads.is_empty(),
        "the calls reached Prefect through the proxy"
    );
    for head in &heads {
        assert!(
            !head.to_ascii_lowercase().contains("authorization:"),
            "a request to Prefect carried credentials: {head}"
        );
    }
    // The write's log line names the caller.
    let log = server.log_text();
    assert!(
        log.lines()
            .any(|l| l.contains("create_flow_run_from_deployment")
                && l.contains(WRITER)
                && l.contains("write")),
        "no write log line naming {WRITER}:\n{log}"
    );
    // The run carries its creator as a label.
    let run: Value = reqwest::get(format!("{}/flow_runs/{run_id}", prefect_api_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(run["labels"]["mcp.caller"], WRITER, "{run}");
    cancel_run(&run_id).await;
}

/// Leave nothing scheduled behind.
async fn cancel_run(run_id: &str) {
    let _ = reqwest::Client::new()
        .post(format!(
            "{}/flow_runs/{run_id}/set_state",
            prefect_api_url()
        ))
        .json(&json!({"state": {"type": "CANCELLED"}, "force": true}))
        .send()
        .await;
}

#[tokio::test]
async fn the_resource_metadata_and_the_challenge_lead_to_the_issuer() {
    let port = OAuthMcp::reserve();
    let public_url = OAuthMcp::public_url(port);
    let auth = AuthServer::start(&public_url);
    let _server = OAuthMcp::start(port, &public_url, &auth.issuer, None, &["--stateless"]);
    let (status, challenge, _) = post(&public_url, None, list_tools()).await;
    assert_eq!(status, 401);
    let metadata_url = format!("http://127.0.0.1:{port}/.well-known/oauth-protected-resource/mcp");
    assert!(
        challenge.starts_with("Bearer ")
            && challenge.contains(&format!("resource_metadata=\"{metadata_url}\""))
            && challenge.contains("scope=\"prefect:read prefect:write\""),
        "{challenge}"
    );
    for url in [
        metadata_url,
        format!("http://127.0.0.1:{port}/.well-known/oauth-protected-resource"),
    ] {
        let metadata: Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
        assert_eq!(metadata["resource"], public_url.as_str(), "{metadata}");
        assert_eq!(metadata["authorization_servers"], json!([auth.issuer]));
        assert_eq!(
            metadata["scopes_supported"],
            json!(["prefect:read", "prefect:write"])
        );
        assert_eq!(metadata["bearer_methods_supported"], json!(["header"]));
    }
    // /health stays open for load balancers.
    let health = reqwest::get(format!("http://127.0.0.1:{port}/health"))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn bad_tokens_are_refused_and_scopes_are_enforced() {
    let port = OAuthMcp::reserve();
    let public_url = OAuthMcp::public_url(port);
    let auth = AuthServer::start(&public_url);
    let _server = OAuthMcp::start(
        port,
        &public_url,
        &auth.issuer,
        None,
        &[
            "--stateless",
            "--oauth-client-id",
            "mcp-introspector",
            "--oauth-client-secret",
            "introspector-secret",
        ],
    );
    let reader = auth.token(READER, "prefect:read", None).await;
    let (status, _, reply) = post(&public_url, Some(&reader), list_tools()).await;
    assert_eq!(status, 200, "{reply}");
    let names: Vec<&str> = reply["result"]["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(
        names.contains(&"list_flows") && !names.contains(&"cancel_flow_run"),
        "{names:?}"
    );

    // A write with a read-only token: 403 and the step-up challenge.
    let cancel = call(
        "cancel_flow_run",
        json!({"flow_run_id": uuid::Uuid::new_v4().to_string()}),
    );
    let (status, challenge, _) = post(&public_url, Some(&reader), cancel.clone()).await;
    assert_eq!(status, 403);
    assert!(
        challenge.contains("error=\"insufficient_scope\"")
            && challenge.contains("scope=\"prefect:write\""),
        "{challenge}"
    );
    let writer = auth.token(WRITER, "prefect:read prefect:write", None).await;
    let (status, _, reply) = post(&public_url, Some(&writer), cancel).await;
    assert_eq!(status, 200, "a writer's call reaches the tool: {reply}");

    let refused = |token: String, why: &'static str| {
        let url = public_url.clone();
        async move {
            let (status, challenge, body) = post(&url, Some(&token), list_tools()).await;
            assert_eq!(status, 401, "{why}: {body}");
            assert!(
                challenge.contains("error=\"invalid_token\""),
                "{why}: {challenge}"
            );
            body["error_description"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        }
    };
    let other = auth
        .token(READER, "prefect:read", Some("http://127.0.0.1:1/mcp"))
        .await;
    assert!(refused(other, "another audience")
        .await
        .contains("audience"));
    // The reader's own claims under a header saying {"alg":"none","typ":"at+jwt"}, unsigned.
    let payload = reader.split('.').nth(1).unwrap();
    let unsigned = format!("eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.{payload}.");
    assert!(refused(unsigned, "alg none").await.contains("none"));
    // The reader's token with its signature reversed.
    let signature_end = reader.rsplit('.').next().unwrap().len();
    let flipped = format!(
        "{}{}",
        &reader[..reader.len() - signature_end],
        reader[reader.len() - signature_end..]
            .chars()
            .rev()
            .collect::<String>()
    );
    refused(flipped, "broken signature").await;
    assert!(refused(auth.expired_token.clone(), "expired")
        .await
        .contains("expired"));
    refused("not-a-token-at-all".into(), "unknown opaque token").await;

    // An opaque token, checked by introspection with the server's own client credentials.
    let opaque = auth.token("prefect-opaque", "prefect:read", None).await;
    assert!(
        !opaque.contains('.'),
        "oidc-provider minted an opaque token"
    );
    let (status, _, reply) = post(&public_url, Some(&opaque), list_tools()).await;
    assert_eq!(status, 200, "{reply}");
}

#[tokio::test]
async fn stateless_replicas_behind_nginx_check_tokens_and_lose_no_call_when_one_dies() {
    let (front, a, b) = (
        OAuthMcp::reserve(),
        OAuthMcp::reserve(),
        OAuthMcp::reserve(),
    );
    // Clients see nginx: its URL is the public URL, the audience both replicas expect.
    let public_url = OAuthMcp::public_url(front);
    let auth = AuthServer::start(&public_url);
    let mut first = OAuthMcp::start(a, &public_url, &auth.issuer, None, &["--stateless"]);
    let second = OAuthMcp::start(b, &public_url, &auth.issuer, None, &["--stateless"]);
    let _nginx = Nginx::start(front, &[a, b]);
    let token = auth.token(WRITER, "prefect:read prefect:write", None).await;
    let (status, challenge, _) = post(&public_url, None, list_tools()).await;
    assert_eq!(status, 401);
    assert!(challenge
        .contains(&public_url.replace("/mcp", "/.well-known/oauth-protected-resource/mcp")));

    let calls = 40;
    let mut answered = 0;
    for n in 0..calls {
        if n == calls / 2 {
            first.kill();
        }
        let (status, _, reply) = post(
            &public_url,
            Some(&token),
            call("search_flows", json!({"name": "hello"})),
        )
        .await;
        assert_eq!(status, 200, "call {n}: {reply}");
        assert_eq!(
            reply["result"]["structuredContent"]["flows"][0]["name"], "mcp-hello",
            "call {n}: {reply}"
        );
        answered += 1;
    }
    assert_eq!(answered, calls);
    // Both replicas served signed-in callers (each checks tokens itself, with its own key cache).
    for replica in [&first, &second] {
        let log = replica.log_text();
        assert!(
            log.contains(WRITER) && log.contains("fetched the authorization server's signing keys"),
            "replica {} did not serve a signed-in caller:\n{log}",
            replica.port
        );
    }
}

/// A session belongs to the signed-in subject that opened it: another subject naming its id is
/// answered as for an unknown session.
#[tokio::test]
async fn another_subject_cannot_use_a_session_it_did_not_open() {
    let port = OAuthMcp::reserve();
    let public_url = OAuthMcp::public_url(port);
    let auth = AuthServer::start(&public_url);
    let _server = OAuthMcp::start(port, &public_url, &auth.issuer, None, &[]);
    let writer = auth.token(WRITER, "prefect:read prefect:write", None).await;
    let reader = auth.token(READER, "prefect:read", None).await;
    let http = reqwest::Client::new();
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "oauth-test", "version": "1"}}});
    let opened = http
        .post(&public_url)
        .bearer_auth(&writer)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(initialize.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), 200);
    let session = opened.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_string();
    let in_session = |token: &str, body: Value| {
        http.post(&public_url)
            .bearer_auth(token)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("mcp-session-id", &session)
            .header("mcp-protocol-version", "2025-11-25")
            .body(body.to_string())
            .send()
    };
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    assert!(in_session(&writer, initialized)
        .await
        .unwrap()
        .status()
        .is_success());
    let stolen = in_session(&reader, list_tools()).await.unwrap();
    assert_eq!(stolen.status(), 404, "the reader used the writer's session");
    let stream = http
        .get(&public_url)
        .bearer_auth(&reader)
        .header("accept", "text/event-stream")
        .header("mcp-session-id", &session)
        .header("mcp-protocol-version", "2025-11-25")
        .send()
        .await
        .unwrap();
    assert_eq!(
        stream.status(),
        404,
        "the reader opened the writer's event stream"
    );
    let own = in_session(&writer, list_tools()).await.unwrap();
    assert_eq!(own.status(), 200, "the writer's own session still works");
}
