//! The third-party MCP clients (Python SDK 2.x, TypeScript SDK) that `cargo xtask test` installs,
//! and running a script written for one of them.

use std::path::PathBuf;

use serde_json::Value;

use crate::environment::workspace_root;

/// The Python with the MCP SDK 2.x that `cargo xtask test` installs (`PREFECT_TEST_CLIENTS_PYTHON`,
/// else target/clients/py-venv). Never a silent skip.
pub fn clients_python() -> PathBuf {
    let path = std::env::var_os("PREFECT_TEST_CLIENTS_PYTHON")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/clients/py-venv/bin/python"));
    assert!(
        path.exists(),
        "no Python with the MCP SDK 2.x at {}: run the suite with `cargo xtask test`, which \
         installs the test clients under target/clients",
        path.display()
    );
    path
}

/// The npm folder holding the TypeScript SDK (`PREFECT_TEST_CLIENTS_NODE`, else
/// target/clients/node). Never a silent skip.
pub fn clients_node_modules() -> PathBuf {
    let dir = std::env::var_os("PREFECT_TEST_CLIENTS_NODE")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/clients/node"));
    let modules = dir.join("node_modules");
    assert!(
        modules.join("@modelcontextprotocol/sdk").exists(),
        "no TypeScript MCP SDK under {}: run the suite with `cargo xtask test`, which installs \
         the test clients under target/clients",
        modules.display()
    );
    modules
}

/// Run a client script whose last stdout line is a JSON summary with `ok`; the summary, or a
/// panic with the script's output.
pub fn run_client_script(command: &mut std::process::Command) -> Value {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("running {command:?}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report = format!("--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}");
    let summary: Value = stdout
        .lines()
        .last()
        .and_then(|line| serde_json::from_str(line).ok())
        .unwrap_or_else(|| panic!("no JSON summary on the last stdout line\n{report}"));
    assert!(
        output.status.success() && summary["ok"].as_bool() == Some(true),
        "the client script failed ({}): {}\n{report}",
        output.status,
        summary["error"]
    );
    summary
}
