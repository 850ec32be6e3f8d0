//! Configuration that chooses the tools: read-only mode and toolsets, by flag and by environment.

use integration_tests::*;
use serde_json::json;

use crate::cli::{cli_command, run_cli};
use crate::tool_list::snapshot_tools;

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
            "delete_flow",
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

/// What a user gets with no `--toolsets`: the everyday sets, under the 40 tools some clients
/// allow; `default,<set>` adds a set, `all` offers everything.
#[test]
fn the_default_offer_leaves_out_the_administering_toolsets() {
    let listed = |toolsets: Option<&str>| -> Vec<String> {
        let mut command = cli_command(&["tools"]);
        command.env_remove("PREFECT_MCP_TOOLSETS");
        if let Some(toolsets) = toolsets {
            command.args(["--toolsets", toolsets]);
        }
        let output = command.output().expect("run the binary");
        assert!(output.status.success());
        let list: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        list["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_string())
            .collect()
    };
    let default = listed(None);
    assert!(default.len() <= 40, "{} tools by default", default.len());
    for everyday in [
        "get_flow_by_id",
        "cancel_flow_run",
        "diagnose_flow_run",
        "get_dashboard",
    ] {
        assert!(
            default.iter().any(|n| n == everyday),
            "{everyday}: {default:?}"
        );
    }
    for administering in ["set_variable", "pause_work_pool", "enable_automation"] {
        assert!(
            !default.iter().any(|n| n == administering),
            "{administering}"
        );
    }
    assert_eq!(listed(Some("default")), default);
    let with_variables = listed(Some("default,variables"));
    assert_eq!(with_variables.len(), default.len() + 4);
    let (all, _) = snapshot_tools();
    assert_eq!(listed(Some("all")).len(), all.len());
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
