//! Opaque access tokens, asked about at the issuer's introspection endpoint (RFC 7662) with this
//! server's own client credentials. The answer must say the token is active, was issued by the
//! configured issuer and names this server in its audience (RFC 8707), as a JWT would.

use serde::Deserialize;

use super::discovery::Issuer;
use super::token_cache::Checked;
use super::{parse_scopes, Caller, ClientCredentials};
use crate::errors::oauth::{IssuerError, Refusal, TokenError};

/// Clock skew tolerated on `exp`, as for JWTs.
const LEEWAY_SECONDS: i64 = 30;

#[derive(Deserialize)]
struct Introspection {
    active: bool,
    scope: Option<String>,
    scp: Option<serde_json::Value>,
    sub: Option<String>,
    client_id: Option<String>,
    iss: Option<String>,
    aud: Option<Audience>,
    exp: Option<i64>,
}

/// `aud` is a string or a list of strings.
#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn names(&self, resource: &str) -> bool {
        match self {
            Audience::One(aud) => aud == resource,
            Audience::Many(auds) => auds.iter().any(|a| a == resource),
        }
    }
}

/// Ask the issuer about an opaque token; who it names, and when the token expires.
pub(super) async fn introspect(
    token: &str,
    issuer: &Issuer,
    credentials: &ClientCredentials,
    audience: &str,
) -> Result<Checked, Refusal> {
    let metadata = issuer.metadata().await?;
    let endpoint = metadata
        .introspection_endpoint
        .as_deref()
        .ok_or(TokenError::Opaque)?;
    super::discovery::require_secure(endpoint)?;
    let response = issuer
        .http()
        .post(endpoint)
        .basic_auth(&credentials.id, Some(&credentials.secret))
        .header("accept", "application/json")
        .form(&[("token", token), ("token_type_hint", "access_token")])
        .send()
        .await
        .map_err(|e| IssuerError::Unreachable {
            url: endpoint.to_string(),
            reason: e.without_url().to_string(),
        })?;
    let status = response.status();
    if !status.is_success() {
        // A 401 here is this server's own credentials being refused: an operator's problem,
        // not the caller's, so it is not worded as a bad token.
        return Err(IssuerError::Status {
            url: endpoint.to_string(),
            status: status.as_u16(),
        }
        .into());
    }
    let bytes = super::discovery::read_capped(response, endpoint).await?;
    let answer: Introspection =
        serde_json::from_slice(&bytes).map_err(|e| IssuerError::Invalid {
            what: "introspection response",
            url: endpoint.to_string(),
            reason: e.to_string(),
        })?;
    check(answer, &issuer.issuer, audience)
}

fn check(answer: Introspection, issuer: &str, audience: &str) -> Result<Checked, Refusal> {
    if !answer.active {
        return Err(TokenError::Inactive.into());
    }
    if answer.iss.as_deref().is_some_and(|iss| iss != issuer) {
        return Err(TokenError::Issuer {
            expected: issuer.to_string(),
        }
        .into());
    }
    if !answer.aud.as_ref().is_some_and(|aud| aud.names(audience)) {
        return Err(TokenError::Audience {
            expected: audience.to_string(),
        }
        .into());
    }
    let now = jsonwebtoken::get_current_timestamp() as i64;
    if answer.exp.is_some_and(|exp| exp + LEEWAY_SECONDS < now) {
        return Err(TokenError::Expired.into());
    }
    let scopes = parse_scopes(answer.scope.as_deref(), answer.scp.as_ref());
    let caller =
        Caller::from_claims(answer.sub, answer.client_id, scopes).ok_or(TokenError::NoIdentity)?;
    Ok((caller, answer.exp))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ISSUER: &str = "https://auth.example.com";
    const AUDIENCE: &str = "https://mcp.example.com/mcp";

    fn checked(answer: serde_json::Value) -> Result<Caller, Refusal> {
        check(serde_json::from_value(answer).unwrap(), ISSUER, AUDIENCE).map(|(caller, _)| caller)
    }

    #[test]
    fn an_active_token_for_this_server_names_its_client() {
        let caller = checked(json!({"active": true, "client_id": "bot", "iss": ISSUER,
            "aud": [AUDIENCE, "other"], "scope": "prefect:read prefect:write"}))
        .unwrap();
        assert_eq!(caller.subject, "client:bot");
        assert!(caller.may_write());
    }

    #[test]
    fn inactive_foreign_or_unbound_tokens_are_refused() {
        let refused = |answer| matches!(checked(answer), Err(Refusal::Token(_)));
        assert!(refused(json!({"active": false})));
        assert!(refused(
            json!({"active": true, "client_id": "bot", "aud": "other"})
        ));
        // No audience at all: the token is not bound to this server.
        assert!(refused(json!({"active": true, "client_id": "bot"})));
        assert!(refused(
            json!({"active": true, "client_id": "bot", "aud": AUDIENCE,
            "iss": "https://evil.example.com"})
        ));
        assert!(refused(json!({"active": true, "aud": AUDIENCE})));
    }
}
