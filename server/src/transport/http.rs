//! Streamable HTTP: one shared endpoint at `/mcp` (plus `/health` and `/ready` for load
//! balancers).
//!
//! HTTP is loopback-only unless a bearer token is configured; Host and Origin headers are
//! checked as the MCP specification asks, against DNS rebinding; every resource a client can
//! make the server hold (sessions, connections, requests in flight, body bytes) is bounded by
//! [`Limits`].

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{anyhow, bail, Context, Result};
use axum::middleware;
use axum::routing::get;
use axum::{Json, Router};
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

use super::auth::{require_bearer_token, BearerToken};
use super::callers::{self, CallerShares};
use super::limits::{self, InFlight, Limits};
use super::listener;
use super::metrics::{self, serve_metrics};
use super::oauth::{self, OAuthSettings, OAuthState};
use super::origin::{check_origin, OriginRule};
use super::ready::{ready, Readiness};
use super::sessions::{admit_session, BoundedSessions};
use super::unread;
use crate::errors::oauth::OAuthSetupError;
use crate::mcp::McpServer;
use crate::telemetry;

/// Settings of the HTTP transport. `Debug` never shows the token.
#[derive(Clone, Default)]
pub struct HttpOptions {
    pub bind: Option<SocketAddr>,
    /// Clients must send `Authorization: Bearer <token>` to `/mcp`.
    pub token: Option<String>,
    /// No sessions: every request stands alone, so any replica can answer it.
    pub stateless: bool,
    /// Extra values accepted in the Host header (the bind address and loopback names always are).
    pub allowed_hosts: Vec<String>,
    /// Browser origins allowed to call besides the server's own (requests without Origin, i.e.
    /// non-browser clients, pass).
    pub allowed_origins: Vec<String>,
    pub limits: Limits,
    /// Be an OAuth resource server: tokens from this issuer, for this public URL.
    pub oauth: Option<OAuthSettings>,
    /// Serve `/metrics` here, without authentication, instead of beside `/mcp`.
    pub metrics_bind: Option<SocketAddr>,
}

impl std::fmt::Debug for HttpOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpOptions")
            .field("bind", &self.bind)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("stateless", &self.stateless)
            .field("allowed_hosts", &self.allowed_hosts)
            .field("allowed_origins", &self.allowed_origins)
            .field("limits", &self.limits)
            .field("oauth", &self.oauth)
            .field("metrics_bind", &self.metrics_bind)
            .finish()
    }
}

pub const DEFAULT_BIND: &str = "127.0.0.1:8000";

/// Serve MCP at `http://<bind>/mcp` until Ctrl-C or SIGTERM.
pub async fn serve_http(server: McpServer, options: HttpOptions) -> Result<()> {
    let bind = options
        .bind
        .unwrap_or_else(|| DEFAULT_BIND.parse().expect("valid default bind address"));
    let has_token = options.token.as_deref().is_some_and(|t| !t.is_empty());
    if has_token && options.oauth.is_some() {
        return Err(OAuthSetupError::TokenAndOAuth.into());
    }
    if !bind.ip().is_loopback() && !has_token && options.oauth.is_none() {
        bail!(
            "binding {bind} exposes Prefect beyond this machine: set a bearer token with \
             --http-token or PREFECT_MCP_HTTP_TOKEN, sign callers in with --oauth-issuer, or \
             bind to 127.0.0.1"
        );
    }
    options.limits.validate().map_err(|e| anyhow!(e))?;
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    let address = listener.local_addr()?;
    let shutdown = CancellationToken::new();
    telemetry::enable_metrics();
    if let Some(metrics_bind) = options.metrics_bind {
        metrics::serve_private(metrics_bind, shutdown.child_token()).await?;
    }
    let app = router(server, &options, address.port(), shutdown.child_token())?;
    tracing::info!(
        %address,
        stateless = options.stateless,
        limits = ?options.limits,
        "serving MCP over streamable HTTP at /mcp"
    );
    let stop = shutdown.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        stop.cancel();
    });
    listener::serve(listener, app, options.limits.header_read_timeout, shutdown).await
}

