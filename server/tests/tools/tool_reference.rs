//! The tool reference (docs/tools.md) is rendered from the server's own tool list, every toolset
//! offered, so it cannot drift: this test fails when they differ, and `UPDATE_SNAPSHOTS=1`
//! rewrites that section.

use serde_json::Value;

use crate::harness::*;
use crate::snapshots::check_generated;

const TOOLS_PAGE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/tools.md");
const BEGIN: &str = "<!-- tools:begin (generated from the server's tool list; checked by server/tests/tools/tool_reference.rs) -->";
const END: &str = "<!-- tools:end -->";

fn type_name(schema: &Value) -> String {
    match &schema["type"] {
        Value::String(t) => t.clone(),
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect::<Vec<_>>()
            .join("|"),
        _ => "any".into(),
    }
}

fn render(tools: &[Value]) -> String {
    let mut out = String::from("| tool | parameters | kind | what it does |\n|---|---|---|---|\n");
    for tool in tools {
        let schema = &tool["inputSchema"];
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut params: Vec<String> = schema["properties"]
            .as_object()
            .map(|props| {
                props
                    .iter()
                    .map(|(name, p)| {
                        let default = match p.get("default") {
                            Some(Value::Null) | None if !required.contains(&name.as_str()) => {
                                " (optional)".to_string()
                            }
                            Some(d) => format!(" = {d}"),
                            None => String::new(),
                        };
                        format!("`{name}`: {}{default}", type_name(p))
                    })
                    .collect()
            })
            .unwrap_or_default();
        // Required first, then by name: independent of the schema's key order.
        params.sort();
        params.sort_by_key(|p| !required.iter().any(|r| p.starts_with(&format!("`{r}`"))));
        let read_only = tool["annotations"]["readOnlyHint"] == Value::Bool(true);
        let description = tool["description"].as_str().unwrap_or_default();
        let first_sentence = description
            .split(". ")
            .next()
            .unwrap_or_default()
            .trim_end_matches('.');
        out.push_str(&format!(
            "| `{}` | {} | {} | {}. |\n",
            tool["name"].as_str().unwrap_or_default(),
            if params.is_empty() {
                "none".into()
            } else {
                params.join(", ")
            },
            if read_only { "read" } else { "write" },
            first_sentence.replace('\n', " ").replace('|', "\\|"),
        ));
    }
    out
}

#[tokio::test]
async fn the_tool_reference_is_the_servers_tool_list() {
    let h = Harness::new().await;
    let tools: Vec<Value> = h
        .server
        .tools()
        .iter()
        .map(|tool| serde_json::to_value(tool).unwrap())
        .collect();
    check_generated(TOOLS_PAGE, BEGIN, END, &render(&tools));
}
