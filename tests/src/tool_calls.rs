//! Calling tools over a [`Session`] and reading their results.

use anyhow::{bail, Result};
use rmcp::model::{CallToolRequestParams, CallToolResult};
use serde_json::Value;

use crate::mcp_session::Session;

/// Call a tool; the raw result (success or tool error).
pub async fn call(session: &Session, tool: &str, arguments: Value) -> Result<CallToolResult> {
    let Value::Object(arguments) = arguments else {
        bail!("arguments must be a JSON object");
    };
    Ok(session
        .call_tool(CallToolRequestParams::new(tool.to_owned()).with_arguments(arguments))
        .await?)
}

/// Call a tool that must succeed; its structured content.
pub async fn call_ok(session: &Session, tool: &str, arguments: Value) -> Value {
    let result = call(session, tool, arguments.clone())
        .await
        .unwrap_or_else(|e| panic!("{tool}({arguments}) failed at the protocol level: {e}"));
    assert_ne!(
        result.is_error,
        Some(true),
        "{tool}({arguments}) returned a tool error: {}",
        text_of(&result)
    );
    let structured = result
        .structured_content
        .clone()
        .unwrap_or_else(|| panic!("{tool} returned no structured content"));
    // The text content carries the same JSON, for clients that ignore structured content.
    let text: Value = serde_json::from_str(&text_of(&result)).expect("text content is JSON");
    assert_eq!(
        text, structured,
        "{tool}: text and structured content differ"
    );
    structured
}

/// Call a tool that must fail with a tool error (not a protocol error); its message.
pub async fn call_err(session: &Session, tool: &str, arguments: Value) -> String {
    let result = call(session, tool, arguments.clone())
        .await
        .unwrap_or_else(|e| panic!("{tool}({arguments}) failed at the protocol level: {e}"));
    assert_eq!(
        result.is_error,
        Some(true),
        "{tool}({arguments}) should have failed but returned {:?}",
        result.structured_content
    );
    text_of(&result)
}

pub fn text_of(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Names of the items of a list result (`flows`, `flow_runs`, `deployments`).
pub fn names(list: &Value, key: &str) -> Vec<String> {
    list[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} missing in {list}"))
        .iter()
        .filter_map(|item| item["name"].as_str().map(String::from))
        .collect()
}
