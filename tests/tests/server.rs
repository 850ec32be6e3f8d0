//! The server as a process: its tool list, read-only mode, configuration, failures of Prefect,
//! the CLI subcommands, and a stdin that is not clean JSON-RPC.

use std::process::{Command, Stdio};

use integration_tests::*;
use serde_json::{json, Value};

/// A digest of the tool list that a reviewer can read: names, parameters with types and
/// defaults, required parameters, annotations. Descriptions and output schemas are left out so
/// that rewording does not churn the snapshot.
fn tool_digest(tools: &[rmcp::model::Tool]) -> Value {
    let mut digest = serde_json::Map::new();
    for tool in tools {
        let schema = Value::Object((*tool.input_schema).clone());
        let params: serde_json::Map<String, Value> = schema["properties"]
            .as_object()
            .map(|props| {
                props
                    .iter()
                    .map(|(name, p)| {
                        let kind = p.get("type").cloned().unwrap_or(Value::Null);
                        (
                            name.clone(),
                            json!({"type": kind, "default": p.get("default")}),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let annotations = serde_json::to_value(&tool.annotations).unwrap();
        digest.insert(
            tool.name.to_string(),
            json!({
                "params": params,
                "required": schema.get("required").cloned().unwrap_or(json!([])),
                "annotations": annotations,
                "has_output_schema": tool.output_schema.is_some(),
            }),
        );
    }
    Value::Object(digest)
}

#[tokio::test]
async fn tool_list_matches_the_snapshot() {
    let s = connect().await.unwrap();
    let tools = s.list_all_tools().await.unwrap();
    let digest = tool_digest(&tools);
    let path = workspace_root().join("tests/snapshots/tools.json");
    let rendered = serde_json::to_string_pretty(&digest).unwrap() + "\n";
    if update_snapshots() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &rendered).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} missing; run with UPDATE_SNAPSHOTS=1 to create it",
            path.display()
        )
    });
    assert_eq!(
        rendered, expected,
        "the tool list changed; if intended, rerun with UPDATE_SNAPSHOTS=1 and review the diff"
    );
}

/// The tools of the documented contract (the spec's original sixteen); every other tool is
/// checked through the generated snapshot above, never a list kept by hand.
const DOCUMENTED: [&str; 16] = [
    "cancel_flow_run",
    "create_flow_run_from_deployment",
    "filter_deployments",
    "filter_flow_runs",
    "filter_flows",
    "get_deployment_by_id",
    "get_deployment_by_name",
    "get_flow_by_id",
    "get_flow_by_name",
    "get_flow_run_by_id",
    "list_deployments",
    "list_flow_runs",
    "list_flows",
    "search_deployments_by_status",
    "search_flow_runs_by_state",
    "search_flows",
];

/// The tools in the generated snapshot (`tests/snapshots/tools.json`, checked above), and the
/// ones among them that write.
fn snapshot_tools() -> (Vec<String>, Vec<String>) {
    let path = workspace_root().join("tests/snapshots/tools.json");
    let digest: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let tools = digest.as_object().unwrap();
    let writes = tools
        .iter()
        .filter(|(_, t)| t["annotations"]["readOnlyHint"] != Value::Bool(true))
        .map(|(name, _)| name.clone())
        .collect();
    (tools.keys().cloned().collect(), writes)
}

