//! Live updates of flow-run resources: a client that subscribes to `prefect://flow-runs/{id}`
//! gets `notifications/resources/updated` when the run's state changes.
//!
//! Both protocol eras are served by bounded polling: every [`POLL_INTERVAL`], one Prefect
//! request reads all the watched runs of a session (a filter by ids), however many there are;
//! a run leaves the poll set once it is final (it cannot change again) or Prefect no longer has
//! it. A session watches at most [`MAX_SUBSCRIPTIONS`] runs, as many as one request returns.
//! - 2025 (`resources/subscribe` / `resources/unsubscribe`): one registry per session and one
//!   poll loop for all its subscriptions, started by the first subscription and ended when the
//!   last one is removed or the client goes away (its transport closes);
//! - 2026-07-28 (`subscriptions/listen`): each listen request polls its own URIs until the
//!   client cancels it or goes away.
//!
//! Nothing outlives the session: each loop checks its end condition on every tick.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rmcp::service::{Peer, SubscriptionContext};
use rmcp::RoleServer;
use uuid::Uuid;

use super::resources::{self, Target};
use crate::errors::{ArgumentError, ToolError};
use crate::output::FlowRunView;
use crate::prefect::query::MAX_LIMIT;
use crate::prefect::Prefect;
use prefect_api::PrefectError;

pub const POLL_INTERVAL: Duration = Duration::from_millis(1500);

/// The most flow runs one session watches: as many as one Prefect filter request returns, so
/// that a poll is always one request.
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

/// Watched runs by URI: which run, and what was last seen of it.
type Watched = HashMap<String, (Uuid, Seen)>;

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

/// Read every watched run in one request; the URIs of those whose state changed. Final runs,
/// and runs Prefect no longer has, leave `watched`. A failed read changes nothing: it is
/// retried at the next tick (Prefect may be briefly unavailable).
async fn changed(prefect: &Prefect, watched: &mut Watched) -> Vec<String> {
    if watched.is_empty() {
        return Vec::new();
    }
    let ids: Vec<Uuid> = watched.values().map(|(id, _)| *id).collect();
    let runs = match prefect.flow_runs_by_ids(&ids).await {
        Ok(runs) => runs,
        Err(error) => {
            tracing::debug!(runs = ids.len(), error = %error.message(), "polling subscribed runs");
            return Vec::new();
        }
    };
    let now: HashMap<Uuid, Seen> = runs.iter().map(|run| (run.id, Seen::from(run))).collect();
    let mut updated = Vec::new();
    watched.retain(|uri, (id, seen)| {
        let Some(current) = now.get(id) else {
            return false;
        };
        if current != seen {
            *seen = current.clone();
            updated.push(uri.clone());
        }
        !seen.is_final
    });
    updated
}

/// The 2025-era subscriptions of one session.
#[derive(Clone, Default)]
pub struct Subscriptions {
    state: Arc<Mutex<Registry>>,
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
            registry.watched.insert(uri.to_string(), (id, seen));
            registry.prefect = Some(prefect);
            !std::mem::replace(&mut registry.polling, true)
        };
        if start {
            tokio::spawn(self.clone().poll(peer));
        }
        Ok(())
    }

    pub fn unsubscribe(&self, uri: &str) {
        self.registry().watched.remove(uri);
    }

    fn stop(&self) {
        let mut registry = self.registry();
        registry.watched.clear();
        registry.polling = false;
    }

    /// The session's loop: ends when no subscription is left or the client is gone.
    async fn poll(self, peer: Peer<RoleServer>) {
        loop {
            tokio::time::sleep(POLL_INTERVAL).await;
            // Poll a copy, so that the lock is never held across a request.
            let (mut batch, prefect) = {
                let mut registry = self.registry();
                let prefect = registry.prefect.clone();
                match prefect {
                    Some(prefect)
                        if !registry.watched.is_empty() && !peer.is_transport_closed() =>
                    {
                        (registry.watched.clone(), prefect)
                    }
                    _ => {
                        registry.watched.clear();
                        registry.polling = false;
                        return;
                    }
                }
            };
            let polled: Vec<String> = batch.keys().cloned().collect();
            let updated = changed(&prefect, &mut batch).await;
            {
                // Subscriptions removed meanwhile stay removed, ones added meanwhile stay, and
                // polled runs that are final or gone leave.
                let mut registry = self.registry();
                registry
                    .watched
                    .retain(|uri, current| match batch.get(uri) {
                        Some(seen) => {
                            *current = seen.clone();
                            true
                        }
                        None => !polled.contains(uri),
                    });
            }
            for uri in updated {
                let note = rmcp::model::ResourceUpdatedNotificationParam::new(uri);
                if peer.notify_resource_updated(note).await.is_err() {
                    self.stop();
                    return;
                }
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
                watched.insert(uri, (id, Seen::from(&run)));
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
                watched.insert(uri, (id, Seen::unknown()));
            }
            Err(error) => tracing::info!(uri, error = %error.message(), "not watching"),
        }
    }
    loop {
        tokio::select! {
            _ = context.cancelled() => return,
            _ = tokio::time::sleep(POLL_INTERVAL) => {}
        }
        if context.request_context().peer.is_transport_closed() {
            return;
        }
        for uri in changed(&prefect, &mut watched).await {
            if context.sink().notify_resource_updated(uri).await.is_err() {
                return;
            }
        }
    }
}
