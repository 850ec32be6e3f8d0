//! The official MCP conformance suite (`@modelcontextprotocol/conformance`, installed under
//! target/clients by `cargo xtask test`) against the HTTP server: its generic server scenarios,
//! the ones that need no tools of the suite's own. Independent of the Prefect version: run it
//! once per CI run (`cargo xtask test -- --test conformance`).
//!
//! tier: once

use std::path::PathBuf;
use std::process::Command;

use integration_tests::{workspace_root, HttpServer};

const SCENARIOS: [&str; 7] = [
    "server-initialize",
    "ping",
    "tools-list",
    "prompts-list",
    "resources-list",
    "server-sse-multiple-streams",
    "dns-rebinding-protection",
];

/// The suite's entry point: `PREFECT_TEST_CONFORMANCE`, else where xtask installs it. Never a
/// silent skip.
fn suite() -> PathBuf {
    let path = std::env::var_os("PREFECT_TEST_CONFORMANCE")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            workspace_root().join(
                "target/clients/conformance/node_modules/@modelcontextprotocol/conformance/dist/index.js",
            )
        });
    assert!(
        path.exists(),
        "no MCP conformance suite at {}: run the suite with `cargo xtask test`, which installs \
         it under target/clients",
        path.display()
    );
    path
}

/// Run one scenario; its report, or a panic that shows it.
fn run_scenario(suite: &PathBuf, url: &str, scenario: &str) -> String {
    let output = Command::new("node")
        .arg(suite)
        .args(["server", "--url", url, "--scenario", scenario])
        .output()
        .expect("run node (installed by `cargo xtask test`)");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let summary = report
        .lines()
        .find(|l| l.starts_with("Passed:"))
        .unwrap_or_else(|| panic!("scenario {scenario} printed no summary:\n{report}"));
    assert!(
        output.status.success() && summary.contains(" 0 failed"),
        "conformance scenario {scenario} failed ({}):\n{report}",
        output.status
    );
    report
}

#[test]
fn the_generic_server_scenarios_pass_over_http() {
    let suite = suite();
    let server = HttpServer::start(&[], &[]);
    for scenario in SCENARIOS {
        run_scenario(&suite, &server.mcp(), scenario);
    }
}

#[test]
fn the_stateless_endpoint_passes_the_scenarios_that_need_no_session() {
    let suite = suite();
    let server = HttpServer::start(&["--stateless"], &[]);
    for scenario in [
        "server-initialize",
        "ping",
        "tools-list",
        "dns-rebinding-protection",
    ] {
        run_scenario(&suite, &server.mcp(), scenario);
    }
}
