//! The axum layer in front of `/mcp`: no valid token, 401 with the challenge that leads a client
//! to the resource metadata; a write tool called without `prefect:write`, 403
//! `insufficient_scope` (the client may step up); otherwise the request goes on with its
//! [`Caller`] in the extensions.

use std::collections::HashSet;
use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use tokio::sync::Semaphore;

use super::discovery::Issuer;
use super::token_cache::{IntrospectionCache, DEFAULT_MAX_CALLS};
use super::{introspection, jwt, Caller, OAuthSettings, EVERY_SCOPE, READ_SCOPE, WRITE_SCOPE};
use crate::errors::oauth::{IssuerError, OAuthSetupError, Refusal, TokenError};

/// How long a client should wait when the authorization server cannot be asked.
const RETRY_AFTER_SECONDS: &str = "5";
/// Token checks in progress at once (signature verification, or waiting for the issuer's keys
/// or introspection): a flood of tokens costs a bounded amount of work, the rest get 503.
const MAX_TOKEN_CHECKS: usize = 32;

/// What the layer needs: the settings, the issuer's cached keys, and the write tools' names.
pub struct OAuthState {
    pub(super) settings: OAuthSettings,
    issuer: Issuer,
    introspections: IntrospectionCache,
    checks: Semaphore,
    write_tools: Arc<HashSet<String>>,
    metadata_url: String,
}

impl OAuthState {
    /// `write_tools` are the names of the offered tools that change something
    /// ([`super::write_tools`]).
    pub fn new(
        settings: OAuthSettings,
        write_tools: Arc<HashSet<String>>,
    ) -> Result<Arc<Self>, OAuthSetupError> {
        Ok(Arc::new(OAuthState {
            issuer: Issuer::new(&settings.issuer)?,
            introspections: IntrospectionCache::new(DEFAULT_MAX_CALLS),
            checks: Semaphore::new(MAX_TOKEN_CHECKS),
            metadata_url: settings.resource_metadata_url(),
            settings,
            write_tools,
        }))
    }

    /// Fetch the issuer's metadata now, so that a wrong issuer shows in the log at startup and
    /// not only at the first request (which fetches it again if this failed).
    pub async fn warm_up(&self) {
        match self.issuer.metadata().await {
            Ok(metadata) => tracing::info!(
                issuer = %metadata.issuer,
                jwks = metadata.jwks_uri.is_some(),
                introspection = metadata.introspection_endpoint.is_some()
                    && self.settings.introspection.is_some(),
                "OAuth: found the authorization server"
            ),
            Err(error) => {
                tracing::warn!(%error, "OAuth: the authorization server cannot be used yet")
            }
        }
    }

    /// The caller a request's bearer token names, checked within the pool of token checks.
    async fn check_token(&self, headers: &HeaderMap) -> Result<Caller, Refusal> {
        let Ok(_permit) = self.checks.try_acquire() else {
            return Err(IssuerError::ChecksBusy {
                max: MAX_TOKEN_CHECKS,
            }
            .into());
        };
        self.authenticate(headers).await
    }

    /// The caller a request's bearer token names.
    async fn authenticate(&self, headers: &HeaderMap) -> Result<Caller, Refusal> {
        let value = headers
            .get(header::AUTHORIZATION)
            .ok_or(TokenError::Missing)?
            .to_str()
            .map_err(|_| TokenError::NotBearer)?;
        let token = match value.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
            _ => return Err(TokenError::NotBearer.into()),
        };
        if token.is_empty() {
            return Err(TokenError::Missing.into());
        }
        let audience = &self.settings.public_url;
        if jwt::looks_like_jwt(token) {
            return jwt::validate(token, &self.issuer, audience).await;
        }
        let credentials = self
            .settings
            .introspection
            .as_ref()
            .ok_or(TokenError::Opaque)?;
        self.introspections
            .check(token, || {
                introspection::introspect(token, &self.issuer, credentials, audience)
            })
            .await
    }

    /// The refusal as an HTTP answer, with its RFC 6750 challenge.
    fn refuse(&self, refusal: &Refusal) -> Response {
        let description = refusal.to_string();
        let (status, code, scope) = match refusal {
            // Every scope the server offers: spec-following clients ask for exactly what the
            // challenge names, and the authorization server grants what the caller may have
            // (a read-only caller gets `prefect:read` and never sees a write tool).
            Refusal::Token(error) => (StatusCode::UNAUTHORIZED, error.code(), EVERY_SCOPE),
            Refusal::Scope { needed } => {
                (StatusCode::FORBIDDEN, Some("insufficient_scope"), *needed)
            }
            Refusal::Issuer(_) => {
                tracing::warn!(error = %description, "OAuth: cannot check a token");
                let body =
                    json!({"error": "temporarily_unavailable", "error_description": description});
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(header::RETRY_AFTER, RETRY_AFTER_SECONDS)],
                    Json(body),
                )
                    .into_response();
            }
        };
        let mut challenge = format!("Bearer resource_metadata=\"{}\"", self.metadata_url);
        challenge.push_str(&format!(", scope=\"{scope}\""));
        if let Some(code) = code {
            challenge.push_str(&format!(
                ", error=\"{code}\", error_description=\"{}\"",
                quotable(&description)
            ));
        }
        let body =
            json!({"error": code.unwrap_or("unauthorized"), "error_description": description});
        let mut response = (status, Json(body)).into_response();
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

