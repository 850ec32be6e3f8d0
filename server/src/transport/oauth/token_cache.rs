//! What protects the authorization server from the callers of this one: each opaque token's
//! introspection answer is kept (by the token's SHA-256 digest, never the token), an active one
//! until the token expires (at most [`ACTIVE_FOR`]), a refusal for [`REFUSED_FOR`]; and at most
//! `max_calls` introspections are in progress at once, a token that would start another being
//! answered 503 (so that a flood of made-up tokens costs the issuer a bounded number of calls,
//! each carrying this server's client secret).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use super::Caller;
use crate::errors::oauth::{IssuerError, Refusal, TokenError};

/// An active token is asked about again after this long even if it expires later, so that a
/// revocation is seen within it.
pub(super) const ACTIVE_FOR: Duration = Duration::from_secs(300);
/// A refused (inactive, foreign) token is answered from the cache for this long.
pub(super) const REFUSED_FOR: Duration = Duration::from_secs(30);
/// Introspections in progress at once.
pub(super) const DEFAULT_MAX_CALLS: usize = 8;
/// Answers kept at most; past it expired ones are dropped, and new ones not kept until room.
const MAX_ENTRIES: usize = 10_000;

type Digest = [u8; 32];

/// An introspection's outcome: the caller and the token's `exp` (seconds since the epoch).
pub(super) type Checked = (Caller, Option<i64>);

struct Entry {
    answer: Result<Caller, TokenError>,
    until: Instant,
}

/// The cache and the pool of introspection calls (see the module documentation).
pub(super) struct IntrospectionCache {
    entries: Mutex<HashMap<Digest, Entry>>,
    calls: Arc<Semaphore>,
    max_calls: usize,
}

impl IntrospectionCache {
    pub(super) fn new(max_calls: usize) -> Self {
        IntrospectionCache {
            entries: Mutex::default(),
            calls: Arc::new(Semaphore::new(max_calls)),
            max_calls,
        }
    }

    /// The caller `token` names: from the cache, else by `introspect` (within the pool).
    pub(super) async fn check<F, Fut>(&self, token: &str, introspect: F) -> Result<Caller, Refusal>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Checked, Refusal>>,
    {
        let key = digest(token);
        if let Some(answer) = self.cached(&key) {
            return answer.map_err(Refusal::Token);
        }
        let Ok(_permit) = self.calls.try_acquire() else {
            return Err(IssuerError::Busy {
                max: self.max_calls,
            }
            .into());
        };
        let (answer, keep_for) = match introspect().await {
            Ok((caller, exp)) => {
                let keep_for = exp.map_or(ACTIVE_FOR, |exp| {
                    let left = exp - jsonwebtoken::get_current_timestamp() as i64;
                    Duration::from_secs(left.max(0) as u64).min(ACTIVE_FOR)
                });
                (Ok(caller), keep_for)
            }
            Err(Refusal::Token(error)) => (Err(error), REFUSED_FOR),
            // The issuer could not be asked: the token may be good, ask again next time.
            Err(other) => return Err(other),
        };
        self.keep(key, answer.clone(), keep_for);
        answer.map_err(Refusal::Token)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Digest, Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn cached(&self, key: &Digest) -> Option<Result<Caller, TokenError>> {
        let entries = self.lock();
        let entry = entries.get(key)?;
        (entry.until > Instant::now()).then(|| entry.answer.clone())
    }

    fn keep(&self, key: Digest, answer: Result<Caller, TokenError>, keep_for: Duration) {
        let now = Instant::now();
        let mut entries = self.lock();
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, entry| entry.until > now);
        }
        if entries.len() < MAX_ENTRIES && !keep_for.is_zero() {
            let until = now + keep_for;
            entries.insert(key, Entry { answer, until });
        }
    }
}

fn digest(token: &str) -> Digest {
    let hashed = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(hashed.as_ref());
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use futures::future::join_all;
    use tokio::sync::Notify;

    use super::*;

    fn caller() -> Caller {
        Caller {
            subject: "alice".into(),
            client_id: None,
            scopes: BTreeSet::new(),
        }
    }

    #[tokio::test]
    async fn one_valid_token_sent_twenty_times_is_introspected_once() {
        let cache = IntrospectionCache::new(DEFAULT_MAX_CALLS);
        let calls = AtomicUsize::new(0);
        let exp = jsonwebtoken::get_current_timestamp() as i64 + 600;
        for _ in 0..20 {
            let answer = cache
                .check("opaque-token", || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    Ok((caller(), Some(exp)))
                })
                .await;
            assert_eq!(answer.unwrap().subject, "alice");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // A refusal is kept too, and an unreachable issuer is not.
        for _ in 0..3 {
            let refused = cache
                .check("revoked", || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    Err(TokenError::Inactive.into())
                })
                .await;
            assert!(matches!(refused, Err(Refusal::Token(TokenError::Inactive))));
        }
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        for _ in 0..2 {
            let _ = cache
                .check("unlucky", || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    Err(IssuerError::NoMetadata { issuer: "x".into() }.into())
                })
                .await;
        }
        assert_eq!(calls.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn thirty_concurrent_random_tokens_cost_the_issuer_at_most_the_pool() {
        let cache = IntrospectionCache::new(DEFAULT_MAX_CALLS);
        let calls = AtomicUsize::new(0);
        // The issuer answers none until every request has been decided.
        let gate = Notify::new();
        let checks = (0..30).map(|n| {
            let (cache, calls, gate) = (&cache, &calls, &gate);
            async move {
                cache
                    .check(&format!("random-{n}"), || async move {
                        calls.fetch_add(1, Ordering::SeqCst);
                        gate.notified().await;
                        Err(TokenError::Inactive.into())
                    })
                    .await
            }
        });
        let opener = async {
            // Every check has run up to its introspection or its refusal before this polls.
            tokio::task::yield_now().await;
            gate.notify_waiters();
        };
        let (answers, ()) = tokio::join!(join_all(checks), opener);
        let busy = answers
            .iter()
            .filter(|a| matches!(a, Err(Refusal::Issuer(IssuerError::Busy { .. }))))
            .count();
        assert_eq!(calls.load(Ordering::SeqCst), DEFAULT_MAX_CALLS);
        assert_eq!(busy, 30 - DEFAULT_MAX_CALLS);
    }
}
