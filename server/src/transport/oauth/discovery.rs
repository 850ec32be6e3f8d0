//! The authorization server as this resource server sees it: its metadata (RFC 8414, else
//! OpenID discovery), found once, and its signing keys (JWKS), cached and fetched again when a
//! token names a key the cache does not hold (the issuer rotated its keys) or after an hour, by
//! one request at a time and without holding up the others (see [`super::key_cache`]).
//!
//! The issuer is fetched from carefully: answers are capped at [`MAX_ANSWER_BYTES`], redirects
//! are followed only within the same origin, `http://` is refused off loopback (so keys and
//! introspection answers cannot be forged on the way), and a failed refresh keeps the last good
//! keys (with a warning) so that a key-set outage does not sign everyone out.

use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use tokio::sync::Mutex;

use super::key_cache::{Key, KeyCache, Lookup};
use crate::errors::oauth::{IssuerError, OAuthSetupError};

/// An unreachable issuer is asked again after this long, not on every request.
const METADATA_RETRY: Duration = Duration::from_secs(5);
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest answer read from the issuer (metadata, key set, introspection).
pub(super) const MAX_ANSWER_BYTES: usize = 256 * 1024;
/// Redirects followed, all within the origin first asked.
const MAX_REDIRECTS: usize = 5;

/// The parts of the authorization server's metadata this server uses.
#[derive(Clone, Debug, Deserialize)]
pub(super) struct Metadata {
    pub issuer: String,
    pub jwks_uri: Option<String>,
    pub introspection_endpoint: Option<String>,
}

#[derive(Default)]
struct MetadataCache {
    metadata: Option<Arc<Metadata>>,
    failed_at: Option<Instant>,
}

/// The authorization server, its metadata and keys.
pub(super) struct Issuer {
    pub issuer: String,
    http: reqwest::Client,
    /// Held while the metadata is discovered (once), so that concurrent first requests wait
    /// for one discovery instead of each starting its own.
    metadata: Mutex<MetadataCache>,
    keys: KeyCache,
}

