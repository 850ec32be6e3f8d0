//! Building a [`Client`]: where it points, how it authenticates, how patient it is.
//!
//! Modules: [`auth`] (the `Authorization` header), [`builder`] (URL checks, headers, timeouts),
//! [`hooks`] (what happens around every request: retries, the response size cap, tracing),
//! [`observer`] (what the embedding program is told about each request).

mod auth;
mod builder;
mod hooks;
mod observer;

use std::sync::Arc;
use std::time::Duration;

pub use auth::Auth;
pub use builder::ClientBuilder;
pub use observer::{RequestObserver, RequestOutcome, RequestSpan, RequestStart};

include!(concat!(env!("OUT_DIR"), "/url_templates.rs"));

/// Where a Prefect server answers when nothing else is configured (`prefect server start`).
pub const DEFAULT_API_URL: &str = "http://localhost:4200/api";

/// See [`ClientBuilder::max_response_bytes`].
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 32 * 1024 * 1024;

/// The marker of the error [`ClientHooks::post`] raises for an oversized answer; error.rs maps
/// it to [`PrefectError::ResponseTooLarge`].
pub(crate) const TOO_LARGE: &str = "response too large: ";

/// The REST API version this client speaks, sent as `X-PREFECT-API-VERSION` like Prefect's own
/// client does.
pub const PREFECT_API_VERSION: &str = "0.8.4";

/// Retry policy carried inside the generated client (its "inner" value).
#[derive(Clone, Debug)]
pub struct ClientSettings {
    /// Retries after the first attempt for 429, 502 and 503 answers.
    pub max_retries: u32,
    /// The longest single wait, whatever `Retry-After` asks for.
    pub max_retry_delay: Duration,
    /// Answers announcing a larger body (Content-Length) are refused before being read; others
    /// fail as soon as more has arrived.
    pub max_response_bytes: u64,
    /// Requests in flight at once, when limited ([`ClientBuilder::max_concurrent_requests`]).
    pub(crate) in_flight: Option<Arc<tokio::sync::Semaphore>>,
    /// Told about every request ([`ClientBuilder::observer`]).
    pub(crate) observer: Option<observer::Observer>,
    /// The base URL without credentials, for error messages.
    pub(crate) display_url: String,
    /// The credential, for the event websocket's auth message (its Debug never shows it).
    pub(crate) auth: Auth,
}

impl ClientSettings {
    /// The API URL this client talks to, with any `user:pass@` removed.
    pub fn api_url(&self) -> &str {
        &self.display_url
    }

    /// The token of the auth message of Prefect's event websocket (`/api/events/out`): the API
    /// key or auth string, as Prefect's own subscriber sends it; `None` without auth.
    pub fn events_token(&self) -> Option<&str> {
        match &self.auth {
            Auth::None => None,
            Auth::ApiKey(secret) | Auth::AuthString(secret) => Some(secret),
        }
    }
}

/// Remove `user:pass@` from a URL so that it can appear in logs and messages.
pub(crate) fn redact_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) if !parsed.username().is_empty() || parsed.password().is_some() => {
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.to_string().trim_end_matches('/').to_string()
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_operation_has_its_path_template_never_a_path() {
        assert_eq!(url_template("read_flow_run"), "/api/flow_runs/{id}");
        assert_eq!(url_template("read_flows"), "/api/flows/filter");
        assert_eq!(
            url_template("read_deployment_by_name"),
            "/api/deployments/name/{flow_name}/{deployment_name}"
        );
        assert_eq!(url_template("no_such_operation"), "/api");
    }

    #[test]
    fn urls_lose_credentials_for_display() {
        assert_eq!(
            redact_url("http://u:p@host:4200/api"),
            "http://host:4200/api"
        );
        assert_eq!(redact_url("http://host/api"), "http://host/api");
    }
}
