//! Live updates of flow-run resources: a client that subscribes to `prefect://flow-runs/{id}`
//! gets `notifications/resources/updated` when the run's state changes.
//!
//! Both protocol eras wake on Prefect's events ([`Prefect::watch_run`]: one event stream per
//! credential for the whole process, with its own reconciling reads and polling fallback), so a
//! watched run costs Prefect nothing while it does not change. A run stops being watched once
//! it is final (it cannot change again). A session watches at most [`MAX_SUBSCRIPTIONS`] runs.
//! - 2025 (`resources/subscribe` / `resources/unsubscribe`): one registry per session and one
//!   loop for all its subscriptions, started by the first subscription and ended when the last
//!   one is removed or the client goes away (its transport closes);
//! - 2026-07-28 (`subscriptions/listen`): each listen request watches its own URIs until the
//!   client cancels it or goes away.
//!
//! Nothing outlives the session: each loop checks its end condition every [`CHECK_INTERVAL`]
//! (without asking Prefect anything).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::future::{pending, select_all};
use rmcp::service::{Peer, SubscriptionContext};
use rmcp::RoleServer;
use uuid::Uuid;

use super::resources::{self, Target};
use crate::errors::{ArgumentError, ToolError};
use crate::output::FlowRunView;
use crate::prefect::query::MAX_LIMIT;
use crate::prefect::run_events::{self, RunWatch};
use crate::prefect::{Prefect, PrefectError};
use crate::telemetry::Counted;

/// How often a loop looks whether its client is still there (and, for 2025, at its registry).
pub const CHECK_INTERVAL: Duration = Duration::from_millis(1500);

/// The most flow runs one session watches: as many as one Prefect filter request returns, so
/// that a reconciling read is always one request.
pub const MAX_SUBSCRIPTIONS: usize = MAX_LIMIT as usize;

/// What was last seen of a run: its state (the run leaves the poll set once it is final).
#[derive(Clone, Debug, PartialEq)]
struct Seen {
    state: Option<(
        String,
        Option<String>,
        Option<chrono::DateTime<chrono::Utc>>,
    )>,
    is_final: bool,
}

impl Seen {
    /// Not read yet: any state the next poll finds differs from it.
    fn unknown() -> Self {
        Seen {
            state: None,
            is_final: false,
        }
    }
}

impl From<&FlowRunView> for Seen {
    fn from(run: &FlowRunView) -> Self {
        Seen {
            state: run
                .state
                .as_ref()
                .map(|s| (s.type_.clone(), s.name.clone(), s.timestamp)),
            is_final: run.is_final(),
        }
    }
}

impl From<&run_events::Seen> for Seen {
    fn from(news: &run_events::Seen) -> Self {
        match &news.run {
            Some(run) => Seen::from(run),
            None => Seen {
                state: Some((
                    news.state.type_.clone(),
                    news.state.name.clone(),
                    news.state.timestamp,
                )),
                is_final: crate::output::FINAL_STATE_TYPES.contains(&news.state.type_.as_str()),
            },
        }
    }
}

/// Watched runs by URI: which run, and what was last seen of it.
type Watched = HashMap<String, (Uuid, Seen, Counted)>;

/// The flow run a subscribable URI names; only flow runs change on their own.
pub fn subscribable(uri: &str) -> Result<Uuid, ToolError> {
    match resources::parse(uri)? {
        Target::FlowRun(id) => Ok(id),
        _ => Err(ArgumentError::NotSubscribable {
            uri: uri.to_string(),
        }
        .into()),
    }
}

/// The watches of a loop, by URI, kept to the URIs of `watched`.
type Watches = HashMap<String, RunWatch>;

/// Watch exactly the runs of `watched` (new ones start, removed ones stop).
fn sync_watches(prefect: &Prefect, watched: &Watched, watches: &mut Watches) {
    watches.retain(|uri, _| watched.contains_key(uri));
    for (uri, (id, _, _)) in watched {
        if !watches.contains_key(uri) {
            watches.insert(uri.clone(), prefect.watch_run(*id));
        }
    }
}

/// The next news of any watched run, with its URI (pending while nothing is watched).
async fn next_news(watches: &mut Watches) -> (String, run_events::Seen) {
    if watches.is_empty() {
        return pending().await;
    }
    let each = watches
        .iter_mut()
        .map(|(uri, watch)| Box::pin(async move { (uri.clone(), watch.next().await) }));
    select_all(each).await.0
}

/// Record `news` of `uri` in `watched`: whether the client must hear of it (its state changed;
/// news older than what was seen is dropped). A final run leaves `watched` (it cannot change
/// again).
fn learn(watched: &mut Watched, uri: &str, news: &run_events::Seen) -> bool {
    let current = Seen::from(news);
    let Some((_, seen, _)) = watched.get_mut(uri) else {
        return false;
    };
    let timestamp = |seen: &Seen| seen.state.as_ref().and_then(|s| s.2);
    if matches!((timestamp(seen), timestamp(&current)), (Some(known), Some(heard)) if heard < known)
    {
        return false;
    }
    let changed = *seen != current;
    *seen = current;
    if seen.is_final {
        watched.remove(uri);
    }
    changed
}

/// The 2025-era subscriptions of one session.
#[derive(Clone, Default)]
pub struct Subscriptions {
    state: Arc<Mutex<Registry>>,
    /// Wakes the session's loop when a subscription comes or goes.
    changed: Arc<tokio::sync::Notify>,
}

