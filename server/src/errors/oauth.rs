//! Errors of the OAuth resource server (`transport::oauth`), worded here.
//!
//! A refused token's message goes to the client in `WWW-Authenticate`'s `error_description` and
//! to the log: it says what to fix and never contains the token (nor any other secret).

use std::fmt;

/// Why a request's access token was refused (HTTP 401, `error="invalid_token"` unless missing).
/// `Clone`: an introspection's refusal is cached for a moment and given again.
#[derive(Clone, Debug, thiserror::Error)]
pub enum TokenError {
    #[error(
        "no access token: sign in with the authorization server named in the resource metadata \
         and send `Authorization: Bearer <token>`"
    )]
    Missing,
    #[error("the Authorization header is not `Bearer <token>`")]
    NotBearer,
    #[error(
        "the token is signed with {found}, which is not accepted (accepted: \
         RS256/384/512, PS256/384/512, ES256/384, EdDSA)"
    )]
    Algorithm { found: String },
    #[error("the token's key {kid:?} is not among the issuer's published keys")]
    UnknownKey { kid: String },
    #[error("the token names no key id and the issuer publishes no single key for its algorithm")]
    AmbiguousKey,
    #[error("the token's signature does not verify with the issuer's key")]
    Signature,
    #[error("the token has expired: get a new one from the authorization server")]
    Expired,
    #[error("the token is not valid yet (nbf is in the future)")]
    NotYetValid,
    #[error("the token is for another resource: its audience must be {expected}")]
    Audience { expected: String },
    #[error("the token was issued by another authorization server: expected {expected}")]
    Issuer { expected: String },
    #[error("the token's type {found:?} is not an access token (expected at+jwt)")]
    Type { found: String },
    #[error("the token lacks the {claim} claim")]
    MissingClaim { claim: String },
    #[error("the token is malformed: {reason}")]
    Malformed { reason: String },
    #[error("the token is not active: revoked, expired or unknown to the authorization server")]
    Inactive,
    #[error(
        "the token is not a JWT, and opaque tokens need introspection: the authorization server \
         offers no introspection endpoint, or this server has no introspection credentials"
    )]
    Opaque,
    #[error("the token names neither a subject nor a client")]
    NoIdentity,
}

impl TokenError {
    /// The RFC 6750 error code: a request without a token gets none (only the challenge).
    pub fn code(&self) -> Option<&'static str> {
        match self {
            TokenError::Missing => None,
            TokenError::NotBearer => Some("invalid_request"),
            _ => Some("invalid_token"),
        }
    }

    /// A validation error of the JOSE crate, in these words.
    pub fn from_jwt(error: &jsonwebtoken::errors::Error, issuer: &str, audience: &str) -> Self {
        use jsonwebtoken::errors::ErrorKind;
        match error.kind() {
            ErrorKind::InvalidSignature => TokenError::Signature,
            ErrorKind::ExpiredSignature => TokenError::Expired,
            ErrorKind::ImmatureSignature => TokenError::NotYetValid,
            ErrorKind::InvalidAudience => TokenError::Audience {
                expected: audience.to_string(),
            },
            ErrorKind::InvalidIssuer => TokenError::Issuer {
                expected: issuer.to_string(),
            },
            ErrorKind::MissingRequiredClaim(claim) => TokenError::MissingClaim {
                claim: claim.clone(),
            },
            ErrorKind::InvalidAlgorithm
            | ErrorKind::InvalidAlgorithmName
            | ErrorKind::MissingAlgorithm
            | ErrorKind::UnsupportedAlgorithm => TokenError::Algorithm {
                found: "an unaccepted algorithm".into(),
            },
            other => TokenError::Malformed {
                reason: jwt_reason(other),
            },
        }
    }
}

