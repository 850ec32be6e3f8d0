//! Building a [`Client`]: where it points, how it authenticates, how patient it is.

use std::time::Duration;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, RETRY_AFTER};
use reqwest::StatusCode;

use crate::generated::Client;
use crate::PrefectError;

/// Where a Prefect server answers when nothing else is configured (`prefect server start`).
pub const DEFAULT_API_URL: &str = "http://localhost:4200/api";

/// See [`ClientBuilder::max_response_bytes`].
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 32 * 1024 * 1024;

/// The marker of the error [`ClientHooks::post`] raises for an oversized answer; error.rs maps
/// it to [`PrefectError::ResponseTooLarge`].
pub(crate) const TOO_LARGE: &str = "response too large: ";

/// How long an idle connection is kept for reuse: below the 5 s keep-alive of Prefect's server.
const IDLE_CONNECTION_TIMEOUT: Duration = Duration::from_secs(4);

/// The REST API version this client speaks, sent as `X-PREFECT-API-VERSION` like Prefect's own
/// client does.
pub const PREFECT_API_VERSION: &str = "0.8.4";

/// How a request authenticates.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum Auth {
    /// No `Authorization` header: a local server without auth.
    #[default]
    None,
    /// `Authorization: Bearer <key>`: Prefect Cloud and servers behind a key-checking proxy.
    ApiKey(String),
    /// `Authorization: Basic base64(<user:pass>)`: a server started with
    /// `PREFECT_SERVER_API_AUTH_STRING`.
    AuthString(String),
}

impl Auth {
    /// Prefect's own precedence: an auth string wins over an API key. Empty values count as unset.
    pub fn from_settings(api_key: Option<&str>, auth_string: Option<&str>) -> Self {
        let set = |v: Option<&str>| v.map(str::trim).filter(|v| !v.is_empty()).map(String::from);
        match (set(auth_string), set(api_key)) {
            (Some(auth_string), _) => Auth::AuthString(auth_string),
            (None, Some(key)) => Auth::ApiKey(key),
            (None, None) => Auth::None,
        }
    }

    /// A name for logs and messages that never includes the secret.
    pub fn kind(&self) -> &'static str {
        match self {
            Auth::None => "none",
            Auth::ApiKey(_) => "api key (Bearer)",
            Auth::AuthString(_) => "auth string (Basic)",
        }
    }

    fn header_value(&self) -> Result<Option<HeaderValue>, PrefectError> {
        let raw = match self {
            Auth::None => return Ok(None),
            Auth::ApiKey(key) => format!("Bearer {key}"),
            Auth::AuthString(user_pass) => format!("Basic {}", base64_encode(user_pass.as_bytes())),
        };
        let mut value = HeaderValue::from_str(&raw).map_err(|_| PrefectError::InvalidConfig {
            message: format!(
                "the {} contains characters that cannot be sent in an HTTP header",
                self.kind()
            ),
        })?;
        // Keeps the value out of reqwest's and hyper's Debug output.
        value.set_sensitive(true);
        Ok(Some(value))
    }
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::None => f.write_str("None"),
            Auth::ApiKey(_) => f.write_str("ApiKey(<redacted>)"),
            Auth::AuthString(_) => f.write_str("AuthString(<redacted>)"),
        }
    }
}

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
    /// The base URL without credentials, for error messages.
    pub(crate) display_url: String,
}

impl ClientSettings {
    /// The API URL this client talks to, with any `user:pass@` removed.
    pub fn api_url(&self) -> &str {
        &self.display_url
    }
}

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
            user_agent: concat!("prefect-api-rs/", env!("CARGO_PKG_VERSION")).to_string(),
        }
    }

    /// The API URL this client talks to (credentials removed).
    pub fn api_url(&self) -> &str {
        self.inner().api_url()
    }
}

impl ClientBuilder {
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
            display_url: redact_url(&base_url),
        };
        Ok(Client::new_with_client(&base_url, http, settings))
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

fn is_retryable(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::TOO_MANY_REQUESTS | StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE
    )
}