#[derive(Default)]
struct Registry {
    watched: Watched,
    /// The Prefect of the latest subscription (per-request credentials may change it).
    prefect: Option<Prefect>,
    polling: bool,
}

impl Subscriptions {
    fn registry(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Subscribe `peer` to `uri`, starting the session's poll loop if it is not running. A run
    /// that is already final is accepted and not polled (it cannot change).
    pub async fn subscribe(
        &self,
        uri: &str,
        prefect: Prefect,
        peer: Peer<RoleServer>,
    ) -> Result<(), ToolError> {
        let id = subscribable(uri)?;
        {
            let registry = self.registry();
            if registry.watched.len() >= MAX_SUBSCRIPTIONS && !registry.watched.contains_key(uri) {
                return Err(ArgumentError::TooManySubscriptions {
                    max: MAX_SUBSCRIPTIONS,
                }
                .into());
            }
        }
        let seen = Seen::from(&prefect.read_flow_run(id).await?);
        if seen.is_final {
            return Ok(());
        }
        let start = {
            let mut registry = self.registry();
            if registry.watched.len() >= MAX_SUBSCRIPTIONS && !registry.watched.contains_key(uri) {
                return Err(ArgumentError::TooManySubscriptions {
                    max: MAX_SUBSCRIPTIONS,
                }
                .into());
            }
            // A second subscription to the same URI refreshes it and counts once.
            match registry.watched.get_mut(uri) {
                Some(subscribed) => subscribed.1 = seen,
                None => {
                    let counted = Counted::subscription();
                    registry
                        .watched
                        .insert(uri.to_string(), (id, seen, counted));
                }
            }
            registry.prefect = Some(prefect);
            !std::mem::replace(&mut registry.polling, true)
        };
        if start {
            tokio::spawn(self.clone().poll(peer));
        } else {
            self.changed.notify_one();
        }
        Ok(())
    }

    pub fn unsubscribe(&self, uri: &str) {
        self.registry().watched.remove(uri);
        self.changed.notify_one();
    }

    fn stop(&self) {
        let mut registry = self.registry();
        registry.watched.clear();
        registry.polling = false;
    }

    /// The session's loop: ends when no subscription is left or the client is gone.
    async fn poll(self, peer: Peer<RoleServer>) {
        let mut watches = Watches::new();
        loop {
            // Watch what the registry holds now (subscriptions come and go meanwhile).
            {
                let mut registry = self.registry();
                match registry.prefect.clone() {
                    Some(prefect)
                        if !registry.watched.is_empty() && !peer.is_transport_closed() =>
                    {
                        sync_watches(&prefect, &registry.watched, &mut watches);
                    }
                    _ => {
                        registry.watched.clear();
                        registry.polling = false;
                        return;
                    }
                }
            }
            let news = tokio::select! {
                news = next_news(&mut watches) => news,
                _ = tokio::time::sleep(CHECK_INTERVAL) => continue,
                _ = self.changed.notified() => continue,
            };
            let (uri, news) = news;
            if !learn(&mut self.registry().watched, &uri, &news) {
                continue;
            }
            let note = rmcp::model::ResourceUpdatedNotificationParam::new(uri);
            if peer.notify_resource_updated(note).await.is_err() {
                self.stop();
                return;
            }
        }
    }
}

/// Serve one `subscriptions/listen` stream: poll its flow runs (at most [`MAX_SUBSCRIPTIONS`])
/// until the client cancels it, the stream closes, or the client goes away.
pub async fn listen(context: SubscriptionContext, prefect: Prefect) {
    let uris = context
        .accepted()
        .resource_subscriptions
        .clone()
        .unwrap_or_default();
    let mut watched = Watched::new();
    for uri in uris {
        if watched.len() >= MAX_SUBSCRIPTIONS {
            tracing::info!(
                max = MAX_SUBSCRIPTIONS,
                "listen: runs past the cap are not watched"
            );
            break;
        }
        let Ok(id) = subscribable(&uri) else { continue };
        match prefect.read_flow_run(id).await {
            Ok(run) if !run.is_final() => {
                watched.insert(uri, (id, Seen::from(&run), Counted::subscription()));
            }
            Ok(_) => {}
            // A first read that failed for a passing reason (Prefect busy or briefly away) must
            // not drop the run: the client was told it is watched and would wait for ever. The
            // next poll reads it and, whatever its state, reports it as updated.
            Err(
                error @ ToolError::Prefect {
                    source:
                        PrefectError::Unreachable { .. }
                        | PrefectError::Timeout { .. }
                        | PrefectError::Server { .. },
                    ..
                },
            ) => {
                tracing::info!(uri, error = %error.message(), "first read failed; watching");
                watched.insert(uri, (id, Seen::unknown(), Counted::subscription()));
            }
            Err(error) => tracing::info!(uri, error = %error.message(), "not watching"),
        }
    }
    let mut watches = Watches::new();
    sync_watches(&prefect, &watched, &mut watches);
    loop {
        let (uri, news) = tokio::select! {
            _ = context.cancelled() => return,
            news = next_news(&mut watches) => news,
            _ = tokio::time::sleep(CHECK_INTERVAL) => {
                if context.request_context().peer.is_transport_closed() {
                    return;
                }
                continue;
            }
        };
        let changed = learn(&mut watched, &uri, &news);
        if !watched.contains_key(&uri) {
            watches.remove(&uri);
        }
        if changed && context.sink().notify_resource_updated(uri).await.is_err() {
            return;
        }
    }
}
