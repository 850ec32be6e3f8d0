//! Sessions with a cap and an idle expiry.
//!
//! rmcp's [`LocalSessionManager`] keeps every session until it has been idle for its keep-alive,
//! with no limit on how many: 3,000 clients that open a session and walk away cost about 190 MB.
//! [`BoundedSessions`] wraps it: at most `max` sessions live at once, and a new client at the
//! cap closes the least recently used session that is not answering a request, so that a new
//! client is always served while memory stays bounded. Only when every session is busy is the
//! new one refused (503, see [`BoundedSessions::admits_new`]).
//!
//! Each session belongs to the caller that opened it ([`CallerKey`]): another caller naming its
//! id is answered as for an unknown session (see [`BoundedSessions::belongs_to`]). A named caller
//! holds at most `per_caller` sessions; at that quota its new session closes its own least
//! recently used idle one. At the global cap the victim is the least recently used idle session
//! of the caller holding the most, so a caller under its quota keeps its sessions while another
//! holds more.

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

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::callers::CallerKey;
use super::limits::{busy, refusal};

tokio::task_local! {
    /// The caller of the request being answered, for [`BoundedSessions::create_session`] (which
    /// rmcp calls inside that request without handing it over); see [`opened_by`].
    static OPENER: CallerKey;
}

/// Run `future` (the answer to a request that may open a session) as `caller`'s.
pub(super) async fn opened_by<F: std::future::Future>(caller: CallerKey, future: F) -> F::Output {
    OPENER.scope(caller, future).await
}

/// Why a session operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SessionsError {
    #[error("all {0} sessions are answering requests (--max-sessions); retry shortly")]
    Full(usize),
    #[error(
        "all {0} of your sessions are answering requests (--max-sessions-per-caller); retry \
         once one has finished"
    )]
    CallerFull(usize),
    #[error(transparent)]
    Local(#[from] LocalSessionManagerError),
}

/// When a session was last used and how many of its requests are being answered.
struct Usage {
    last_used: Instant,
    busy: usize,
    owner: CallerKey,
}

/// A capped [`LocalSessionManager`] (see the module documentation).
pub struct BoundedSessions {
    inner: LocalSessionManager,
    max: usize,
    per_caller: usize,
    usage: Arc<Mutex<HashMap<SessionId, Usage>>>,
    /// Creations one at a time, so that two new clients cannot both take the last place.
    creating: tokio::sync::Mutex<()>,
}

impl BoundedSessions {
    pub fn new(max: usize, per_caller: usize, idle: Duration) -> Self {
        let mut inner = LocalSessionManager::default();
        // rmcp's worker closes a session that has seen no message for this long.
        inner.session_config.keep_alive = Some(idle);
        BoundedSessions {
            inner,
            max,
            per_caller,
            usage: Arc::default(),
            creating: tokio::sync::Mutex::new(()),
        }
    }

    /// Why `caller` could not open a session now, if it could not (at a cap, a session it may
    /// close must be idle).
    pub fn refuses_new(&self, caller: &CallerKey) -> Option<SessionsError> {
        self.victim(caller).err()
    }

