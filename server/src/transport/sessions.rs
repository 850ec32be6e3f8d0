//! Sessions with a cap and an idle expiry.
//!
//! rmcp's [`LocalSessionManager`] keeps every session until it has been idle for its keep-alive,
//! with no limit on how many: 3,000 clients that open a session and walk away cost about 190 MB.
//! [`BoundedSessions`] wraps it: at most `max` sessions live at once, and a new client at the
//! cap closes the least recently used session that is not answering a request, so that a new
//! client is always served while memory stays bounded. Only when every session is busy is the
//! new one refused (503, see [`BoundedSessions::admits_new`]).

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures::Stream;
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::transport::streamable_http_server::session::local::{
    LocalSessionManager, LocalSessionManagerError,
};
use rmcp::transport::streamable_http_server::session::{
    EventStore, RestoreOutcome, ServerSseMessage, SessionId, SessionManager,
};

/// Why a session operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SessionsError {
    #[error("all {0} sessions are answering requests (--max-sessions); retry shortly")]
    Full(usize),
    #[error(transparent)]
    Local(#[from] LocalSessionManagerError),
}

/// When a session was last used and how many of its requests are being answered.
struct Usage {
    last_used: Instant,
    busy: usize,
}

/// A capped [`LocalSessionManager`] (see the module documentation).
pub struct BoundedSessions {
    inner: LocalSessionManager,
    max: usize,
    usage: Arc<Mutex<HashMap<SessionId, Usage>>>,
    /// Creations one at a time, so that two new clients cannot both take the last place.
    creating: tokio::sync::Mutex<()>,
}

impl BoundedSessions {
    pub fn new(max: usize, idle: Duration) -> Self {
        let mut inner = LocalSessionManager::default();
        // rmcp's worker closes a session that has seen no message for this long.
        inner.session_config.keep_alive = Some(idle);
        BoundedSessions {
            inner,
            max,
            usage: Arc::default(),
            creating: tokio::sync::Mutex::new(()),
        }
    }

    /// Whether a new session could be opened now (at the cap, one must be idle).
    pub fn admits_new(&self) -> bool {
        let usage = self.lock();
        usage.len() < self.max || usage.values().any(|u| u.busy == 0)
    }

    /// How many sessions are open.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SessionId, Usage>> {
        // A panic while holding this lock leaves plain bookkeeping behind: still usable.
        self.usage.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn touch(&self, id: &SessionId) {
        if let Some(usage) = self.lock().get_mut(id) {
            usage.last_used = Instant::now();
        }
    }

    /// The least recently used idle session, if the cap is reached; `Err` when all are busy.
    fn victim(&self) -> Result<Option<SessionId>, SessionsError> {
        let usage = self.lock();
        if usage.len() < self.max {
            return Ok(None);
        }
        usage
            .iter()
            .filter(|(_, u)| u.busy == 0)
            .min_by_key(|(_, u)| u.last_used)
            .map(|(id, _)| Some(id.clone()))
            .ok_or(SessionsError::Full(self.max))
    }

    /// Mark one request of `id` as being answered until the returned guard is dropped.
    fn busy(&self, id: &SessionId) -> BusyGuard {
        if let Some(usage) = self.lock().get_mut(id) {
            usage.busy += 1;
            usage.last_used = Instant::now();
        }
        BusyGuard {
            usage: self.usage.clone(),
            id: id.clone(),
        }
    }
}

/// Ends a request's busy mark (see [`BoundedSessions::busy`]).
struct BusyGuard {
    usage: Arc<Mutex<HashMap<SessionId, Usage>>>,
    id: SessionId,
}

impl Drop for BusyGuard {
    fn drop(&mut self) {
        let mut usage = self.usage.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(usage) = usage.get_mut(&self.id) {
            usage.busy = usage.busy.saturating_sub(1);
            usage.last_used = Instant::now();
        }
    }
}

/// A response stream that keeps its session marked busy while it is open.
struct Tracked {
    stream: Pin<Box<dyn Stream<Item = ServerSseMessage> + Send + Sync>>,
    _busy: BusyGuard,
}

impl Stream for Tracked {
    type Item = ServerSseMessage;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.stream.as_mut().poll_next(cx)
    }
}

impl SessionManager for BoundedSessions {
    type Error = SessionsError;
    type Transport = <LocalSessionManager as SessionManager>::Transport;

    async fn create_session(&self) -> Result<(SessionId, Self::Transport), Self::Error> {
        let _one_at_a_time = self.creating.lock().await;
        if let Some(victim) = self.victim()? {
            tracing::info!(
                max_sessions = self.max,
                "session cap reached: closing the least recently used idle session"
            );
            self.close_session(&victim).await?;
        }
        let (id, transport) = self.inner.create_session().await?;
        self.lock().insert(
            id.clone(),
            Usage {
                last_used: Instant::now(),
                busy: 0,
            },
        );
        Ok((id, transport))
    }

    async fn initialize_session(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<ServerJsonRpcMessage, Self::Error> {
        let _busy = self.busy(id);
        Ok(self.inner.initialize_session(id, message).await?)
    }

    async fn has_session(&self, id: &SessionId) -> Result<bool, Self::Error> {
        Ok(self.inner.has_session(id).await?)
    }

    async fn close_session(&self, id: &SessionId) -> Result<(), Self::Error> {
        self.lock().remove(id);
        Ok(self.inner.close_session(id).await?)
    }

    async fn create_stream(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        let busy = self.busy(id);
        let stream = self.inner.create_stream(id, message).await?;
        Ok(Tracked {
            stream: Box::pin(stream),
            _busy: busy,
        })
    }

    async fn accept_message(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<(), Self::Error> {
        self.touch(id);
        Ok(self.inner.accept_message(id, message).await?)
    }

    async fn create_standalone_stream(
        &self,
        id: &SessionId,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        self.touch(id);
        Ok(self.inner.create_standalone_stream(id).await?)
    }

    async fn resume(
        &self,
        id: &SessionId,
        last_event_id: String,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        self.touch(id);
        Ok(self.inner.resume(id, last_event_id).await?)
    }

    async fn restore_session(
        &self,
        id: SessionId,
    ) -> Result<RestoreOutcome<Self::Transport>, Self::Error> {
        Ok(self.inner.restore_session(id).await?)
    }

    fn event_store(&self) -> Option<Arc<dyn EventStore>> {
        self.inner.event_store()
    }
}
