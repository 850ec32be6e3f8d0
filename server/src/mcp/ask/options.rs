//! How this server may ask, fixed at start: the key that seals `requestState`, whether
//! server-to-client requests can reach the client, and how long a question waits.

use std::sync::Arc;
use std::time::Duration;

use rmcp::model::RequestStateCodec;

/// The key that seals `requestState`. Replicas behind one load balancer must share it.
#[derive(Clone)]
pub struct StateKey(pub(in crate::mcp) Arc<RequestStateCodec>);

impl std::fmt::Debug for StateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StateKey(redacted)")
    }
}

impl StateKey {
    /// A key given by the operator (`--request-state-key`), at least 32 bytes.
    pub fn from_secret(secret: &str) -> Result<Self, String> {
        RequestStateCodec::try_new(secret.as_bytes().to_vec())
            .map(|codec| StateKey(Arc::new(codec)))
            .map_err(|_| {
                format!(
                    "the request state key must be at least {} bytes long",
                    RequestStateCodec::MIN_KEY_LENGTH
                )
            })
    }

    /// A key of this process only: enough for stdio and for one HTTP server.
    pub fn random() -> Self {
        let mut key = Vec::with_capacity(64);
        for _ in 0..4 {
            key.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
        }
        // 64 random bytes, above the minimum length the checked constructor enforces.
        StateKey(Arc::new(RequestStateCodec::new_unchecked(key)))
    }
}

/// How this server may ask, fixed at start.
#[derive(Clone, Debug)]
pub struct AskOptions {
    pub key: StateKey,
    /// Whether server-to-client requests can reach the client. Not in stateless HTTP: without
    /// a session, the client's answer has nowhere to go.
    pub server_requests: bool,
    /// Whether a destructive change may go ahead without a person's confirmation when the
    /// client cannot be asked (`--allow-unconfirmed-writes`; off by default).
    pub allow_unconfirmed_writes: bool,
    /// How long a question asked within a call (`elicitation/create`, or a task's
    /// `input_required`) waits for its answer.
    pub question_timeout: Duration,
}

/// See [`AskOptions::question_timeout`]: long enough for a person to read and answer.
pub const DEFAULT_QUESTION_TIMEOUT: Duration = Duration::from_secs(300);

impl Default for AskOptions {
    fn default() -> Self {
        AskOptions {
            key: StateKey::random(),
            server_requests: true,
            allow_unconfirmed_writes: false,
            question_timeout: DEFAULT_QUESTION_TIMEOUT,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_keys_are_refused_and_keys_are_never_printed() {
        assert!(StateKey::from_secret("short").is_err());
        let key = StateKey::from_secret("a-shared-secret-of-at-least-32-bytes!").unwrap();
        assert!(!format!("{key:?}").contains("shared-secret"));
    }
}
