//! Serving the handler: stdio (what MCP clients launch) or streamable HTTP (one shared endpoint
//! for a team, behind a load balancer).
//!
//! The HTTP side is split by concern: [`http`] assembles the router and runs it, [`limits`]
//! holds every bound (with its default) and the middleware that enforces them, [`sessions`]
//! caps the sessions and evicts idle ones, [`origin`] and [`auth`] check who is calling (or
//! [`oauth`], the OAuth 2.1 resource server that signs each caller in), and
//! [`listener`] owns the TCP accept loop (for the header-read timeout `axum::serve` lacks), and
//! [`unread`] closes the connection after an answer sent before the request's body was read.

mod auth;
mod callers;
mod http;
pub mod limits;
mod listener;
mod metrics;
pub mod oauth;
mod origin;
mod ready;
mod sessions;
mod unread;

use anyhow::{Context, Result};
use rmcp::ServiceExt;

use crate::mcp::McpServer;

pub use http::{serve_http, HttpOptions, DEFAULT_BIND};
pub use limits::Limits;

/// Serve one MCP session over stdin/stdout until the client closes it.
///
/// When both are pipes (as MCP clients launch servers), they are read and written on the
/// runtime's reactor (`stdio_pipes`): tokio's own stdin/stdout run every read and write on its
/// blocking pool, a hand-off between threads each way of every call (measured on
/// `get_flow_by_id`: 11 context switches per call -> 5.7, 6 threads -> 3). Anything else (a
/// file, a terminal) keeps the blocking handles.
pub async fn serve_stdio(server: McpServer) -> Result<()> {
    // A session of its own, as each HTTP session is: counted and timed while metrics are on.
    let running = crate::telemetry::Traced(server.for_session())
        .serve(rmcp::transport::stdio_pipes())
        .await
        .context("MCP initialisation over stdio failed")?;
    let reason = running.waiting().await?;
    tracing::info!(?reason, "stdio session ended");
    Ok(())
}
