//! The tool list's generated snapshot, `tests/snapshots/tools.json`: a digest of every tool a
//! reviewer can read, owned by this tier. It is checked (and, with `UPDATE_SNAPSHOTS=1` outside
//! CI, rewritten) against the tool list of a server in this process offering every toolset, as
//! the end-to-end tests start the binary (`PREFECT_MCP_TOOLSETS=all`); they read the snapshot
//! as the list of every tool.

use std::collections::BTreeMap;

use rmcp::model::Tool;
use serde_json::{json, Value};

use crate::harness::*;

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/snapshots/tools.json");

/// Every tool, as the generated snapshot has them: never a list kept by hand.
pub(crate) fn all_tools() -> Vec<String> {
    let digest: Value = serde_json::from_str(&std::fs::read_to_string(SNAPSHOT).unwrap()).unwrap();
    digest.as_object().unwrap().keys().cloned().collect()
}

/// `value` with every object's keys in order, whatever order serde_json keeps them in.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let ordered: BTreeMap<String, Value> =
                map.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            Value::Object(ordered.into_iter().collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// A digest of the tool list: names, parameters with types and defaults, required parameters,
/// annotations. Descriptions and output schemas are left out so that rewording does not churn
/// the snapshot.
fn tool_digest(tools: &[Tool]) -> Value {
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
    sorted(Value::Object(digest))
}

#[tokio::test]
async fn tool_list_matches_the_snapshot() {
    let h = Harness::new().await;
    let rendered = serde_json::to_string_pretty(&tool_digest(&h.server.tools())).unwrap() + "\n";
    crate::snapshots::check_generated_file(SNAPSHOT, &rendered);
}
