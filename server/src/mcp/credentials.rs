//! Per-request Prefect credentials (`--per-request-auth`): a request over HTTP may carry its
//! own Prefect key in `X-Prefect-Api-Key` or `X-Prefect-Api-Auth-String`, used instead of the
//! server's for that request (one endpoint, many Prefect Cloud workspaces' keys). In `required`
//! mode a request without them is refused rather than served with the operator's key.
//!
//! One Prefect client per credential, pooled (bounded, expiring when idle), so that a caller's
//! calls reuse connections instead of paying a new TLS handshake to Prefect Cloud each time.
//! The pool is keyed by a SHA-256 digest of the credential, never by the secret itself.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::errors::ToolError;
use crate::prefect::{Auth, ClientBuilder, Prefect};

/// HTTP headers that carry a caller's own Prefect credentials (with `--per-request-auth`).
pub const API_KEY_HEADER: &str = "x-prefect-api-key";
pub const AUTH_STRING_HEADER: &str = "x-prefect-api-auth-string";

/// The Prefect credentials an HTTP request brought, as the transport read them from its
/// headers (into the request's extensions): the MCP layer reads this value, never headers. A call
/// that came from no HTTP request has none.
#[derive(Clone, Debug, PartialEq)]
pub enum RequestCredentials {
    /// The request's own credentials; `Auth::None` when it brought none.
    Given(Auth),
    /// A credential header whose value is not text.
    NotText { header: &'static str },
}

/// Whether requests may, must or may not bring their own Prefect credentials.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum PerRequestAuth {
    /// Every call uses the server's credentials (headers are ignored).
    #[default]
    #[value(alias = "false")]
    Off,
    /// A request's own credentials, else the server's.
    #[value(alias = "true")]
    Optional,
    /// A request's own credentials; a request without them is refused.
    Required,
}

/// Credentials kept at most this many at once (the least recently used goes first).
const POOL_SIZE: usize = 256;
/// A credential unused this long loses its client (and its connections).
const POOL_IDLE: Duration = Duration::from_secs(15 * 60);

type Digest = [u8; 32];

/// The per-credential clients of one server (shared by its sessions and requests).
#[derive(Clone)]
pub(super) struct CallerClients {
    builder: ClientBuilder,
    pub(super) required: bool,
    pool: Arc<Mutex<HashMap<Digest, Pooled>>>,
}

struct Pooled {
    prefect: Prefect,
    used: Instant,
}

impl CallerClients {
    /// `None` when requests may not bring credentials.
    pub fn new(builder: ClientBuilder, mode: PerRequestAuth) -> Option<Self> {
        (mode != PerRequestAuth::Off).then(|| CallerClients {
            builder,
            required: mode == PerRequestAuth::Required,
            pool: Arc::default(),
        })
    }

    /// The pooled Prefect for a credential, built on first use.
    pub(super) fn prefect_for(&self, auth: Auth) -> Result<Prefect, ToolError> {
        let key = digest(&auth);
        let now = Instant::now();
        let mut pool = self.pool.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = pool.get_mut(&key) {
            if now.duration_since(entry.used) < POOL_IDLE {
                entry.used = now;
                return Ok(entry.prefect.clone());
            }
        }
        let kind = auth.kind();
        let client =
            self.builder
                .clone()
                .auth(auth)
                .build()
                .map_err(|source| ToolError::Prefect {
                    action: "setting up a client for the request's credentials".into(),
                    source,
                })?;
        let prefect = Prefect::new(client, kind);
        pool.retain(|_, entry| now.duration_since(entry.used) < POOL_IDLE);
        if pool.len() >= POOL_SIZE {
            if let Some(oldest) = pool.iter().min_by_key(|(_, e)| e.used).map(|(k, _)| *k) {
                pool.remove(&oldest);
            }
        }
        pool.insert(
            key,
            Pooled {
                prefect: prefect.clone(),
                used: now,
            },
        );
        Ok(prefect)
    }

    #[cfg(test)]
    fn pooled(&self) -> usize {
        self.pool.lock().map(|p| p.len()).unwrap_or_default()
    }
}

/// A credential's digest in hex, to tell callers apart without holding their secret.
pub fn credential_digest(auth: &Auth) -> String {
    digest(auth).iter().map(|b| format!("{b:02x}")).collect()
}

/// The credential's kind and secret, digested: the pool never holds a secret as a key.
fn digest(auth: &Auth) -> Digest {
    let secret = match auth {
        Auth::None => "",
        Auth::ApiKey(key) => key,
        Auth::AuthString(pair) => pair,
    };
    let mut context = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    context.update(auth.kind().as_bytes());
    context.update(&[0]);
    context.update(secret.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(context.finish().as_ref());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clients() -> CallerClients {
        CallerClients::new(
            crate::prefect::Client::builder("http://127.0.0.1:9/api"),
            PerRequestAuth::Optional,
        )
        .unwrap()
    }

    #[test]
    fn one_client_per_credential_reused_across_calls() {
        let clients = clients();
        let first = clients
            .prefect_for(Auth::ApiKey("tenant-a".into()))
            .unwrap();
        let again = clients
            .prefect_for(Auth::ApiKey("tenant-a".into()))
            .unwrap();
        assert!(Arc::ptr_eq(&first.client, &again.client));
        let other = clients
            .prefect_for(Auth::ApiKey("tenant-b".into()))
            .unwrap();
        assert!(!Arc::ptr_eq(&first.client, &other.client));
        // The same secret as another kind of credential is another credential.
        clients
            .prefect_for(Auth::AuthString("tenant-a".into()))
            .unwrap();
        assert_eq!(clients.pooled(), 3);
        assert!(CallerClients::new(
            crate::prefect::Client::builder("http://127.0.0.1:9/api"),
            PerRequestAuth::Off
        )
        .is_none());
    }

    #[test]
    fn the_pool_is_bounded() {
        let clients = clients();
        for n in 0..POOL_SIZE + 10 {
            clients
                .prefect_for(Auth::ApiKey(format!("key-{n}")))
                .unwrap();
        }
        assert_eq!(clients.pooled(), POOL_SIZE);
    }
}