/// Text that may stand inside a quoted-string of a challenge (RFC 6750 §3 allows no `"` or `\`
/// in error_description).
fn quotable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' | '\\' => '\'',
            c if c.is_ascii_graphic() || c == ' ' => c,
            _ => ' ',
        })
        .collect()
}

/// Outermost, where a bearer token would be checked: who is calling (401 without a valid
/// token, 403 without `prefect:read`), put into the request's extensions.
pub async fn require_token(
    State(state): State<Arc<OAuthState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let caller = match state.check_token(request.headers()).await {
        Ok(caller) => caller,
        Err(refusal) => {
            if !matches!(refusal, Refusal::Token(TokenError::Missing)) {
                tracing::info!(reason = %refusal, "OAuth: refused a token");
            }
            return state.refuse(&refusal);
        }
    };
    if !caller.may_read() {
        return state.refuse(&Refusal::Scope { needed: READ_SCOPE });
    }
    request.extensions_mut().insert(caller);
    next.run(request).await
}

/// Innermost, once the body has arrived within the transport's limits: a write tool called
/// without `prefect:write` is refused with the step-up challenge before rmcp sees the call.
pub async fn require_write_scope(
    State(state): State<Arc<OAuthState>>,
    request: Request,
    next: Next,
) -> Response {
    let may_write = request
        .extensions()
        .get::<Caller>()
        .is_some_and(Caller::may_write);
    if may_write || request.method() != Method::POST {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    // Already read whole by the body limit layer outside this one; this only takes it.
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return (
            StatusCode::BAD_REQUEST,
            "the request body could not be read",
        )
            .into_response();
    };
    if let Some(tool) = called_tool(&bytes, &state.write_tools) {
        let caller = parts.extensions.get::<Caller>().map(|c| c.subject.as_str());
        tracing::info!(caller, tool, "OAuth: a write without prefect:write");
        return state.refuse(&Refusal::Scope {
            needed: WRITE_SCOPE,
        });
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// The write tool a JSON-RPC body calls (`tools/call`, alone or in a batch), if any.
fn called_tool<'a>(body: &[u8], write_tools: &'a HashSet<String>) -> Option<&'a str> {
    let message: Value = serde_json::from_slice(body).ok()?;
    let messages = match &message {
        Value::Array(batch) => batch.iter().collect(),
        single => vec![single],
    };
    messages.into_iter().find_map(|m| {
        if m["method"] != "tools/call" {
            return None;
        }
        let name = m["params"]["name"].as_str()?;
        write_tools.get(name).map(String::as_str)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn token_checks_past_the_pool_get_503_and_a_freed_place_is_used_again() {
        let settings = OAuthSettings::new(
            "http://127.0.0.1:1".into(),
            "http://127.0.0.1:2/mcp".into(),
            None,
        )
        .unwrap();
        let state = OAuthState::new(settings, Arc::default()).unwrap();
        let held = state
            .checks
            .acquire_many(MAX_TOKEN_CHECKS as u32)
            .await
            .unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer a.b.c"),
        );
        let refusal = state.check_token(&headers).await.unwrap_err();
        assert!(
            matches!(refusal, Refusal::Issuer(IssuerError::ChecksBusy { .. })),
            "{refusal:?}"
        );
        let response = state.refuse(&refusal);
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(response.headers().contains_key(header::RETRY_AFTER));
        drop(held);
        // Checked again once a place is free: refused for what the token is, not for load.
        let refusal = state.check_token(&HeaderMap::new()).await.unwrap_err();
        assert!(
            matches!(refusal, Refusal::Token(TokenError::Missing)),
            "{refusal:?}"
        );
        assert_eq!(state.checks.available_permits(), MAX_TOKEN_CHECKS);
    }

    #[test]
    fn only_calls_of_write_tools_are_found() {
        let writes: HashSet<String> = ["cancel_flow_run".to_string()].into();
        let call = |name: &str| {
            json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": name}})
                .to_string()
        };
        assert_eq!(
            called_tool(call("cancel_flow_run").as_bytes(), &writes),
            Some("cancel_flow_run")
        );
        assert_eq!(called_tool(call("list_flows").as_bytes(), &writes), None);
        let batch = format!("[{}, {}]", call("list_flows"), call("cancel_flow_run"));
        assert!(called_tool(batch.as_bytes(), &writes).is_some());
        assert_eq!(called_tool(b"not json", &writes), None);
    }

    #[test]
    fn descriptions_fit_in_a_quoted_string() {
        assert_eq!(quotable("a \"b\" \\ c\n"), "a 'b' ' c ");
    }
}
