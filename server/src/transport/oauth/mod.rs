//! The HTTP server as an OAuth 2.1 resource server, as the MCP authorization specification
//! (2025-06-18 and later) asks: protected resource metadata (RFC 9728), a 401 challenge that
//! points to it, access tokens bound to this server by audience (RFC 8707) and checked against
//! the issuer's keys (JWT access tokens, RFC 9068) or by introspection (opaque tokens,
//! RFC 7662), and a 403 `insufficient_scope` challenge for the write tools (step-up).
//!
//! The token never goes further than this layer: Prefect is called with the server's own
//! credentials (or the caller's own Prefect credentials with `--per-request-auth`). What the
//! handler learns is the [`Caller`], put into the request's extensions.

mod discovery;
mod introspection;
mod jwt;
mod key_cache;
mod layer;
mod metadata;
mod token_cache;

use std::collections::BTreeSet;

use reqwest::Url;

use crate::errors::oauth::OAuthSetupError;

pub use crate::mcp::caller::{Caller, CLIENT_SUBJECT_PREFIX, READ_SCOPE, WRITE_SCOPE};
pub use layer::{require_token, require_write_scope, OAuthState};
pub use metadata::routes as metadata_routes;

/// Every scope the server offers, as a 401 challenge asks for them (space-separated).
pub const EVERY_SCOPE: &str = "prefect:read prefect:write";

/// Space-separated scopes (`scope`, RFC 9068 and RFC 7662) or a list (`scp`, as some issuers
/// write it).
fn parse_scopes(scope: Option<&str>, scp: Option<&serde_json::Value>) -> BTreeSet<String> {
    let mut scopes: BTreeSet<String> = scope
        .unwrap_or_default()
        .split_whitespace()
        .map(String::from)
        .collect();
    match scp {
        Some(serde_json::Value::String(s)) => scopes.extend(s.split_whitespace().map(String::from)),
        Some(serde_json::Value::Array(items)) => {
            scopes.extend(items.iter().filter_map(|i| i.as_str()).map(String::from))
        }
        _ => {}
    }
    scopes
}

/// A client id and secret (the server's own, for the introspection endpoint).
#[derive(Clone)]
pub struct ClientCredentials {
    pub id: String,
    pub secret: String,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("id", &self.id)
            .field("secret", &"<hidden>")
            .finish()
    }
}

/// What the operator configured.
#[derive(Clone, Debug)]
pub struct OAuthSettings {
    /// The authorization server's issuer identifier (exactly as in its tokens' `iss`).
    pub issuer: String,
    /// The `/mcp` URL clients use: the resource, and the audience tokens must name.
    pub public_url: String,
    /// For opaque tokens: the credentials this server presents to the introspection endpoint.
    pub introspection: Option<ClientCredentials>,
}

impl OAuthSettings {
    /// Check both URLs before anything starts.
    pub fn new(
        issuer: String,
        public_url: String,
        introspection: Option<ClientCredentials>,
    ) -> Result<Self, OAuthSetupError> {
        let issuer_url = absolute_url("--oauth-issuer", &issuer)?;
        if !secure_or_loopback(issuer_url.as_str()) {
            return Err(OAuthSetupError::BadUrl {
                flag: "--oauth-issuer",
                value: issuer,
                reason: "an issuer off this machine must use https (its keys and answers decide \
                         who may call)"
                    .into(),
            });
        }
        let public = absolute_url("--public-url", &public_url)?;
        if public.fragment().is_some() || public.query().is_some() {
            return Err(OAuthSetupError::BadUrl {
                flag: "--public-url",
                value: public_url,
                reason: "a resource URL has no query or fragment (RFC 8707)".into(),
            });
        }
        Ok(OAuthSettings {
            issuer,
            public_url,
            introspection,
        })
    }

    /// The settings from the command line: `None` without an issuer (no OAuth).
    pub fn from_flags(
        issuer: Option<String>,
        public_url: Option<String>,
        client_id: Option<String>,
        client_secret: Option<String>,
    ) -> Result<Option<Self>, OAuthSetupError> {
        let introspection = match (client_id, client_secret) {
            (Some(id), Some(secret)) => Some(ClientCredentials { id, secret }),
            (None, None) => None,
            _ => return Err(OAuthSetupError::IncompleteClient),
        };
        match (issuer, public_url) {
            (Some(issuer), Some(public_url)) => {
                Self::new(issuer, public_url, introspection).map(Some)
            }
            (None, None) if introspection.is_none() => Ok(None),
            _ => Err(OAuthSetupError::Incomplete),
        }
    }

