//! The tool reference (docs/tools.md) is generated from the server's own tool list, so it cannot drift:
//! this test fails when they differ, and `UPDATE_SNAPSHOTS=1` rewrites that section.

use std::process::Command;

use integration_tests::{server_binary, update_snapshots, workspace_root};
use serde_json::Value;

const BEGIN: &str = "<!-- tools:begin (generated from the server's tool list; checked by tests/tests/readme.rs) -->";
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

#[test]
fn readme_tool_reference_matches_the_server() {
    let output = Command::new(server_binary())
        .args(["tools", "--toolsets", "all"])
        .env_remove("PREFECT_MCP_TOOLSETS")
        .env_remove("PREFECT_MCP_READ_ONLY")
        .output()
        .expect("run the binary");
    assert!(output.status.success());
    let listed: Value = serde_json::from_slice(&output.stdout).unwrap();
    let table = render(listed["tools"].as_array().unwrap());

    let path = workspace_root().join("docs/tools.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let start = readme
        .find(BEGIN)
        .expect("docs/tools.md has the tools:begin marker")
        + BEGIN.len();
    let end = readme
        .find(END)
        .expect("docs/tools.md has the tools:end marker");
    let current = readme[start..end].trim();
    if update_snapshots() {
        let updated = format!("{}\n{}\n{}", &readme[..start], table.trim(), &readme[end..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    assert_eq!(
        current,
        table.trim(),
        "docs/tools.md's tool reference is out of date; rerun with UPDATE_SNAPSHOTS=1"
    );
}
