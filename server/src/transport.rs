//! Serving the handler: stdio (what MCP clients launch) or streamable HTTP (one shared endpoint
//! for a team, behind a load balancer).
//!
//! HTTP is loopback-only unless a bearer token is configured; Host and Origin headers are
//! checked as the MCP specification asks, against DNS rebinding; `/health` answers without
//! authentication for load balancers.

pub mod oauth;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::ServiceExt;
use tokio_util::sync::CancellationToken;

use crate::server::PrefectServer;

/// Serve one MCP session over stdin/stdout until the client closes it.
pub async fn serve_stdio(server: PrefectServer) -> Result<()> {
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .context("MCP initialisation over stdio failed")?;
    let reason = running.waiting().await?;
    tracing::info!(?reason, "stdio session ended");
    Ok(())
}

/// Settings of the HTTP transport.
#[derive(Clone, Debug, Default)]
pub struct HttpOptions {
    pub bind: Option<SocketAddr>,
    /// Clients must send `Authorization: Bearer <token>` to `/mcp`.
    pub token: Option<String>,
    /// No sessions: every request stands alone, so any replica can answer it.
    pub stateless: bool,
    /// Extra values accepted in the Host header (the bind address and loopback names always are).
    pub allowed_hosts: Vec<String>,
    /// Browser origins allowed to call (requests without Origin, i.e. non-browser clients, pass).
    pub allowed_origins: Vec<String>,
    /// Be an OAuth resource server: tokens from this issuer, for this public URL.
    pub oauth: Option<oauth::OAuthSettings>,
}

pub const DEFAULT_BIND: &str = "127.0.0.1:8000";

/// Serve MCP at `http://<bind>/mcp` until Ctrl-C or SIGTERM.
pub async fn serve_http(server: PrefectServer, options: HttpOptions) -> Result<()> {
    let bind = options
        .bind
        .unwrap_or_else(|| DEFAULT_BIND.parse().expect("valid default bind address"));
    let has_token = options.token.as_deref().is_some_and(|t| !t.is_empty());
    if has_token && options.oauth.is_some() {
        return Err(crate::errors::oauth::OAuthSetupError::TokenAndOAuth.into());
    }
    if !bind.ip().is_loopback() && !has_token && options.oauth.is_none() {
        bail!(
            "binding {bind} exposes Prefect beyond this machine: set a bearer token with \
             --http-token or PREFECT_MCP_HTTP_TOKEN, sign callers in with --oauth-issuer, or \
             bind to 127.0.0.1"
        );
    }
    let shutdown = CancellationToken::new();
    let mut allowed_hosts = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
        bind.ip().to_string(),
    ];
    allowed_hosts.extend(options.allowed_hosts.iter().cloned());
    allowed_hosts.extend(options.oauth.as_ref().and_then(|o| o.public_host()));
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(!options.stateless)
        // Stateless answers are plain JSON (SSE only once a tool sends progress), which saves
        // the event-stream framing on every call.
        .with_json_response(options.stateless)
        .with_allowed_hosts(allowed_hosts)
        .with_allowed_origins(options.allowed_origins.clone())
        .enforce_origin_validation()
        .with_cancellation_token(shutdown.child_token());
    let write_tools = oauth::write_tools(&server.tools());
    let mcp = StreamableHttpService::new(
        move || Ok(server.for_session()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    let mut mcp_routes = Router::new().nest_service("/mcp", mcp);
    if let Some(token) = options.token.filter(|t| !t.is_empty()) {
        mcp_routes = mcp_routes.layer(middleware::from_fn_with_state(
            Arc::new(token),
            require_bearer_token,
        ));
    }
    let mut app = Router::new().route("/health", get(health));
    if let Some(settings) = options.oauth {
        let state = oauth::OAuthState::new(settings, write_tools)?;
        mcp_routes = mcp_routes.layer(middleware::from_fn_with_state(
            state.clone(),
            oauth::require_token,
        ));
        app = app.merge(oauth::metadata_routes(state.clone()));
        tokio::spawn(async move { state.warm_up().await });
    }
    let app = app.merge(mcp_routes);

    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    tracing::info!(
        address = %listener.local_addr()?,
        stateless = options.stateless,
        "serving MCP over streamable HTTP at /mcp"
    );
    let stop = shutdown.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        stop.cancel();
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(async move { shutdown.cancelled_owned().await })
        .await
        .context("HTTP server failed")?;
    Ok(())
}

/// For load balancers: the process serves. Prefect's own health is `get_server_info`'s business,
/// so that a Prefect outage does not take every replica out of rotation.
async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "status": "ok",
        "server": env!("CARGO_PKG_NAME"),
        "version": env!("CARGO_PKG_VERSION"),
    }))
}

async fn require_bearer_token(
    State(token): State<Arc<String>>,
    request: Request,
    next: Next,
) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match presented {
        Some(given) if constant_time_eq(given.as_bytes(), token.as_bytes()) => {
            next.run(request).await
        }
        _ => (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "missing or wrong bearer token",
        )
            .into_response(),
    }
}

/// Comparison whose time does not depend on where the inputs differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_comparison_needs_equal_bytes() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