impl Issuer {
    pub fn new(issuer: &str) -> Result<Self, OAuthSetupError> {
        let same_origin = reqwest::redirect::Policy::custom(|attempt| {
            let first = attempt.previous().first().map(|u| u.origin());
            if attempt.previous().len() > MAX_REDIRECTS || first != Some(attempt.url().origin()) {
                attempt.stop()
            } else {
                attempt.follow()
            }
        });
        let http = reqwest::Client::builder()
            .timeout(HTTP_TIMEOUT)
            .redirect(same_origin)
            .user_agent(concat!("prefect-mcp-server/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| OAuthSetupError::Client {
                reason: e.to_string(),
            })?;
        Ok(Issuer {
            issuer: issuer.to_string(),
            http,
            metadata: Mutex::new(MetadataCache::default()),
            keys: KeyCache::default(),
        })
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The metadata, fetched on first use (and again after a failure, at most every few
    /// seconds).
    pub async fn metadata(&self) -> Result<Arc<Metadata>, IssuerError> {
        let mut cache = self.metadata.lock().await;
        if let Some(metadata) = &cache.metadata {
            return Ok(metadata.clone());
        }
        if cache
            .failed_at
            .is_some_and(|at| at.elapsed() < METADATA_RETRY)
        {
            return Err(IssuerError::Unreachable {
                url: self.issuer.clone(),
                reason: "its metadata could not be fetched a moment ago".into(),
            });
        }
        match self.discover().await {
            Ok(metadata) => {
                let metadata = Arc::new(metadata);
                cache.metadata = Some(metadata.clone());
                Ok(metadata)
            }
            Err(error) => {
                cache.failed_at = Some(Instant::now());
                Err(error)
            }
        }
    }

    /// RFC 8414 first (the well-known segment between host and path), then OpenID Connect
    /// discovery (appended to the issuer); the metadata must name exactly this issuer.
    async fn discover(&self) -> Result<Metadata, IssuerError> {
        let parsed = reqwest::Url::parse(&self.issuer).map_err(|e| IssuerError::Invalid {
            what: "issuer URL",
            url: self.issuer.clone(),
            reason: e.to_string(),
        })?;
        let origin = parsed.origin().ascii_serialization();
        let path = parsed.path().trim_end_matches('/');
        let candidates = [
            format!("{origin}/.well-known/oauth-authorization-server{path}"),
            format!(
                "{}/.well-known/openid-configuration",
                self.issuer.trim_end_matches('/')
            ),
        ];
        let mut last_error = None;
        for url in candidates {
            match self.get_json::<Metadata>(&url, "metadata").await {
                Ok(metadata) if metadata.issuer == self.issuer => return Ok(metadata),
                Ok(metadata) => {
                    return Err(IssuerError::IssuerMismatch {
                        url,
                        found: metadata.issuer,
                        expected: self.issuer.clone(),
                    })
                }
                // Not published there: try the other well-known location.
                Err(IssuerError::Status { status: 404, .. }) => {}
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.unwrap_or_else(|| IssuerError::NoMetadata {
            issuer: self.issuer.clone(),
        }))
    }

    /// The key for a token's `kid` (or its only key of the right kind when the token names
    /// none). `Ok(None)`: the issuer publishes no such key, even after fetching the keys again.
    pub async fn key(&self, kid: Option<&str>, alg: Algorithm) -> Result<Option<Key>, IssuerError> {
        let metadata = self.metadata().await?;
        let stale = match self.keys.lookup(kid, alg) {
            Lookup::Found(key) => return Ok(Some(key)),
            Lookup::Missing => return Ok(None),
            Lookup::Refresh { stale } => stale,
        };
        let _turn = match self.keys.try_refresh() {
            Some(turn) => turn,
            // Another request is fetching the keys: the last good key meanwhile, else its
            // answer.
            None => match stale {
                Some(key) => return Ok(Some(key)),
                None => self.keys.refresh_turn().await,
            },
        };
        // A fetch may have ended since the lookup: its keys may answer without another.
        match self.keys.lookup(kid, alg) {
            Lookup::Found(key) => return Ok(Some(key)),
            Lookup::Missing => return Ok(None),
            Lookup::Refresh { .. } => {}
        }
        self.refresh_keys(&metadata, kid, alg).await
    }

    /// Fetch the key set (the caller holds the refresh turn); a failure keeps the last good
    /// keys.
    async fn refresh_keys(
        &self,
        metadata: &Metadata,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<Option<Key>, IssuerError> {
        let jwks_uri = metadata.jwks_uri.clone().ok_or(IssuerError::NoKeys {
            issuer: self.issuer.clone(),
        })?;
        match self.get_json::<JwkSet>(&jwks_uri, "JWKS").await {
            Ok(set) => {
                let keys = self
                    .keys
                    .store(set.keys.iter().filter_map(usable_key).collect());
                tracing::info!(
                    issuer = %self.issuer,
                    keys,
                    "fetched the authorization server's signing keys"
                );
            }
            Err(error) => {
                let Some(keys) = self.keys.keep_last_good() else {
                    return Err(error);
                };
                tracing::warn!(
                    issuer = %self.issuer,
                    %error,
                    keys,
                    "cannot refresh the authorization server's signing keys: keeping the last \
                     good ones"
                );
            }
        }
        Ok(self.keys.pick(kid, alg))
    }

    async fn get_json<T: DeserializeOwned>(
        &self,
        url: &str,
        what: &'static str,
    ) -> Result<T, IssuerError> {
        require_secure(url)?;
        let response = self
            .http
            .get(url)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| IssuerError::Unreachable {
                url: url.to_string(),
                reason: e.without_url().to_string(),
            })?;
        let status = response.status();
        if !status.is_success() {
            return Err(IssuerError::Status {
                url: url.to_string(),
                status: status.as_u16(),
            });
        }
        let bytes = read_capped(response, url).await?;
        serde_json::from_slice(&bytes).map_err(|e| IssuerError::Invalid {
            what,
            url: url.to_string(),
            reason: e.to_string(),
        })
    }
}

/// Refuse to ask the issuer over plain HTTP anywhere but on this machine.
pub(super) fn require_secure(url: &str) -> Result<(), IssuerError> {
    if super::secure_or_loopback(url) {
        Ok(())
    } else {
        Err(IssuerError::Insecure {
            url: url.to_string(),
        })
    }
}

/// A response's body, refused past [`MAX_ANSWER_BYTES`] (counted as it arrives).
pub(super) async fn read_capped(
    mut response: reqwest::Response,
    url: &str,
) -> Result<Vec<u8>, IssuerError> {
    let mut bytes = Vec::new();
    loop {
        let chunk = response
            .chunk()
            .await
            .map_err(|e| IssuerError::Unreachable {
                url: url.to_string(),
                reason: e.without_url().to_string(),
            })?;
        let Some(chunk) = chunk else {
            return Ok(bytes);
        };
        if bytes.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(IssuerError::TooLarge {
                url: url.to_string(),
                max: MAX_ANSWER_BYTES,
            });
        }
        bytes.extend_from_slice(&chunk);
    }
}

/// A JWKS whose keys are read one by one, so that one key of a kind this crate does not know
/// does not hide the others.
#[derive(Deserialize)]
struct JwkSet {
    keys: Vec<serde_json::Value>,
}

/// A signature key with a public-key algorithm; symmetric (`oct`) keys and encryption keys
/// never verify a token here.
fn usable_key(value: &serde_json::Value) -> Option<Key> {
    let jwk: Jwk = serde_json::from_value(value.clone()).ok()?;
    if matches!(jwk.common.public_key_use, Some(ref u) if *u != PublicKeyUse::Signature) {
        return None;
    }
    if matches!(
        jwk.algorithm,
        AlgorithmParameters::OctetKey(_) | AlgorithmParameters::Other(_)
    ) {
        return None;
    }
    let alg = match &jwk.common.key_algorithm {
        Some(alg) => Some(alg.to_string().parse::<Algorithm>().ok()?),
        None => None,
    };
    Some(Key {
        kid: jwk.common.key_id.clone(),
        alg,
        key: Arc::new(DecodingKey::from_jwk(&jwk).ok()?),
    })
}

#[cfg(test)]
impl Issuer {
    /// The cached keys, to age them in tests.
    pub(super) fn keys_for_tests(&self) -> std::sync::MutexGuard<'_, super::key_cache::Keys> {
        self.keys.state()
    }
}

#[cfg(test)]
#[path = "key_refresh_tests.rs"]
mod key_refresh_tests;