/// The wait before retry `attempt` (0-based): `Retry-After` seconds when the server gives them,
/// otherwise exponential backoff from 250 ms; never more than `max`.
fn retry_delay(headers: &HeaderMap, attempt: u32, max: Duration) -> Duration {
    let asked = headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|secs| secs.is_finite() && *secs >= 0.0)
        .map(Duration::from_secs_f64);
    asked
        .unwrap_or_else(|| Duration::from_millis(250u64.saturating_mul(1 << attempt.min(10))))
        .min(max)
}

impl ClientHooks<ClientSettings> for Client {
    async fn post<E>(
        &self,
        result: &reqwest::Result<reqwest::Response>,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let limit = self.inner().max_response_bytes;
        match result
            .as_ref()
            .ok()
            .and_then(reqwest::Response::content_length)
        {
            Some(length) if length > limit => Err(progenitor_client::Error::Custom(format!(
                "{TOO_LARGE}{length} bytes announced, the limit is {limit}"
            ))),
            _ => Ok(()),
        }
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let started = std::time::Instant::now();
        let method = request.method().clone();
        let (result, retries) = self.send_with_retries(request).await;
        let limit = self.inner().max_response_bytes;
        let result = result.map(|response| crate::capped::cap(response, limit));
        // One event per operation, never with headers or bodies (they carry credentials and
        // user data): what was called, how it ended, how long it took.
        match &result {
            Ok(response) => tracing::debug!(
                operation = info.operation_id,
                %method,
                status = response.status().as_u16(),
                duration_ms = started.elapsed().as_secs_f64() * 1000.0,
                retries,
                "prefect request"
            ),
            Err(error) => tracing::debug!(
                operation = info.operation_id,
                %method,
                error = if error.is_timeout() { "timeout" } else if error.is_connect() { "connect" } else { "request" },
                duration_ms = started.elapsed().as_secs_f64() * 1000.0,
                retries,
                "prefect request failed"
            ),
        }
        result
    }
}

impl Client {
    /// Send, retrying 429/502/503 as configured; the response and how many retries it took.
    async fn send_with_retries(
        &self,
        request: reqwest::Request,
    ) -> (reqwest::Result<reqwest::Response>, u32) {
        let settings = self.inner();
        let mut attempt = 0;
        loop {
            // A request whose body cannot be cloned (a stream) is sent once.
            let Some(retry) = request
                .try_clone()
                .filter(|_| attempt < settings.max_retries)
            else {
                return (self.client().execute(request).await, attempt);
            };
            let response = match self.client().execute(retry).await {
                Ok(response) => response,
                Err(error) => return (Err(error), attempt),
            };
            if !is_retryable(response.status()) {
                return (Ok(response), attempt);
            }
            let delay = retry_delay(response.headers(), attempt, settings.max_retry_delay);
            attempt += 1;
            tokio::time::sleep(delay).await;
        }
    }
}

/// Standard base64 (RFC 4648, with padding), for the Basic auth header; small enough not to
/// warrant a dependency.
fn base64_encode(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("admin:pass", "YWRtaW46cGFzcw=="),
        ] {
            assert_eq!(base64_encode(input.as_bytes()), expected);
        }
    }

    #[test]
    fn auth_string_wins_over_api_key_and_empty_values_are_unset() {
        assert_eq!(
            Auth::from_settings(Some("key"), Some("u:p")),
            Auth::AuthString("u:p".into())
        );
        assert_eq!(
            Auth::from_settings(Some("key"), Some(" ")),
            Auth::ApiKey("key".into())
        );
        assert_eq!(Auth::from_settings(Some(""), None), Auth::None);
    }

    #[test]
    fn debug_never_shows_secrets() {
        let shown = format!("{:?}", Client::builder("http://x/api").api_key("s3cret"));
        assert!(!shown.contains("s3cret"), "{shown}");
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("2"));
        assert_eq!(
            retry_delay(&headers, 0, Duration::from_secs(10)),
            Duration::from_secs(2)
        );
        assert_eq!(
            retry_delay(&headers, 0, Duration::from_secs(1)),
            Duration::from_secs(1)
        );
        let none = HeaderMap::new();
        assert_eq!(
            retry_delay(&none, 2, Duration::from_secs(10)),
            Duration::from_millis(1000)
        );
    }

    #[test]
    fn urls_lose_credentials_for_display() {
        assert_eq!(
            redact_url("http://u:p@host:4200/api"),
            "http://host:4200/api"
        );
        assert_eq!(redact_url("http://host/api"), "http://host/api");
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
