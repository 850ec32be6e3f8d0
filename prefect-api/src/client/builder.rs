//! Building a [`Client`]: the URL checks, default headers and timeouts of the HTTP client.

use std::sync::Arc;
use std::time::Duration;

use progenitor_client::ClientInfo;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION};

use super::observer::Observer;
use super::{
    redact_url, Auth, ClientSettings, RequestObserver, DEFAULT_API_URL, DEFAULT_MAX_RESPONSE_BYTES,
    PREFECT_API_VERSION,
};
use crate::generated::Client;
use crate::PrefectError;

/// How long an idle connection is kept for reuse: below the 5 s keep-alive of Prefect's server.
const IDLE_CONNECTION_TIMEOUT: Duration = Duration::from_secs(4);

/// Builds a [`Client`]; see [`Client::builder`].
#[derive(Clone)]
pub struct ClientBuilder {
    base_url: String,
    auth: Auth,
    timeout: Duration,
    connect_timeout: Duration,
    max_retries: u32,
    max_retry_delay: Duration,
    max_response_bytes: u64,
    /// Shared by every client built from this builder (and its clones).
    in_flight: Option<Arc<tokio::sync::Semaphore>>,
    observer: Option<Observer>,
    user_agent: String,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &redact_url(&self.base_url))
            .field("auth", &self.auth)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Start building a client for `base_url`, the API root including `/api`
    /// (for example `http://127.0.0.1:4200/api` or a Prefect Cloud workspace URL).
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            auth: Auth::None,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            max_retries: 3,
            max_retry_delay: Duration::from_secs(10),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            in_flight: None,
            observer: None,
            user_agent: concat!("prefect-api-rs/", env!("CARGO_PKG_VERSION")).to_string(),
        }
    }

    /// The API URL this client talks to (credentials removed).
    pub fn api_url(&self) -> &str {
        self.inner().api_url()
    }

    /// See [`ClientSettings::events_token`](super::ClientSettings::events_token).
    pub fn events_token(&self) -> Option<&str> {
        self.inner().events_token()
    }
}

impl ClientBuilder {
    /// Tell `observer` about every request of the clients this builder makes (metrics,
    /// traces): operation, status, duration, retries, never headers or bodies.
    pub fn observer(mut self, observer: Arc<dyn RequestObserver>) -> Self {
        self.observer = Some(Observer(observer));
        self
    }

    /// How requests authenticate.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// Send `Authorization: Bearer <key>`.
    pub fn api_key(self, key: impl Into<String>) -> Self {
        self.auth(Auth::ApiKey(key.into()))
    }

    /// Send `Authorization: Basic` for a `user:pass` auth string.
    pub fn auth_string(self, user_pass: impl Into<String>) -> Self {
        self.auth(Auth::AuthString(user_pass.into()))
    }

    /// The whole-request timeout (default 60 s). Prefect on SQLite can stall writes for 30 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The TCP connect timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Retries of 429/502/503 answers after the first attempt (default 3; 0 disables).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The longest single wait between retries (default 10 s).
    pub fn max_retry_delay(mut self, delay: Duration) -> Self {
        self.max_retry_delay = delay;
        self
    }

    /// The largest body accepted (default 32 MiB; a page of 200 flow runs is well under
    /// 1 MiB): refused by its Content-Length when it announces one, cut off as it arrives
    /// otherwise.
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// At most `requests` requests in flight at once (from sending to the end of the answer's
    /// body), shared by every client built from this builder or its clones; more wait their
    /// turn. Unlimited by default. A server that fans many callers into one Prefect keeps
    /// Prefect's load, its own connections and its memory bounded with it.
    pub fn max_concurrent_requests(mut self, requests: usize) -> Self {
        self.in_flight = Some(Arc::new(tokio::sync::Semaphore::new(requests.max(1))));
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    pub fn build(self) -> Result<Client, PrefectError> {
        let base_url = self.base_url.trim().trim_end_matches('/').to_string();
        let parsed = reqwest::Url::parse(&base_url).map_err(|e| PrefectError::InvalidConfig {
            message: format!(
                "the Prefect API URL {:?} is not a valid URL ({e}); expected something like {DEFAULT_API_URL}",
                redact_url(&base_url)
            ),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(PrefectError::InvalidConfig {
                message: format!(
                    "the Prefect API URL must start with http:// or https://, got {:?}",
                    redact_url(&base_url)
                ),
            });
        }
        // reqwest would turn `user:pass@` into a Basic header that silently replaces the
        // configured auth, and the URL would show the password wherever it is printed.
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(PrefectError::InvalidConfig {
                message: format!(
                    "the Prefect API URL {:?} contains credentials; put them in PREFECT_API_AUTH_STRING (user:password) or PREFECT_API_KEY instead",
                    redact_url(&base_url)
                ),
            });
        }
        let mut headers = HeaderMap::new();
        headers.insert(
            HeaderName::from_static("x-prefect-api-version"),
            HeaderValue::from_static(PREFECT_API_VERSION),
        );
        if let Some(value) = self.auth.header_value()? {
            headers.insert(AUTHORIZATION, value);
        }
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(self.user_agent)
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            // Prefect's server closes a connection idle for 5 s (its default keep-alive,
            // PREFECT_SERVER_API_KEEPALIVE_TIMEOUT). Reusing one at that moment fails with
            // "connection closed before message completed" (seen when a wait polls every 5 s);
            // dropping idle connections sooner on this side avoids the race.
            .pool_idle_timeout(IDLE_CONNECTION_TIMEOUT)
            .build()
            .map_err(|e| PrefectError::InvalidConfig {
                message: format!("could not set up the HTTP client: {e}"),
            })?;
        let settings = ClientSettings {
            max_retries: self.max_retries,
            max_retry_delay: self.max_retry_delay,
            max_response_bytes: self.max_response_bytes,
            in_flight: self.in_flight,
            observer: self.observer,
            display_url: redact_url(&base_url),
            auth: self.auth,
        };
        Ok(Client::new_with_client(&base_url, http, settings))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let shown = format!("{:?}", Client::builder("http://x/api").api_key("s3cret"));
        assert!(!shown.contains("s3cret"), "{shown}");
    }

    #[test]
    fn credentials_in_the_url_are_refused_without_being_shown() {
        let err = Client::builder("http://user:s3cret@host/api")
            .build()
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("PREFECT_API_AUTH_STRING") && !text.contains("s3cret"),
            "{text}"
        );
        let shown = format!("{:?}", Client::builder("http://user:s3cret@host/api"));
        assert!(!shown.contains("s3cret"), "{shown}");
    }

    #[test]
    fn invalid_urls_are_configuration_errors() {
        assert!(matches!(
            Client::builder("localhost:4200").build(),
            Err(PrefectError::InvalidConfig { .. })
        ));
    }
}
