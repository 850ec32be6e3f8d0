//! The `Origin` rule against DNS rebinding and cross-site calls from browsers: a request without
//! `Origin` (not a browser) passes; one from the server's own origin (a page it served, or the
//! MCP inspector on the same host and port) passes; one from a configured `--allowed-origin`
//! passes; any other is refused with 403.
//!
//! rmcp's own check knows only the configured list, so it refuses the server's own origin; this
//! one replaces it. The `Host` header is still checked by rmcp, after this.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::Response;

use super::limits::refusal;

/// `scheme://host:port` with the host lower-cased and the port made explicit, so that
/// `http://LOCALHOST` and `http://localhost:80` compare equal.
#[derive(Clone, Debug, PartialEq, Eq)]
struct NormalOrigin {
    scheme: String,
    host: String,
    port: u16,
}

impl NormalOrigin {
    fn parse(raw: &str) -> Option<Self> {
        let uri: Uri = raw.trim().trim_end_matches('/').parse().ok()?;
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let authority = uri.authority()?;
        let default_port = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => return None,
        };
        Some(NormalOrigin {
            host: bare_host(authority.host()),
            port: authority.port_u16().unwrap_or(default_port),
            scheme,
        })
    }
}

/// A host lower-cased and without the brackets of an IPv6 literal.
fn bare_host(host: &str) -> String {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase()
}

/// What the rule needs to know: the names this server answers to and the origins allowed.
pub(super) struct OriginRule {
    /// Host names (without port) the server is reached by: loopback names, the bind address,
    /// `--allowed-host` values.
    own_hosts: Vec<String>,
    port: u16,
    allowed: Vec<NormalOrigin>,
}

impl OriginRule {
    /// `allowed_origins` are checked here, at startup, so that a typo is an error rather than
    /// a silently refused browser.
    pub(super) fn new(
        own_hosts: &[String],
        port: u16,
        allowed_origins: &[String],
    ) -> Result<Self, String> {
        let allowed = allowed_origins
            .iter()
            .map(|raw| {
                NormalOrigin::parse(raw).ok_or_else(|| {
                    format!(
                        "--allowed-origin {raw:?} is not an origin; expected scheme://host[:port], \
                         e.g. https://app.example.com"
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(OriginRule {
            own_hosts: own_hosts.iter().map(|h| bare_host(h)).collect(),
            port,
            allowed,
        })
    }

    fn allows(&self, origin: &NormalOrigin, headers: &HeaderMap) -> bool {
        self.allowed.contains(origin) || self.is_own(origin, headers)
    }

    /// Same origin as the request's own `Host` (the address the browser used to reach this
    /// server), or one of the server's own names on the port it listens on.
    fn is_own(&self, origin: &NormalOrigin, headers: &HeaderMap) -> bool {
        if origin.scheme != "http" {
            return false;
        }
        let host_header = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<axum::http::uri::Authority>().ok());
        let same_as_host = host_header.is_some_and(|authority| {
            bare_host(authority.host()) == origin.host
                && authority.port_u16().unwrap_or(80) == origin.port
                && self.own_hosts.contains(&origin.host)
        });
        same_as_host || (origin.port == self.port && self.own_hosts.contains(&origin.host))
    }
}

pub(super) async fn check_origin(
    State(rule): State<Arc<OriginRule>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(raw) = request.headers().get(header::ORIGIN) else {
        return next.run(request).await;
    };
    let origin = raw.to_str().ok().and_then(NormalOrigin::parse);
    match origin {
        Some(origin) if rule.allows(&origin, request.headers()) => next.run(request).await,
        _ => {
            tracing::warn!(
                origin = ?raw,
                "refused a request from a foreign Origin (cross-site call or DNS rebinding)"
            );
            refusal(
                StatusCode::FORBIDDEN,
                "Forbidden: this Origin is not allowed (see --allowed-origin)".to_string(),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn rule() -> OriginRule {
        let hosts = ["localhost", "127.0.0.1", "::1"].map(String::from);
        OriginRule::new(&hosts, 8000, &["https://app.example.com".to_string()]).unwrap()
    }

    fn host(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_str(value).unwrap());
        headers
    }

    fn allows(origin: &str, headers: &HeaderMap) -> bool {
        rule().allows(&NormalOrigin::parse(origin).unwrap(), headers)
    }

    #[test]
    fn own_and_configured_origins_pass_and_others_do_not() {
        let local = host("localhost:8000");
        assert!(allows("http://localhost:8000", &local));
        assert!(allows("http://127.0.0.1:8000", &local));
        assert!(allows("http://[::1]:8000", &local));
        assert!(allows("https://app.example.com:443", &local));
        assert!(allows("HTTPS://APP.example.com/", &local));
        assert!(!allows("http://evil.example:8000", &local));
        assert!(!allows("http://localhost:9999", &local));
        assert!(!allows("https://app.example.com:8443", &local));
        // Behind a port mapping, the Host header tells the port the browser used.
        assert!(allows("http://localhost:18000", &host("localhost:18000")));
        // A rebinding attacker's page has its own name in both Host and Origin.
        assert!(!allows(
            "http://evil.example:8000",
            &host("evil.example:8000")
        ));
    }

    #[test]
    fn malformed_configured_origins_are_startup_errors() {
        let err = OriginRule::new(&[], 1, &["app.example.com".to_string()])
            .err()
            .unwrap();
        assert!(err.contains("scheme://host"), "{err}");
    }
}
