//! Callers kept apart on a shared endpoint: who a request comes from ([`CallerKey`]), and each
//! caller's share of the requests in flight, so that one greedy caller (say, one holding many
//! long waits) is refused while the others are still served.
//!
//! A caller is the OAuth subject the token names, and the digest of the request's own Prefect
//! credentials when it brings them (`--per-request-auth`); a request with neither comes from the
//! operator: a static bearer token, or no authentication at all, is one caller. The per-caller
//! quotas apply to callers told apart; the operator is bounded by the global limits only (with a
//! shared static token every team member is the operator, and a quota would only shrink theirs).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::Response;

use super::limits::{busy, HeldBody};
use super::oauth::Caller;
use crate::mcp::credentials::{
    credential_digest, RequestCredentials, API_KEY_HEADER, AUTH_STRING_HEADER,
};
use crate::prefect::Auth;

/// Who a request comes from, as far as keeping callers apart goes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(super) enum CallerKey {
    /// No identity: a static bearer token's holder, or anyone on an unauthenticated loopback.
    #[default]
    Operator,
    /// A signed-in subject and/or a credential digest, written so that no subject can pass for
    /// another subject and credential.
    Named(Arc<str>),
}

impl CallerKey {
    /// The key of a request that went through the authentication layers, with the Prefect
    /// credentials it brought.
    fn of(request: &Request, credentials: &RequestCredentials) -> Self {
        let subject = request
            .extensions()
            .get::<Caller>()
            .map(|caller| caller.subject.as_str());
        let credential = match credentials {
            RequestCredentials::Given(auth) if *auth != Auth::None => Some(credential_digest(auth)),
            _ => None,
        };
        if subject.is_none() && credential.is_none() {
            return CallerKey::Operator;
        }
        let named = serde_json::json!({ "subject": subject, "credential": credential });
        CallerKey::Named(named.to_string().into())
    }

    pub(super) fn is_named(&self) -> bool {
        matches!(self, CallerKey::Named(_))
    }
}

/// The Prefect credentials in a request's headers, read once, here: the layers inside and the
/// MCP layer use this value.
fn request_credentials(headers: &HeaderMap) -> RequestCredentials {
    let text = |name: &'static str| {
        headers
            .get(name)
            .map(|value| value.to_str().map_err(|_| name))
            .transpose()
    };
    match (text(API_KEY_HEADER), text(AUTH_STRING_HEADER)) {
        (Ok(api_key), Ok(auth_string)) => {
            RequestCredentials::Given(Auth::from_settings(api_key, auth_string))
        }
        (Err(header), _) | (_, Err(header)) => RequestCredentials::NotText { header },
    }
}

/// Name the caller of each request, and the Prefect credentials it brought, in its extensions
/// for the layers inside this one and for the MCP layer.
pub(super) async fn identify(mut request: Request, next: Next) -> Response {
    let credentials = request_credentials(request.headers());
    let key = CallerKey::of(&request, &credentials);
    request.extensions_mut().insert(key);
    request.extensions_mut().insert(credentials);
    next.run(request).await
}

/// Each named caller's requests in flight.
#[derive(Clone)]
pub(super) struct CallerShares {
    max: usize,
    counts: Arc<Mutex<HashMap<CallerKey, usize>>>,
}

impl CallerShares {
    pub(super) fn new(max: usize) -> Self {
        CallerShares {
            max,
            counts: Arc::default(),
        }
    }

    /// One more request of `key`, held until the guard is dropped; `None` past its share.
    fn take(&self, key: &CallerKey) -> Option<ShareGuard> {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let count = counts.entry(key.clone()).or_default();
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(ShareGuard {
            counts: self.counts.clone(),
            key: key.clone(),
        })
    }

    #[cfg(test)]
    fn held(&self, key: &CallerKey) -> usize {
        let counts = self.counts.lock().unwrap();
        counts.get(key).copied().unwrap_or_default()
    }
}

