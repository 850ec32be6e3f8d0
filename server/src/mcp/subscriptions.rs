//! Live updates of flow-run resources: a client that subscribes to `prefect://flow-runs/{id}`
//! gets `notifications/resources/updated` when the run's state changes.
//!
//! Both protocol eras are served by bounded polling of the subscribed runs (one request per run
//! every [`POLL_INTERVAL`]; a run stops being polled once it is final):
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
use crate::prefect::Prefect;

pub const POLL_INTERVAL: Duration = Duration::from_millis(1500);

/// What was last seen of a run: its state, and whether it is final (then it is not polled).
#[derive(Clone, Debug, PartialEq)]
struct Seen {
    state: Option<(
        String,
        Option<String>,
        Option<chrono::DateTime<chrono::Utc>>,
    )>,
    is_final: bool,
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

/// One watched run.
#[derive(Clone)]
struct Watched {
    id: Uuid,
    prefect: Prefect,
    seen: Seen,
}

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

async fn start_watching(prefect: Prefect, id: Uuid) -> Result<Watched, ToolError> {
    let run = prefect.read_flow_run(id).await?;
    Ok(Watched {
        id,
        prefect,
        seen: Seen::from(&run),
    })
}

/// Poll each unfinished run once; the URIs of those whose state changed. A failed read is
/// retried at the next tick (Prefect may be briefly unavailable).
async fn changed(watched: &mut [(String, Watched)]) -> Vec<String> {
    let mut updated = Vec::new();
    for (uri, w) in watched.iter_mut().filter(|(_, w)| !w.seen.is_final) {
        match w.prefect.read_flow_run(w.id).await {
            Ok(run) => {
                let seen = Seen::from(&run);
                if seen != w.seen {
                    w.seen = seen;
                    updated.push(uri.clone());
                }
            }
            Err(error) => {
                tracing::debug!(uri, error = %error.message(), "polling a subscribed run")
            }
        }
    }
    updated
}

/// The 2025-era subscriptions of one session.
#[derive(Clone, Default)]
pub struct Subscriptions {
    state: Arc<Mutex<Registry>>,
}

#[derive(Default)]
struct Registry {
    watched: HashMap<String, Watched>,
    polling: bool,
}

impl Subscriptions {
    fn registry(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Subscribe `peer` to `uri`, starting the session's poll loop if it is not running.
    pub async fn subscribe(
        &self,
        uri: &str,
        prefect: Prefect,
        peer: Peer<RoleServer>,
    ) -> Result<(), ToolError> {
        let id = subscribable(uri)?;
        let watched = start_watching(prefect, id).await?;
        let start = {
            let mut registry = self.registry();
            registry.watched.insert(uri.to_string(), watched);
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

    /// The session's loop: ends when no subscription is left or the client is gone.
    async fn poll(self, peer: Peer<RoleServer>) {
        loop {
            tokio::time::sleep(POLL_INTERVAL).await;
            // Poll a copy, so that the lock is never held across a request.
            let mut batch: Vec<(String, Watched)> = {
                let mut registry = self.registry();
                if registry.watched.is_empty() || peer.is_transport_closed() {
                    registry.watched.clear();
                    registry.polling = false;
                    return;
                }
                registry
                    .watched
                    .iter()
                    .map(|(uri, w)| (uri.clone(), w.clone()))
                    .collect()
            };
            let updated = changed(&mut batch).await;
            {
                // Subscriptions removed meanwhile stay removed.
                let mut registry = self.registry();
                for (uri, polled) in batch {
                    if let Some(current) = registry.watched.get_mut(&uri) {
                        current.seen = polled.seen;
                    }
                }
            }
            for uri in updated {
                if !self.registry().watched.contains_key(&uri) {
                    continue;
                }
                let note = rmcp::model::ResourceUpdatedNotificationParam::new(uri);
                if peer.notify_resource_updated(note).await.is_err() {
                    let mut registry = self.registry();
                    registry.watched.clear();
                    registry.polling = false;
                    return;
                }
            }
        }
    }
}

/// Serve one `subscriptions/listen` stream: poll its flow runs until the client cancels it,
/// the stream closes, or the client goes away.
pub async fn listen(context: SubscriptionContext, prefect: Prefect) {
    let uris = context
        .accepted()
        .resource_subscriptions
        .clone()
        .unwrap_or_default();
    let mut batch = Vec::new();
    for uri in uris {
        let Ok(id) = subscribable(&uri) else { continue };
        match start_watching(prefect.clone(), id).await {
            Ok(watched) => batch.push((uri, watched)),
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
        for uri in changed(&mut batch).await {
            if context.sink().notify_resource_updated(uri).await.is_err() {
                return;
            }
        }
    }
}