#[tokio::test]
async fn the_documented_tools_and_defaults_are_offered() {
    let s = connect().await.unwrap();
    let tools = s.list_all_tools().await.unwrap();
    let names: Vec<String> = tools.iter().map(|t| t.name.to_string()).collect();
    for documented in DOCUMENTED {
        assert!(
            names.iter().any(|n| n == documented),
            "{documented} missing"
        );
    }
    let digest = tool_digest(&tools);
    for tool in ["list_flows", "list_flow_runs", "list_deployments"] {
        assert_eq!(digest[tool]["params"]["limit"]["default"], 20, "{tool}");
        assert_eq!(digest[tool]["params"]["offset"]["default"], 0, "{tool}");
    }
    assert_eq!(
        digest["create_flow_run_from_deployment"]["params"]["timeout"]["default"],
        0
    );
    for tool in &tools {
        assert!(
            tool.output_schema.is_some(),
            "{} has no output schema",
            tool.name
        );
        let annotations = tool.annotations.as_ref().expect("annotations");
        assert!(annotations.read_only_hint.is_some(), "{}", tool.name);
        if DOCUMENTED.contains(&tool.name.as_ref()) {
            let writes = ["cancel_flow_run", "create_flow_run_from_deployment"]
                .contains(&tool.name.as_ref());
            assert_eq!(annotations.read_only_hint, Some(!writes), "{}", tool.name);
        }
    }
    let cancel = tools.iter().find(|t| t.name == "cancel_flow_run").unwrap();
    assert_eq!(
        cancel.annotations.as_ref().unwrap().destructive_hint,
        Some(true)
    );
}

#[tokio::test]
async fn instructions_explain_names_filters_states_and_waiting() {
    let s = connect().await.unwrap();
    let info = s.peer_info().expect("server info");
    assert_eq!(
        info.server_info.as_ref().map(|i| i.name.as_str()),
        Some("prefect-mcp-server")
    );
    let instructions = info.instructions.clone().unwrap_or_default();
    for topic in [
        "flow_name/deployment_name",
        "like_",
        "CANCELLING",
        "timeout",
    ] {
        assert!(
            instructions.contains(topic),
            "instructions do not mention {topic}"
        );
    }
}

#[tokio::test]
async fn read_only_removes_the_write_tools_by_flag_and_by_env() {
    for launch in [
        Launch::default().arg("--read-only"),
        Launch::default().env("PREFECT_MCP_READ_ONLY", "true"),
    ] {
        let s = connect_with(launch).await.unwrap();
        let names: Vec<String> = s
            .list_all_tools()
            .await
            .unwrap()
            .iter()
            .map(|t| t.name.to_string())
            .collect();
        let (all, writes) = snapshot_tools();
        assert_eq!(names.len(), all.len() - writes.len(), "{names:?}");
        assert!(!names.iter().any(|n| writes.contains(n)));
        let result = call(
            &s,
            "cancel_flow_run",
            json!({"flow_run_id": "00000000-0000-4000-8000-000000000000"}),
        )
        .await;
        assert!(result.is_err(), "a removed tool cannot be called");
    }
}

fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/api")
}

#[tokio::test]
async fn unreachable_prefect_does_not_stop_the_server_and_tools_say_where_they_looked() {
    let url = closed_port_url();
    let s = connect_with(Launch::default().env("PREFECT_API_URL", &url))
        .await
        .unwrap();
    let err = call_err(&s, "list_flows", json!({})).await;
    assert!(
        err.contains("Cannot reach Prefect at") && err.contains(&url),
        "{err}"
    );
    assert!(err.contains("PREFECT_API_URL"), "{err}");
    // Still serving.
    let err = call_err(&s, "get_flow_by_name", json!({"name": "x"})).await;
    assert!(err.contains("Cannot reach Prefect"), "{err}");
}