    /// The host clients name in the Host header (accepted besides loopback and the bind
    /// address).
    pub fn public_host(&self) -> Option<String> {
        Url::parse(&self.public_url)
            .ok()?
            .host_str()
            .map(|h| h.trim_start_matches('[').trim_end_matches(']').to_string())
    }

    /// Where this resource's metadata is (RFC 9728 §3.1: the well-known segment goes between
    /// the host and the resource's path).
    pub fn resource_metadata_url(&self) -> String {
        let url = Url::parse(&self.public_url).expect("checked in OAuthSettings::new");
        let path = url.path().trim_end_matches('/');
        format!(
            "{}/.well-known/oauth-protected-resource{path}",
            url.origin().ascii_serialization()
        )
    }

    /// The path of the public URL (where the metadata route is served, besides `/mcp`).
    fn public_path(&self) -> String {
        let url = Url::parse(&self.public_url).expect("checked in OAuthSettings::new");
        url.path().trim_end_matches('/').to_string()
    }
}

fn absolute_url(flag: &'static str, value: &str) -> Result<Url, OAuthSetupError> {
    let bad = |reason: String| OAuthSetupError::BadUrl {
        flag,
        value: value.to_string(),
        reason,
    };
    let url = Url::parse(value).map_err(|e| bad(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad("expected http:// or https:// and a host".into()));
    }
    Ok(url)
}

/// Whether `url` is https, or http to this machine (a loopback address or `localhost`).
fn secure_or_loopback(url: &str) -> bool {
    let Ok(url) = Url::parse(url) else {
        return false;
    };
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match url.scheme() {
        "https" => true,
        "http" => {
            host.eq_ignore_ascii_case("localhost")
                || host
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_come_from_scope_or_scp() {
        let scopes = parse_scopes(Some("prefect:read  openid"), None);
        assert_eq!(scopes.len(), 2);
        let scopes = parse_scopes(None, Some(&serde_json::json!(["prefect:write"])));
        assert!(scopes.contains(WRITE_SCOPE));
        let scopes = parse_scopes(None, Some(&serde_json::json!("prefect:read")));
        assert!(scopes.contains(READ_SCOPE));
    }

    #[test]
    fn write_implies_read_and_the_subject_falls_back_to_the_client() {
        let caller = Caller::from_claims(
            None,
            Some("ci-bot".into()),
            parse_scopes(Some(WRITE_SCOPE), None),
        )
        .unwrap();
        assert_eq!(caller.subject, "client:ci-bot");
        let person = Caller::from_claims(Some("ci-bot".into()), None, BTreeSet::new()).unwrap();
        assert_ne!(
            person.subject, caller.subject,
            "a client cannot pass for a person"
        );
        assert!(caller.may_read() && caller.may_write());
        assert!(Caller::from_claims(Some(String::new()), None, BTreeSet::new()).is_none());
    }

    #[test]
    fn resource_metadata_sits_between_host_and_path() {
        let settings = OAuthSettings::new(
            "https://auth.example.com".into(),
            "https://mcp.example.com/team/mcp".into(),
            None,
        )
        .unwrap();
        assert_eq!(
            settings.resource_metadata_url(),
            "https://mcp.example.com/.well-known/oauth-protected-resource/team/mcp"
        );
        assert!(OAuthSettings::new("auth".into(), "https://x/mcp".into(), None).is_err());
        assert!(OAuthSettings::new("https://a".into(), "https://x/mcp#frag".into(), None).is_err());
        let plain = |issuer: &str| OAuthSettings::new(issuer.into(), "https://x/mcp".into(), None);
        assert!(
            plain("http://auth.example.com").is_err(),
            "http off loopback"
        );
        assert!(plain("http://127.0.0.1:8080").is_ok() && plain("http://localhost:1").is_ok());
        assert!(plain("http://[::1]:1").is_ok());
    }
}
