//! `/metrics`: what [`crate::telemetry`] gathered, in the text format Prometheus scrapes. On
//! the MCP listener it sits behind the same authentication as `/mcp`; `--metrics-bind` serves
//! it alone on a private address without authentication instead.

use std::net::SocketAddr;

use anyhow::{Context, Result};
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tokio_util::sync::CancellationToken;

use crate::telemetry::{self, METRICS_CONTENT_TYPE};

/// `GET /metrics`.
pub async fn serve_metrics() -> impl IntoResponse {
    let metrics = telemetry::enable_metrics();
    (
        [(CONTENT_TYPE, METRICS_CONTENT_TYPE)],
        telemetry::encode_metrics(metrics),
    )
}

/// Serve `/metrics` alone at `bind` until `stop` is cancelled.
pub async fn serve_private(bind: SocketAddr, stop: CancellationToken) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind} (--metrics-bind)"))?;
    tracing::info!(address = %listener.local_addr()?, "serving /metrics");
    let app = Router::new().route("/metrics", get(serve_metrics));
    tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move { stop.cancelled().await })
            .await;
        if let Err(error) = served {
            tracing::warn!(%error, "the /metrics listener stopped");
        }
    });
    Ok(())
}