/// The whole HTTP application, assembled in one place. Layers run outermost first: an answer
/// sent before the body was read closes the connection ([`unread`]), the Origin rule, the
/// in-flight limit (so that checking tokens is bounded too), the bearer token, naming the
/// caller, the caller's share of the requests in flight, session admission (a session is its
/// opener's), then the body (time and size) before rmcp reads it. An authentication layer of
/// another kind slots in where the bearer token is.
fn router(
    server: McpServer,
    options: &HttpOptions,
    port: u16,
    cancel: CancellationToken,
) -> Result<Router> {
    let limits = Arc::new(options.limits.clone());
    let mut own_hosts = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    if let Some(bind) = options.bind {
        own_hosts.push(bind.ip().to_string());
    }
    own_hosts.extend(options.allowed_hosts.iter().cloned());
    own_hosts.extend(options.oauth.as_ref().and_then(|o| o.public_host()));
    let origins =
        OriginRule::new(&own_hosts, port, &options.allowed_origins).map_err(|e| anyhow!(e))?;

    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(!options.stateless)
        // Stateless answers are plain JSON (SSE only once a tool sends progress), which saves
        // the event-stream framing on every call.
        .with_json_response(options.stateless)
        .with_allowed_hosts(own_hosts)
        // The Origin rule is [`check_origin`]'s: rmcp's refuses the server's own origin.
        .disable_allowed_origins()
        .with_max_request_body_bytes(limits.max_request_bytes)
        .with_cancellation_token(cancel);
    let sessions = Arc::new(BoundedSessions::new(
        limits.max_sessions,
        limits.max_sessions_per_caller,
        limits.session_idle,
    ));
    let write_tools = Arc::new(server.write_tools());
    let readiness = Readiness::new(server.prefect.clone());
    let mcp = StreamableHttpService::new(
        move || Ok(telemetry::Traced(server.for_session())),
        sessions.clone(),
        config,
    );

    let oauth = match options.oauth.clone() {
        Some(settings) => Some(OAuthState::new(settings, write_tools)?),
        None => None,
    };
    let mut mcp_routes = Router::new().nest_service("/mcp", mcp);
    if let Some(state) = &oauth {
        // Inside read_body: the body it looks into has arrived within the limits.
        mcp_routes = mcp_routes.layer(middleware::from_fn_with_state(
            state.clone(),
            oauth::require_write_scope,
        ));
    }
    let mut mcp_routes = mcp_routes
        .layer(middleware::from_fn_with_state(
            limits.clone(),
            limits::read_body,
        ))
        .layer(middleware::from_fn_with_state(sessions, admit_session))
        .layer(middleware::from_fn_with_state(
            CallerShares::new(limits.max_in_flight_per_caller),
            callers::limit_per_caller,
        ))
        .layer(middleware::from_fn(callers::identify));
    if options.metrics_bind.is_none() {
        // Added after the per-caller limits (a scrape is no MCP request) and before
        // authentication, which it shares with /mcp.
        mcp_routes = mcp_routes.route("/metrics", get(serve_metrics));
    }
    if let Some(token) = options.token.clone().filter(|t| !t.is_empty()) {
        mcp_routes = mcp_routes.layer(middleware::from_fn_with_state(
            Arc::new(BearerToken::new(token)),
            require_bearer_token,
        ));
    }
    let mut app = Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready).with_state(readiness));
    if let Some(state) = oauth {
        mcp_routes = mcp_routes.layer(middleware::from_fn_with_state(
            state.clone(),
            oauth::require_token,
        ));
        app = app.merge(oauth::metadata_routes(state.clone()));
        tokio::spawn(async move { state.warm_up().await });
    }
    let mcp_routes = mcp_routes
        .layer(middleware::from_fn_with_state(
            InFlight::new(limits.max_in_flight),
            limits::limit_in_flight,
        ))
        .layer(middleware::from_fn_with_state(
            Arc::new(origins),
            check_origin,
        ));
    Ok(app
        .merge(mcp_routes)
        .layer(middleware::from_fn(unread::close_if_unread)))
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
    fn debug_hides_the_token() {
        let options = HttpOptions {
            token: Some("s3cret".into()),
            ..Default::default()
        };
        let shown = format!("{options:?}");
        assert!(
            !shown.contains("s3cret") && shown.contains("redacted"),
            "{shown}"
        );
    }
}
