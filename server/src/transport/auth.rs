//! The static bearer token of `--http-token`: `Authorization: Bearer <token>`, the scheme
//! compared case-insensitively (RFC 9110 §11.1), the token in constant time.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use subtle::ConstantTimeEq;

use super::limits::refusal;

/// The configured token. `Debug` never shows it.
pub(super) struct BearerToken(String);

impl BearerToken {
    pub(super) fn new(token: String) -> Self {
        BearerToken(token)
    }

    /// Whether an `Authorization` header value presents this token.
    fn accepts(&self, header: &HeaderValue) -> bool {
        let Some((scheme, given)) = header.to_str().ok().and_then(|v| v.split_once(' ')) else {
            return false;
        };
        scheme.eq_ignore_ascii_case("bearer")
            && bool::from(given.trim().as_bytes().ct_eq(self.0.as_bytes()))
    }
}

impl std::fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BearerToken(<redacted>)")
    }
}

pub(super) async fn require_bearer_token(
    State(token): State<Arc<BearerToken>>,
    request: Request,
    next: Next,
) -> Response {
    let presented = request.headers().get(header::AUTHORIZATION);
    if presented.is_some_and(|value| token.accepts(value)) {
        return next.run(request).await;
    }
    let mut response = refusal(
        StatusCode::UNAUTHORIZED,
        "missing or wrong bearer token: send Authorization: Bearer <token>".to_string(),
    );
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepts(value: &str) -> bool {
        BearerToken::new("s3cret".into()).accepts(&HeaderValue::from_str(value).unwrap())
    }

    #[test]
    fn the_scheme_is_case_insensitive_and_the_token_exact() {
        assert!(accepts("Bearer s3cret"));
        assert!(accepts("bearer s3cret"));
        assert!(accepts("BEARER s3cret"));
        assert!(!accepts("Bearer s3cre"));
        assert!(!accepts("Bearer s3cret2"));
        assert!(!accepts("Basic s3cret"));
        assert!(!accepts("s3cret"));
    }

    #[test]
    fn debug_hides_the_token() {
        assert!(!format!("{:?}", BearerToken::new("s3cret".into())).contains("s3cret"));
    }
}
