//! The issuer's signing keys as cached here. The keys are read under a short lock that is never
//! held across a fetch, and fetched again by one request at a time (single-flight): while it
//! waits for the issuer, the other requests keep verifying with the last good keys, and only
//! those whose key the cache does not hold at all wait for its answer.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, DecodingKey};

/// Keys older than this are fetched again on the next token.
const KEYS_MAX_AGE: Duration = Duration::from_secs(3600);
/// At most one fetch for an unknown key in this time, so that tokens with made-up key ids
/// cannot make the server hammer the issuer.
const UNKNOWN_KEY_REFETCH: Duration = Duration::from_secs(10);

#[derive(Default)]
pub(super) struct Keys {
    keys: Vec<Key>,
    pub(super) fetched_at: Option<Instant>,
    /// When a refresh last failed while older keys were kept.
    failed_at: Option<Instant>,
}

/// What the cache can say about a token's key without asking the issuer.
pub(super) enum Lookup {
    Found(Key),
    /// The issuer publishes no such key: the keys were fetched (or failed to be) a moment ago.
    Missing,
    /// The keys must be fetched (again); `stale` is the last good key, usable meanwhile.
    Refresh {
        stale: Option<Key>,
    },
}

/// The one request fetching the keys holds this; the others see that a fetch is under way.
pub(super) type RefreshTurn<'a> = tokio::sync::MutexGuard<'a, ()>;

#[derive(Default)]
pub(super) struct KeyCache {
    /// Never held across an await.
    keys: Mutex<Keys>,
    refreshing: tokio::sync::Mutex<()>,
}

impl KeyCache {
    pub fn lookup(&self, kid: Option<&str>, alg: Algorithm) -> Lookup {
        let keys = self.state();
        let failed_lately = keys
            .failed_at
            .is_some_and(|at| at.elapsed() < UNKNOWN_KEY_REFETCH);
        let stale = !failed_lately && keys.fetched_at.is_none_or(|at| at.elapsed() > KEYS_MAX_AGE);
        let key = pick(&keys.keys, kid, alg);
        if !stale {
            if let Some(key) = key {
                return Lookup::Found(key);
            }
            if failed_lately
                || keys
                    .fetched_at
                    .is_some_and(|at| at.elapsed() < UNKNOWN_KEY_REFETCH)
            {
                return Lookup::Missing;
            }
        }
        Lookup::Refresh { stale: key }
    }

    /// The right to fetch the keys, at once; `None` while another request holds it.
    pub fn try_refresh(&self) -> Option<RefreshTurn<'_>> {
        self.refreshing.try_lock().ok()
    }

    /// The right to fetch the keys, once the request fetching them now is done.
    pub async fn refresh_turn(&self) -> RefreshTurn<'_> {
        self.refreshing.lock().await
    }

    /// The keys just fetched; how many.
    pub fn store(&self, fresh: Vec<Key>) -> usize {
        let mut keys = self.state();
        keys.keys = fresh;
        keys.fetched_at = Some(Instant::now());
        keys.failed_at = None;
        keys.keys.len()
    }

    /// A refresh failed: the last good keys stay (how many), or `None` when there are none.
    pub fn keep_last_good(&self) -> Option<usize> {
        let mut keys = self.state();
        if keys.keys.is_empty() {
            return None;
        }
        keys.failed_at = Some(Instant::now());
        Some(keys.keys.len())
    }

    pub fn pick(&self, kid: Option<&str>, alg: Algorithm) -> Option<Key> {
        pick(&self.state().keys, kid, alg)
    }

    /// The keys; a panic elsewhere while they were held leaves them whole (each update is one
    /// assignment), so a poisoned lock is still read.
    pub(super) fn state(&self) -> MutexGuard<'_, Keys> {
        self.keys.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A verification key from the JWKS.
#[derive(Clone)]
pub(super) struct Key {
    pub kid: Option<String>,
    /// The key's own `alg`, when it says.
    pub alg: Option<Algorithm>,
    pub key: Arc<DecodingKey>,
}

/// The key a token asks for: by `kid`, else the only key that fits its algorithm.
fn pick(keys: &[Key], kid: Option<&str>, alg: Algorithm) -> Option<Key> {
    let fits = |key: &&Key| key.alg.is_none_or(|a| a == alg) && key.key.family() == alg.family();
    match kid {
        Some(kid) => keys
            .iter()
            .find(|k| k.kid.as_deref() == Some(kid))
            .filter(|k| fits(k))
            .cloned(),
        None => {
            let mut fitting = keys.iter().filter(fits);
            let only = fitting.next()?;
            fitting.next().is_none().then(|| only.clone())
        }
    }
}
