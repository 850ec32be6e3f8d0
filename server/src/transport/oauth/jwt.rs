//! JWT access tokens (RFC 9068), checked with the `jsonwebtoken` crate against the issuer's
//! published keys: only public-key algorithms (so never `none`, and never HMAC with a public key
//! as the secret), `iss` exactly the issuer, `aud` naming this server (RFC 8707), `exp` and
//! `nbf` with a small leeway for clock skew.

use base64::Engine;
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;

use super::discovery::Issuer;
use super::{parse_scopes, Caller};
use crate::errors::oauth::{Refusal, TokenError};

/// The accepted signature algorithms; anything else is refused before a key is looked up.
const ACCEPTED: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// The most of a token's own header values (`alg`, `typ`, `kid`) a refusal repeats, so that what
/// a refused token makes the server write (the 401 body, its challenge, the log line) stays
/// small whatever the token holds.
const ECHOED_CHARS: usize = 64;

/// A token's value, cut to [`ECHOED_CHARS`] (with `...` when cut).
fn echoed(value: &str) -> String {
    let mut cut: String = value.chars().take(ECHOED_CHARS).collect();
    if cut.len() < value.len() {
        cut.push_str("...");
    }
    cut
}

/// Clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECONDS: u64 = 30;

/// `typ` values of an access token, compared case-insensitively as media types are (RFC 9068
/// §2.1 and §4: any other `typ`, `JWT` included, is refused). A token without `typ` is accepted,
/// a documented choice for issuers that predate RFC 9068 (an ID token of theirs still fails the
/// audience check).
const ACCESS_TOKEN_TYPES: [&str; 2] = ["at+jwt", "application/at+jwt"];

/// The JOSE header fields looked at before the crate's own decoding, so that an unaccepted
/// algorithm (such as `none`, which the crate cannot even represent) is named in the refusal.
#[derive(Deserialize)]
struct RawHeader {
    alg: Option<String>,
    typ: Option<String>,
}

#[derive(Deserialize)]
struct Claims {
    sub: Option<String>,
    client_id: Option<String>,
    /// OpenID Connect's authorized party, the client id of issuers without `client_id`.
    azp: Option<String>,
    scope: Option<String>,
    scp: Option<serde_json::Value>,
}

/// Whether the token has the shape of a JWS (three base64url parts, a JSON header); other
/// tokens are opaque and go to introspection.
pub(super) fn looks_like_jwt(token: &str) -> bool {
    raw_header(token).is_some()
}

fn raw_header(token: &str) -> Option<RawHeader> {
    let mut parts = token.split('.');
    let (header, _, _, None) = (parts.next()?, parts.next()?, parts.next()?, parts.next()) else {
        return None;
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Check a JWT access token; who it names.
pub(super) async fn validate(
    token: &str,
    issuer: &Issuer,
    audience: &str,
) -> Result<Caller, Refusal> {
    let raw = raw_header(token).ok_or(TokenError::Malformed {
        reason: "not three base64url parts with a JSON header".into(),
    })?;
    let alg_name = raw.alg.unwrap_or_default();
    let alg = ACCEPTED
        .into_iter()
        .find(|a| format!("{a:?}") == alg_name)
        .ok_or_else(|| TokenError::Algorithm {
            found: echoed(&alg_name),
        })?;
    if let Some(typ) = raw
        .typ
        .filter(|t| !ACCESS_TOKEN_TYPES.iter().any(|a| a.eq_ignore_ascii_case(t)))
    {
        return Err(TokenError::Type {
            found: echoed(&typ),
        }
        .into());
    }
    let header = jsonwebtoken::decode_header(token)
        .map_err(|e| TokenError::from_jwt(&e, &issuer.issuer, audience))?;
    let kid = header.kid.as_deref();
    let key = issuer.key(kid, alg).await?.ok_or_else(|| match kid {
        Some(kid) => TokenError::UnknownKey { kid: echoed(kid) },
        None => TokenError::AmbiguousKey,
    })?;
    let mut validation = Validation::new(alg);
    validation.set_issuer(&[&issuer.issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    validation.leeway = LEEWAY_SECONDS;
    validation.validate_nbf = true;
    let data = jsonwebtoken::decode::<Claims>(token, &key.key, &validation)
        .map_err(|e| TokenError::from_jwt(&e, &issuer.issuer, audience))?;
    let claims = data.claims;
    let scopes = parse_scopes(claims.scope.as_deref(), claims.scp.as_ref());
    Caller::from_claims(claims.sub, claims.client_id.or(claims.azp), scopes)
        .ok_or_else(|| TokenError::NoIdentity.into())
}

#[cfg(test)]
#[path = "jwt_tests.rs"]
pub(super) mod tests;
