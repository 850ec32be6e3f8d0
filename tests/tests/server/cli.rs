//! The CLI subcommands (`call`, `tools`, `--help`) and what a call traces.

use std::process::Command;

use integration_tests::*;
use serde_json::Value;

use crate::tool_list::snapshot_tools;

/// The binary with the given arguments, against the Prefect under test, without an API key.
pub(crate) fn cli_command(args: &[&str]) -> Command {
    let mut command = Command::new(server_binary());
    command
        .args(args)
        .env("PREFECT_API_URL", prefect_api_url())
        .env(EVERY_TOOLSET.0, EVERY_TOOLSET.1)
        .env("PREFECT_HOME", empty_prefect_home())
        .env_remove("PREFECT_API_KEY");
    command
}

/// Run the binary with the given arguments: whether it succeeded, its stdout and its stderr.
pub(crate) fn run_cli(args: &[&str]) -> (bool, String, String) {
    let output = cli_command(args).output().expect("run the binary");
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
    let output = cli_command(&[
        "--log-level",
        "debug",
        "--log-format",
        "json",
        "call",
        "get_flow_by_id",
        r#"{"flow_id": "2f9a6c1e-8d3b-4a8e-9c55-0d1e2f3a4b5c"}"#,
    ])
    .env("PREFECT_API_KEY", secret)
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
