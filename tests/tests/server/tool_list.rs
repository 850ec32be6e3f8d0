//! The tool list: the generated snapshot it must match, and the documented tools with their
//! defaults and annotations.

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

/// The generated snapshot of the tool list.
fn snapshot_path() -> std::path::PathBuf {
    workspace_root().join("tests/snapshots/tools.json")
}

#[tokio::test]
async fn tool_list_matches_the_snapshot() {
    let s = connect().await.unwrap();
    let tools = s.list_all_tools().await.unwrap();
    let digest = tool_digest(&tools);
    let path = snapshot_path();
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