/// Gives a request's place in its caller's share back (see [`CallerShares::take`]).
pub(super) struct ShareGuard {
    counts: Arc<Mutex<HashMap<CallerKey, usize>>>,
    key: CallerKey,
}

impl Drop for ShareGuard {
    fn drop(&mut self) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = counts.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counts.remove(&self.key);
            }
        }
    }
}

/// Refuse a named caller's request past its share of the requests in flight (503 for that
/// caller only). As with the global limit, a POST holds its place until its answer has been
/// sent, so a long wait counts against its own caller; a GET only until its headers are out.
pub(super) async fn limit_per_caller(
    State(shares): State<CallerShares>,
    request: Request,
    next: Next,
) -> Response {
    let key = request.extensions().get::<CallerKey>().cloned();
    let Some(key) = key.filter(CallerKey::is_named) else {
        return next.run(request).await;
    };
    let Some(guard) = shares.take(&key) else {
        return busy(format!(
            "you have {} requests being answered already (--max-in-flight-per-caller); retry \
             once one has finished",
            shares.max
        ));
    };
    let holds_for_body = request.method() == Method::POST;
    let response = next.run(request).await;
    if holds_for_body {
        HeldBody::wrap(response, guard)
    } else {
        response
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn key(subject: Option<&str>, api_key: Option<&str>) -> CallerKey {
        let mut request = axum::http::Request::builder();
        if let Some(api_key) = api_key {
            request = request.header(API_KEY_HEADER, api_key);
        }
        let mut request = request.body(axum::body::Body::empty()).unwrap();
        if let Some(subject) = subject {
            request.extensions_mut().insert(Caller {
                subject: subject.into(),
                client_id: None,
                scopes: BTreeSet::new(),
            });
        }
        CallerKey::of(&request, &request_credentials(request.headers()))
    }

    #[test]
    fn credentials_are_read_once_and_a_header_that_is_not_text_is_named() {
        let headers = |pairs: &[(&'static str, &[u8])]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.insert(*name, axum::http::HeaderValue::from_bytes(value).unwrap());
            }
            map
        };
        assert_eq!(
            request_credentials(&headers(&[])),
            RequestCredentials::Given(Auth::None)
        );
        assert_eq!(
            request_credentials(&headers(&[(API_KEY_HEADER, b"pnu_1")])),
            RequestCredentials::Given(Auth::from_settings(Some("pnu_1"), None))
        );
        assert_eq!(
            request_credentials(&headers(&[(AUTH_STRING_HEADER, b"admin:\xff")])),
            RequestCredentials::NotText {
                header: AUTH_STRING_HEADER
            }
        );
    }

    #[test]
    fn callers_are_told_apart_by_subject_and_credential_never_in_clear() {
        assert_eq!(key(None, None), CallerKey::Operator);
        assert_eq!(key(None, Some("  ")), CallerKey::Operator);
        let alice = key(Some("alice"), None);
        assert!(alice.is_named());
        assert_eq!(alice, key(Some("alice"), None));
        assert_ne!(alice, key(Some("bob"), None));
        assert_ne!(alice, key(Some("alice"), Some("pnu_1")));
        let keyed = key(None, Some("pnu_secret"));
        assert_ne!(keyed, key(None, Some("pnu_other")));
        assert!(!format!("{keyed:?}").contains("pnu_secret"));
    }

    #[test]
    fn a_caller_past_its_share_is_refused_and_others_are_not() {
        let shares = CallerShares::new(2);
        let (a, b) = (key(Some("a"), None), key(Some("b"), None));
        let held: Vec<_> = (0..2).map(|_| shares.take(&a).unwrap()).collect();
        assert!(shares.take(&a).is_none(), "a third request of a's");
        let other = shares.take(&b);
        assert!(other.is_some(), "b is still served");
        drop(held);
        assert_eq!(shares.held(&a), 0);
        assert!(shares.take(&a).is_some(), "a's places came back");
    }
}