    /// Whether `caller` may use session `id`: its own, or one this server does not hold (which
    /// rmcp answers 404).
    pub fn belongs_to(&self, id: &str, caller: &CallerKey) -> bool {
        self.lock()
            .get(&SessionId::from(id))
            .is_none_or(|usage| usage.owner == *caller)
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

    /// The session to close before `caller` opens one: none under the caps; at its own quota
    /// its least recently used idle session; at the global cap the least recently used idle
    /// session of the caller holding the most. `Err` when those are all busy.
    fn victim(&self, caller: &CallerKey) -> Result<Option<SessionId>, SessionsError> {
        let usage = self.lock();
        let idle = || usage.iter().filter(|(_, u)| u.busy == 0);
        if caller.is_named() {
            let own = usage.values().filter(|u| u.owner == *caller).count();
            if own >= self.per_caller {
                return idle()
                    .filter(|(_, u)| u.owner == *caller)
                    .min_by_key(|(_, u)| u.last_used)
                    .map(|(id, _)| Some(id.clone()))
                    .ok_or(SessionsError::CallerFull(self.per_caller));
            }
        }
        if usage.len() < self.max {
            return Ok(None);
        }
        let mut held: HashMap<&CallerKey, usize> = HashMap::new();
        for u in usage.values() {
            *held.entry(&u.owner).or_default() += 1;
        }
        idle()
            .min_by_key(|(_, u)| (std::cmp::Reverse(held[&u.owner]), u.last_used))
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

/// Session admission, inside the layer that names the caller: a session id of another caller's
/// is answered 404 as an unknown one is (POST, GET and DELETE alike), and a request that would
/// open a session (a POST without `Mcp-Session-Id`) when the caller's or the server's sessions
/// are all busy is told to come back (503), rather than failing inside rmcp with a 500.
pub(super) async fn admit_session(
    State(sessions): State<Arc<BoundedSessions>>,
    request: Request,
    next: Next,
) -> Response {
    let caller = request
        .extensions()
        .get::<CallerKey>()
        .cloned()
        .unwrap_or_default();
    if let Some(id) = request.headers().get("mcp-session-id") {
        if !sessions.belongs_to(&String::from_utf8_lossy(id.as_bytes()), &caller) {
            tracing::info!("refused a session id of another caller's (answered as unknown)");
            // rmcp's own words for an unknown session, so that the two cannot be told apart.
            return refusal(
                StatusCode::NOT_FOUND,
                "Not Found: Session not found".to_string(),
            );
        }
        return next.run(request).await;
    }
    if request.method() == Method::POST {
        if let Some(refused) = sessions.refuses_new(&caller) {
            return busy(refused.to_string());
        }
    }
    opened_by(caller, next.run(request)).await
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
        let owner = OPENER.try_with(CallerKey::clone).unwrap_or_default();
        if let Some(victim) = self.victim(&owner)? {
            tracing::info!(
                max_sessions = self.max,
                max_sessions_per_caller = self.per_caller,
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
                owner,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> CallerKey {
        CallerKey::Named(name.into())
    }

    async fn open(sessions: &BoundedSessions, caller: &CallerKey) -> SessionId {
        opened_by(caller.clone(), sessions.create_session())
            .await
            .unwrap()
            .0
    }

    async fn holds(sessions: &BoundedSessions, id: &SessionId) -> bool {
        sessions.has_session(id).await.unwrap()
    }

    #[tokio::test]
    async fn a_session_is_its_openers_and_nobody_elses() {
        let sessions = BoundedSessions::new(10, 5, Duration::from_secs(60));
        let (a, b) = (named("a"), named("b"));
        let id = open(&sessions, &a).await;
        assert!(sessions.belongs_to(&id, &a));
        assert!(!sessions.belongs_to(&id, &b));
        assert!(!sessions.belongs_to(&id, &CallerKey::Operator));
        assert!(
            sessions.belongs_to("not-held", &b),
            "rmcp answers unknown ids"
        );
    }

    #[tokio::test]
    async fn a_caller_at_its_quota_closes_its_own_sessions_only() {
        let sessions = BoundedSessions::new(10, 3, Duration::from_secs(60));
        let (a, b) = (named("a"), named("b"));
        let bs = open(&sessions, &b).await;
        let first_of_a = open(&sessions, &a).await;
        for _ in 0..10 {
            open(&sessions, &a).await;
        }
        assert!(holds(&sessions, &bs).await, "b's session survives a's ten");
        assert!(!holds(&sessions, &first_of_a).await);
        assert_eq!(sessions.lock().len(), 4, "a holds its quota of 3, b its 1");
        // With all of a's busy, a is refused (and b is not).
        let busy: Vec<_> = sessions
            .lock()
            .iter()
            .filter(|(_, u)| u.owner == a)
            .map(|(id, _)| id.clone())
            .collect();
        let _guards: Vec<_> = busy.iter().map(|id| sessions.busy(id)).collect();
        assert!(matches!(
            sessions.refuses_new(&a),
            Some(SessionsError::CallerFull(3))
        ));
        assert!(sessions.refuses_new(&b).is_none());
    }

    #[tokio::test]
    async fn at_the_global_cap_the_caller_holding_most_gives_one_up() {
        let sessions = BoundedSessions::new(4, 3, Duration::from_secs(60));
        let (a, b, c) = (named("a"), named("b"), named("c"));
        let bs = open(&sessions, &b).await;
        for _ in 0..3 {
            open(&sessions, &a).await;
        }
        open(&sessions, &c).await;
        assert!(holds(&sessions, &bs).await, "b's older session is kept");
        let owners: Vec<_> = sessions.lock().values().map(|u| u.owner.clone()).collect();
        assert_eq!(owners.iter().filter(|o| **o == a).count(), 2);
        // The operator (static token, no auth) has no quota of its own, only the cap.
        let operator = CallerKey::Operator;
        for _ in 0..4 {
            open(&sessions, &operator).await;
        }
        assert_eq!(sessions.lock().len(), 4);
    }
}
