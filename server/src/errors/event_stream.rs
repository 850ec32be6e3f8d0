//! Why Prefect's event websocket (`/api/events/out`) is not serving the waits, worded here.
//!
//! These never reach a caller: the waits fall back to polling and the reason goes to the debug
//! log. They never quote the auth message or a header.

/// Why the event stream could not be opened, or stopped.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// The upgrade was answered with an HTTP status instead (a proxy that refuses websockets,
    /// a server without the endpoint): polling serves the waits for a while.
    #[error("Prefect's event websocket {url} was refused with HTTP {status}")]
    Refused { url: String, status: u16 },
    #[error("Prefect's event websocket {url} could not be reached: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("Prefect's event websocket did not accept the subscription: {reason}")]
    Handshake { reason: String },
    #[error("Prefect's event websocket closed: {reason}")]
    Closed { reason: String },
    #[error("reading the watched flow runs by id failed: {reason}")]
    Reconcile { reason: String },
}
