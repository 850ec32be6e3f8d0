//! `prefect-mcp-server tools` and `prefect-mcp-server call <tool> '<json>'`: the tools without an
//! MCP client, for scripts and debugging. A call goes through the same router as `tools/call`.

use anyhow::{bail, Context, Result};
use rmcp::handler::server::tool::ToolCallContext;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, JsonObject, NumberOrString,
};
use rmcp::service::{serve_directly, RequestContext};
use rmcp::RoleServer;

use crate::server::PrefectServer;

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
pub fn print_tools(server: &PrefectServer) -> Result<()> {
    let tools = serde_json::json!({ "tools": server.tools() });
    print(&serde_json::to_string_pretty(&tools)?)
}

/// Run one tool; print its structured result (or its text) on stdout. Returns whether the tool
/// reported an error.
pub async fn call(server: &PrefectServer, name: &str, arguments: Option<&str>) -> Result<bool> {
    let arguments: JsonObject = match arguments {
        None => JsonObject::new(),
        Some(raw) => serde_json::from_str(raw).with_context(|| {
            format!("the arguments must be a JSON object, e.g. '{{\"limit\": 5}}'; got {raw:?}")
        })?,
    };
    if server.router().get(name).is_none() {
        let names: Vec<String> = server
            .tools()
            .into_iter()
            .map(|t| t.name.into_owned())
            .collect();
        bail!("unknown tool {name:?}; the tools are: {}", names.join(", "));
    }
    let result = call_directly(server, name, arguments).await?;
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

/// rmcp gives a tool a peer to talk back to (progress); an in-memory pipe provides one.
async fn call_directly(
    server: &PrefectServer,
    name: &str,
    arguments: JsonObject,
) -> Result<CallToolResult> {
    let (server_io, client_io) = tokio::io::duplex(64 * 1024);
    // Whatever the tool sends its peer (progress) is read and dropped.
    let drain = tokio::spawn(async move {
        use tokio::io::AsyncReadExt;
        let mut client_io = client_io;
        let mut sink = [0u8; 4096];
        while matches!(client_io.read(&mut sink).await, Ok(n) if n > 0) {}
    });
    let running = serve_directly::<RoleServer, _, _, _, _>(server.clone(), server_io, None);
    let context = RequestContext::new(NumberOrString::Number(1), running.peer().clone());
    let request = CallToolRequestParams::new(name.to_owned()).with_arguments(arguments);
    let response = server
        .router()
        .call(ToolCallContext::new(server, request, context))
        .await;
    let _ = running.cancel().await;
    drain.abort();
    match response.map_err(|e| anyhow::anyhow!("{}", e.message))? {
        CallToolResponse::Complete(result) => Ok(result),
        other => bail!("unexpected response from the tool: {other:?}"),
    }
}
