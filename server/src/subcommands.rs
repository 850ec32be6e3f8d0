//! `prefect-mcp-server tools` and `prefect-mcp-server call <tool> '<json>'`: the tools without an
//! MCP client, for scripts and debugging. A call goes through the same router as `tools/call`.

use anyhow::{bail, Context, Result};
use rmcp::model::JsonObject;

use crate::mcp::McpServer;

/// Write to stdout; a reader that went away (`| head`) ends the output quietly instead of
/// panicking as `println!` would.
fn print(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Print the tool list as MCP `tools/list` would return it.
pub fn print_tools(server: &McpServer) -> Result<()> {
    let tools = serde_json::json!({ "tools": server.tools() });
    print(&serde_json::to_string_pretty(&tools)?)
}

/// Run one tool; print its structured result (or its text) on stdout. Returns whether the tool
/// reported an error.
pub async fn call(server: &McpServer, name: &str, arguments: Option<&str>) -> Result<bool> {
    let arguments: JsonObject = match arguments {
        None => JsonObject::new(),
        Some(raw) => serde_json::from_str(raw).with_context(|| {
            format!("the arguments must be a JSON object, e.g. '{{\"limit\": 5}}'; got {raw:?}")
        })?,
    };
    if !server.has_tool(name) {
        let names: Vec<String> = server
            .tools()
            .into_iter()
            .map(|t| t.name.into_owned())
            .collect();
        bail!("unknown tool {name:?}; the tools are: {}", names.join(", "));
    }
    let result = server
        .call_in_process(name, arguments)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let is_error = result.is_error == Some(true);
    match (&result.structured_content, is_error) {
        (Some(value), false) => print(&serde_json::to_string_pretty(value)?)?,
        _ => {
            for block in &result.content {
                if let Some(text) = block.as_text() {
                    if is_error {
                        eprintln!("{}", text.text);
                    } else {
                        print(&text.text)?;
                    }
                }
            }
        }
    }
    Ok(is_error)
}
