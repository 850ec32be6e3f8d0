//! A real third-party MCP client, the Python `mcp` SDK 1.x, drives the built binary over stdio
//! and calls every tool against the sample world (tests/python/smoke_client.py). The Rust tests
//! use rmcp on both sides; this one proves the server also works with a client it did not
//! grow up with.

use std::path::PathBuf;
use std::process::Command;

use integration_tests::{prefect_api_url, run_client_script, server_binary, workspace_root};

/// The venv's Python, which has the `mcp` SDK: `PREFECT_TEST_PYTHON` (set by `cargo xtask
/// test`), else the default release's venv. Never a silent skip.
fn python() -> PathBuf {
    if let Some(path) = std::env::var_os("PREFECT_TEST_PYTHON").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    let venv_python = workspace_root().join("target/prefect/venv-3.9.1/bin/python");
    assert!(
        venv_python.exists(),
        "no Python with the `mcp` SDK: PREFECT_TEST_PYTHON is unset and {} does not exist. \
         Run the suite with `cargo xtask test`, which installs it and starts Prefect.",
        venv_python.display()
    );
    venv_python
}

#[test]
fn python_mcp_sdk_calls_every_tool() {
    let python = python();
    let script = workspace_root().join("tests/python/smoke_client.py");
    let summary = run_client_script(
        Command::new(&python)
            .arg(&script)
            .arg(server_binary())
            .arg(prefect_api_url())
            // No other Python's modules mixed into the venv; no __pycache__ in the source tree.
            .env_remove("PYTHONPATH")
            .env_remove("PYTHONHOME")
            .env("PYTHONDONTWRITEBYTECODE", "1"),
    );

    // The script checked that the documented tools are listed; here: each was really exercised.
    let tools = summary["tools"].as_array().expect("tools");
    assert!(!tools.is_empty(), "{summary}");
    for tool in tools {
        let tool = tool.as_str().expect("tool name");
        assert!(
            summary["calls"][tool].as_u64().unwrap_or(0) >= 1,
            "{tool} was never called: {summary}"
        );
    }
    assert_eq!(summary["hello_run"]["state"], "COMPLETED", "{summary}");
    assert!(
        summary["hello_run"]["progress_notifications"]
            .as_u64()
            .unwrap_or(0)
            >= 1,
        "{summary}"
    );
    assert_eq!(summary["cancelled_run"]["status"], "ACCEPT", "{summary}");
    assert!(
        summary["error_message"]
            .as_str()
            .is_some_and(|m| m.contains("flow_name/deployment_name")),
        "{summary}"
    );
}
