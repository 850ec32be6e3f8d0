//! Protected resource metadata (RFC 9728): where clients learn which authorization server signs
//! tokens for this server and which scopes exist. Served without authentication at the path
//! form for the public URL (and `/mcp`) and at the root form, which older clients try.

use std::sync::Arc;

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use super::{OAuthState, READ_SCOPE, WRITE_SCOPE};

/// The metadata routes; merge them into the app outside the token layer.
pub fn routes(state: Arc<OAuthState>) -> Router {
    let settings = &state.settings;
    let document = Arc::new(json!({
        "resource": settings.public_url,
        "authorization_servers": [settings.issuer],
        "scopes_supported": [READ_SCOPE, WRITE_SCOPE],
        "bearer_methods_supported": ["header"],
        "resource_name": "Prefect MCP server",
    }));
    let handler = move || {
        let document = document.clone();
        async move {
            (
                // Public metadata that browser-based clients fetch from another origin.
                [(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")],
                Json((*document).clone()),
            )
                .into_response()
        }
    };
    let mut paths = vec![
        "/.well-known/oauth-protected-resource".to_string(),
        "/.well-known/oauth-protected-resource/mcp".to_string(),
    ];
    let public = format!(
        "/.well-known/oauth-protected-resource{}",
        settings.public_path()
    );
    if !paths.contains(&public) {
        paths.push(public);
    }
    paths.into_iter().fold(Router::new(), |router, path| {
        router.route(&path, get(handler.clone()))
    })
}