/// A short reason for a malformed token, without echoing any of its content.
fn jwt_reason(kind: &jsonwebtoken::errors::ErrorKind) -> String {
    use jsonwebtoken::errors::ErrorKind;
    match kind {
        ErrorKind::InvalidToken => "not three base64url parts".into(),
        ErrorKind::Base64(_) => "a part is not base64url".into(),
        ErrorKind::Json(_) | ErrorKind::Utf8(_) => "a part is not JSON".into(),
        ErrorKind::InvalidClaimFormat(claim) => format!("the {claim} claim has the wrong type"),
        ErrorKind::InvalidRsaKey(_)
        | ErrorKind::InvalidEcdsaKey
        | ErrorKind::InvalidEddsaKey
        | ErrorKind::InvalidKeyFormat => {
            "the issuer's key does not fit the token's algorithm".into()
        }
        _ => "it cannot be decoded".into(),
    }
}

/// The authorization server could not be used (HTTP 503: the token may well be good).
#[derive(Debug, thiserror::Error)]
pub enum IssuerError {
    #[error("cannot reach the authorization server at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("the authorization server answered HTTP {status} at {url}")]
    Status { url: String, status: u16 },
    #[error("the authorization server's {what} at {url} is not valid: {reason}")]
    Invalid {
        what: &'static str,
        url: String,
        reason: String,
    },
    #[error("the metadata at {url} names issuer {found:?}, not the configured {expected}")]
    IssuerMismatch {
        url: String,
        found: String,
        expected: String,
    },
    #[error(
        "the authorization server {issuer} publishes no metadata (neither \
         /.well-known/oauth-authorization-server nor /.well-known/openid-configuration)"
    )]
    NoMetadata { issuer: String },
    #[error("the authorization server {issuer} publishes no jwks_uri, so JWTs cannot be checked")]
    NoKeys { issuer: String },
    #[error("{max} tokens are being checked with the authorization server already; retry shortly")]
    Busy { max: usize },
    #[error("{max} tokens are being checked already; retry shortly")]
    ChecksBusy { max: usize },
    #[error(
        "the authorization server's answer at {url} is larger than {max} bytes, and was not read"
    )]
    TooLarge { url: String, max: usize },
    #[error(
        "refusing to ask the authorization server at {url} over plain http: use https (http is \
         accepted on loopback only)"
    )]
    Insecure { url: String },
}

/// Why a request was not let through.
#[derive(Debug)]
pub enum Refusal {
    /// 401: no usable token.
    Token(TokenError),
    /// 403: the token lacks a scope (step-up: the client may ask for it).
    Scope { needed: &'static str },
    /// 503: the authorization server could not be asked.
    Issuer(IssuerError),
}

impl From<TokenError> for Refusal {
    fn from(error: TokenError) -> Self {
        Refusal::Token(error)
    }
}

impl From<IssuerError> for Refusal {
    fn from(error: IssuerError) -> Self {
        Refusal::Issuer(error)
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Token(error) => error.fmt(f),
            Refusal::Scope { needed } => write!(
                f,
                "this call needs the {needed} scope, which the token was not granted"
            ),
            Refusal::Issuer(error) => error.fmt(f),
        }
    }
}

/// The OAuth settings cannot work; the server does not start.
#[derive(Debug, thiserror::Error)]
pub enum OAuthSetupError {
    #[error("{flag} must be an absolute http(s) URL, got {value:?}: {reason}")]
    BadUrl {
        flag: &'static str,
        value: String,
        reason: String,
    },
    #[error(
        "--oauth-issuer and --public-url go together: the public URL (the /mcp URL clients use) \
         is the audience tokens must name"
    )]
    Incomplete,
    #[error("--oauth-client-id and --oauth-client-secret go together")]
    IncompleteClient,
    #[error(
        "--http-token and --oauth-issuer both protect /mcp: choose one (OAuth identifies each \
         caller; the static token does not)"
    )]
    TokenAndOAuth,
    #[error("cannot build the HTTP client for the authorization server: {reason}")]
    Client { reason: String },
}