#[tokio::test]
async fn rejected_credentials_point_at_the_settings_and_never_leak() {
    let mut prefect = mockito::Server::new_async().await;
    let _refuse = prefect
        .mock("POST", "/api/flows/filter")
        .with_status(401)
        .with_body(r#"{"exception_message":"Unauthorized"}"#)
        .create_async()
        .await;
    let secret = "pnu_very_secret_key_123";
    let (s, stderr) = connect_capturing_stderr(
        Launch::default()
            .env("PREFECT_API_URL", &format!("{}/api", prefect.url()))
            .env("PREFECT_API_KEY", secret)
            .env("RUST_LOG", "debug"),
    )
    .await;
    let err = call_err(&s, "list_flows", json!({})).await;
    assert!(
        err.contains("PREFECT_API_KEY") && err.contains("401"),
        "{err}"
    );
    assert!(!err.contains(secret));
    s.cancel().await.unwrap();
    let logs = stderr.await.unwrap();
    assert!(
        logs.contains("api key (Bearer)"),
        "startup log names the kind of auth: {logs}"
    );
    assert!(!logs.contains(secret), "the key leaked into the logs");
}

/// Start the server with stderr captured; the second value resolves to all of stderr once the
/// session ends.
async fn connect_capturing_stderr(launch: Launch) -> (Session, tokio::task::JoinHandle<String>) {
    use rmcp::transport::TokioChildProcess;
    use rmcp::ServiceExt;
    use tokio::io::AsyncReadExt;
    let mut cmd = tokio::process::Command::new(server_binary());
    cmd.args(&launch.args)
        .env_remove("PREFECT_API_AUTH_STRING")
        .env_remove("PREFECT_PROFILE")
        .env(
            "PREFECT_HOME",
            std::env::temp_dir().join("prefect-mcp-tests-empty-home"),
        );
    for (k, v) in &launch.env {
        cmd.env(k, v);
    }
    let (transport, stderr) = TokioChildProcess::builder(cmd)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = stderr.expect("stderr piped");
    let collected = tokio::spawn(async move {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text).await;
        text
    });
    let session = RecordingClient::default().serve(transport).await.unwrap();
    (session, collected)
}

