//! The tool list: the documented tools with their defaults and annotations, and the generated
//! snapshot of every tool (`tests/snapshots/tools.json`), which the fast tier checks against the
//! server and regenerates (`server/tests/tools/tool_list.rs`).

use integration_tests::*;
use serde_json::Value;

/// The generated snapshot of the tool list.
fn snapshot_path() -> std::path::PathBuf {
    workspace_root().join("tests/snapshots/tools.json")
}

/// The tools of the documented contract (the spec's original sixteen); every other tool is
/// checked through the generated snapshot, never a list kept by hand.
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

/// The tools in the generated snapshot (`tests/snapshots/tools.json`, checked by the fast tier),
/// and the ones among them that write.
pub(crate) fn snapshot_tools() -> (Vec<String>, Vec<String>) {
    let text = std::fs::read_to_string(snapshot_path()).unwrap();
    let digest: Value = serde_json::from_str(&text).unwrap();
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
    let default = |tool: &str, param: &str| -> Value {
        let tool = tools.iter().find(|t| t.name == tool).expect(tool);
        tool.input_schema
            .get("properties")
            .and_then(|props| props.get(param))
            .and_then(|p| p.get("default"))
            .cloned()
            .unwrap_or(Value::Null)
    };
    for tool in ["list_flows", "list_flow_runs", "list_deployments"] {
        assert_eq!(default(tool, "limit"), 20, "{tool}");
        assert_eq!(default(tool, "offset"), 0, "{tool}");
    }
    assert_eq!(default("create_flow_run_from_deployment", "timeout"), 0);
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