fn run_cli(args: &[&str]) -> (bool, String, String) {
    let output = Command::new(server_binary())
        .args(args)
        .env("PREFECT_API_URL", prefect_api_url())
        .env(
            "PREFECT_HOME",
            std::env::temp_dir().join("prefect-mcp-tests-empty-home"),
        )
        .env_remove("PREFECT_API_KEY")
        .output()
        .expect("run the binary");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn call_subcommand_prints_the_json_result() {
    let (ok, stdout, _) = run_cli(&["call", "search_flows", r#"{"name": "hello"}"#]);
    assert!(ok);
    let result: Value = serde_json::from_str(&stdout).expect("stdout is JSON");
    assert_eq!(result["flows"][0]["name"], "mcp-hello");
}

/// `--log-format json` at debug: one JSON line per Prefect request (operation, status,
/// duration, retries) and one per tool call (tool, outcome, duration), and never the API key.
#[test]
fn tool_calls_and_prefect_requests_are_traced_without_secrets() {
    let secret = "pnu_trace_test_secret_value";
    let output = Command::new(server_binary())
        .args([
            "--log-level",
            "debug",
            "--log-format",
            "json",
            "call",
            "get_flow_by_id",
            r#"{"flow_id": "2f9a6c1e-8d3b-4a8e-9c55-0d1e2f3a4b5c"}"#,
        ])
        .env("PREFECT_API_URL", prefect_api_url())
        .env("PREFECT_API_KEY", secret)
        .env(
            "PREFECT_HOME",
            std::env::temp_dir().join("prefect-mcp-tests-empty-home"),
        )
        .output()
        .expect("run the binary");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains(secret), "the API key was logged");
    let lines: Vec<Value> = stderr
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let request = lines
        .iter()
        .find(|l| l["fields"]["message"] == "prefect request")
        .unwrap_or_else(|| panic!("no prefect request event: {stderr}"));
    assert_eq!(request["fields"]["operation"], "read_flow", "{request}");
    assert_eq!(request["fields"]["status"], 404, "{request}");
    assert_eq!(request["fields"]["retries"], 0, "{request}");
    assert!(request["fields"]["duration_ms"].is_number(), "{request}");
    let call = lines
        .iter()
        .find(|l| l["fields"]["message"] == "tool call finished")
        .unwrap_or_else(|| panic!("no tool call event: {stderr}"));
    assert_eq!(call["span"]["tool"], "get_flow_by_id", "{call}");
    assert_eq!(call["span"]["outcome"], "error", "{call}");
    assert_eq!(call["span"]["error_kind"], "prefect_not_found", "{call}");
    assert!(call["span"]["duration_ms"].is_number(), "{call}");
}

#[test]
fn call_subcommand_fails_with_the_tool_error() {
    let (ok, stdout, stderr) = run_cli(&["call", "get_flow_by_id", r#"{"flow_id": "nope"}"#]);
    assert!(!ok);
    assert!(stdout.trim().is_empty());
    assert!(stderr.contains("flow_id must be a UUID"), "{stderr}");
    let (ok, _, stderr) = run_cli(&["call", "no_such_tool"]);
    assert!(!ok);
    assert!(
        stderr.contains("unknown tool") && stderr.contains("list_flows"),
        "{stderr}"
    );
    let (ok, _, stderr) = run_cli(&["call", "list_flows", "[1, 2]"]);
    assert!(!ok);
    assert!(stderr.contains("JSON object"), "{stderr}");
}

#[test]
fn tools_subcommand_lists_the_tools() {
    let (ok, stdout, _) = run_cli(&["tools"]);
    assert!(ok);
    let listed: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        listed["tools"].as_array().unwrap().len(),
        snapshot_tools().0.len()
    );
}

#[test]
fn help_explains_the_configuration() {
    let (ok, stdout, _) = run_cli(&["--help"]);
    assert!(ok);
    for needle in [
        "PREFECT_API_URL",
        "PREFECT_API_KEY",
        "PREFECT_API_AUTH_STRING",
        "profiles.toml",
        "--read-only",
        "PREFECT_MCP_READ_ONLY",
    ] {
        assert!(stdout.contains(needle), "--help does not mention {needle}");
    }
}

#[test]
fn malformed_json_rpc_on_stdin_gets_an_error_or_is_skipped_and_the_server_carries_on() {
    let mut server = RawStdioServer::start();
    server.send("this is not json");
    server.send(r#"{"not": "json-rpc"}"#);
    server.send(r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#);
    let mut replies = Vec::new();
    loop {
        let line = server
            .read_line()
            .unwrap_or_else(|| panic!("the server exited: {replies:?}"));
        replies.push(line.clone());
        if line.contains("\"id\":2") {
            break;
        }
    }
    let last: Value = serde_json::from_str(replies.last().unwrap()).unwrap();
    assert_eq!(
        last["result"]["tools"].as_array().unwrap().len(),
        snapshot_tools().0.len()
    );
    // The non-JSON-RPC object got an "Invalid request" error reply.
    assert!(replies.iter().any(|r| r.contains("-32600")), "{replies:?}");
    server.close_stdin();
    let status = server.child.wait().unwrap();
    assert!(status.success(), "clean exit on EOF: {status}");
}

#[tokio::test]
async fn toolsets_choose_the_tools_and_read_only_applies_to_all_of_them() {
    let names = |tools: Vec<rmcp::model::Tool>| {
        let mut n: Vec<String> = tools.iter().map(|t| t.name.to_string()).collect();
        n.sort();
        n
    };
    let s = connect_with(Launch::default().arg("--toolsets").arg("flows,diagnose"))
        .await
        .unwrap();
    assert_eq!(
        names(s.list_all_tools().await.unwrap()),
        [
            "diagnose_flow_run",
            "get_flow_by_id",
            "get_flow_by_name",
            "list_flows",
            "search_flows"
        ]
    );
    let s = connect_with(
        Launch::default()
            .env("PREFECT_MCP_TOOLSETS", "flow_runs")
            .arg("--read-only"),
    )
    .await
    .unwrap();
    assert_eq!(
        names(s.list_all_tools().await.unwrap()),
        [
            "get_flow_run_by_id",
            "list_flow_runs",
            "search_flow_runs_by_state",
            "wait_for_flow_run"
        ]
    );
    let s = connect_with(Launch::default().arg("--toolsets").arg("variables"))
        .await
        .unwrap();
    assert_eq!(
        names(s.list_all_tools().await.unwrap()),
        [
            "delete_variable",
            "get_variable",
            "list_variables",
            "set_variable"
        ]
    );
}

#[test]
fn an_unknown_toolset_is_refused_at_startup_with_the_valid_ones() {
    let (ok, _, stderr) = run_cli(&["--toolsets", "flows,nope", "tools"]);
    assert!(!ok);
    assert!(
        stderr.contains("unknown toolset \"nope\"") && stderr.contains("work_pools"),
        "{stderr}"
    );
}
