//! What the watched flow runs are doing, learned from Prefect's event stream instead of polling.
//!
//! One [`RunEvents`] per Prefect credential (it lives in [`Prefect`], which is one per
//! credential for the whole process), shared by every wait, subscription and task. The first
//! [`RunEvents::watch`] starts one driver task ([`driver`]) that keeps one websocket to
//! `/api/events/out` ([`socket`]), filtered by prefix server-side and matched to the watched runs
//! here; the driver ends, closing the websocket, when the last [`RunWatch`] is dropped.
//!
//! Nothing is missed: all watched runs after every (re)connect, and runs newly watched while the
//! stream is young, are read once by ids in one request, as events that happen while the socket
//! is down (or before Prefect applies the filter) are never delivered. A run newly watched on a
//! stream open for [`SETTLED`] is not read: the stream's events of the last [`RECENT`] are kept,
//! and the watcher, who read the run just before watching it, learns what changed since from
//! them. While polling, a new watch waits for the next poll. What is learned is ordered by the state's
//! timestamp, so a late read never rolls a run back. Where the websocket is refused or keeps
//! failing, the driver polls all watched runs in one request per interval instead.

mod driver;
mod socket;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::{watch, Notify};
use uuid::Uuid;

use super::Prefect;
use crate::output::{FlowRunView, StateView};
use crate::telemetry::{self, Counted};

/// What was last learned of a watched run: its state, and the whole run when it was read.
#[derive(Clone, Debug)]
pub struct Seen {
    pub state: StateView,
    /// `Some` when the run was read (after a (re)connect or in polling); `None` from an event.
    pub run: Option<FlowRunView>,
}

/// The watched runs of one credential, and the driver that keeps them up to date.
#[derive(Default)]
pub struct RunEvents {
    watched: Mutex<Watched>,
    /// Wakes the driver: runs to read, or none left to watch.
    changed: Notify,
}

#[derive(Default)]
struct Watched {
    runs: HashMap<Uuid, Entry>,
    /// Watched since the last read by ids: read them once the stream (or the poll) is there.
    unread: HashSet<Uuid>,
    /// Whether a driver task runs (at most one).
    driving: bool,
    /// Since when the stream has delivered events without a break (`None` while it does not).
    live_since: Option<Instant>,
    /// The newest state of every flow run the stream told of within [`RECENT`].
    recent: HashMap<Uuid, (StateView, Instant)>,
}

/// How long the stream's events are kept for runs watched later.
const RECENT: Duration = Duration::from_secs(30);
/// A run watched on a stream open this long is not read: its caller read it within this long
/// before watching it (a wait or subscription reads the run and watches it at once), so what
/// changed since is among the kept events.
const SETTLED: Duration = Duration::from_secs(5);
/// The most runs whose recent events are kept (a busy server's stream carries every run).
const RECENT_MAX: usize = 10_000;

impl Watched {
    /// Keep `state` of run `id` for runs watched later.
    fn remember(&mut self, id: Uuid, state: StateView) {
        let now = Instant::now();
        if self.recent.len() >= RECENT_MAX {
            self.recent
                .retain(|_, (_, at)| now.duration_since(*at) < RECENT);
            if self.recent.len() >= RECENT_MAX {
                // Too busy to remember: runs watched from now on are read instead.
                self.recent.clear();
                self.live_since = Some(now);
            }
        }
        self.recent.insert(id, (state, now));
    }
}

struct Entry {
    watchers: usize,
    news: watch::Sender<Option<Seen>>,
}

impl RunEvents {
    fn lock(&self) -> MutexGuard<'_, Watched> {
        self.watched.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The watched runs' ids.
    fn watched_ids(&self) -> Vec<Uuid> {
        self.lock().runs.keys().copied().collect()
    }

    /// The runs watched since the last read, now counted as read.
    fn take_unread(&self) -> Vec<Uuid> {
        self.lock().unread.drain().collect()
    }

    /// Whether no run is watched (the driver then winds down).
    fn idle(&self) -> bool {
        self.lock().runs.is_empty()
    }

    /// Stop driving if no run is watched, and say whether it stopped: under the same lock as a
    /// new watch starting a driver, so that no watch is left without one, nor two run at once.
    fn stop_if_idle(&self) -> bool {
        let mut watched = self.lock();
        if watched.runs.is_empty() {
            watched.driving = false;
            watched.unread.clear();
        }
        !watched.driving
    }

    /// Tell the watchers of `id` what was learned, unless they know of a newer state already.
    fn learn(&self, id: Uuid, seen: Seen) {
        let watched = self.lock();
        let Some(entry) = watched.runs.get(&id) else {
            return;
        };
        entry.news.send_if_modified(|known| {
            let older = known.as_ref().is_some_and(|known| {
                matches!((known.state.timestamp, seen.state.timestamp),
                    (Some(before), Some(now)) if now < before)
            });
            if !older {
                *known = Some(seen);
            }
            !older
        });
    }

    /// Whether any watched run is `id`.
    #[cfg(test)]
    fn watches(&self, id: &Uuid) -> bool {
        self.lock().runs.contains_key(id)
    }

    /// A state change the stream told of: its watchers learn it, and it is kept for a while.
    fn heard(&self, id: Uuid, state: StateView) {
        self.lock().remember(id, state.clone());
        self.learn(id, Seen { state, run: None });
    }

    /// The stream delivers from now on (`true`) or no longer (`false`).
    fn set_live(&self, live: bool) {
        let mut watched = self.lock();
        if watched.live_since.is_some() != live {
            telemetry::event_stream_live(live);
        }
        watched.live_since = live.then(Instant::now);
        watched.recent.clear();
    }
}

impl Prefect {
    /// Watch run `id`, which the caller has just read, until the returned [`RunWatch`] is
    /// dropped. The first watch of this credential opens the event stream. A change since the
    /// caller's read is learned from the kept events, or from one read of the new watches.
    pub fn watch_run(&self, id: Uuid) -> RunWatch {
        let events = self.run_events.clone();
        let (news, start_driver, recent) = {
            let mut watched = events.lock();
            let entry = watched.runs.entry(id).or_insert_with(|| Entry {
                watchers: 0,
                news: watch::Sender::new(None),
            });
            entry.watchers += 1;
            let mut news = entry.news.subscribe();
            // A second watcher of a run hears what the first already knows.
            if news.borrow().is_some() {
                news.mark_changed();
            }
            let heard_all_since = |since: &Instant| since.elapsed() >= SETTLED;
            if !watched.live_since.as_ref().is_some_and(heard_all_since) {
                watched.unread.insert(id);
            }
            let recent = watched.recent.get(&id).map(|(state, _)| state.clone());
            let start_driver = !std::mem::replace(&mut watched.driving, true);
            (news, start_driver, recent)
        };
        if let Some(state) = recent {
            events.learn(id, Seen { state, run: None });
        }
        if start_driver {
            tokio::spawn(driver::drive(self.clone()));
        } else {
            events.changed.notify_one();
        }
        RunWatch {
            id,
            news,
            events,
            _counted: Counted::watched_run(),
        }
    }
}

/// One watcher of one run; dropping it stops the watching (and the stream, if it was the last).
pub struct RunWatch {
    id: Uuid,
    news: watch::Receiver<Option<Seen>>,
    events: Arc<RunEvents>,
    _counted: Counted,
}

impl RunWatch {
    /// The next thing learned of the run (pending forever if nothing more is).
    pub async fn next(&mut self) -> Seen {
        loop {
            if self.news.changed().await.is_err() {
                return std::future::pending().await;
            }
            if let Some(seen) = self.news.borrow_and_update().clone() {
                return seen;
            }
        }
    }
}

impl Drop for RunWatch {
    fn drop(&mut self) {
        let mut watched = self.events.lock();
        let last = watched.runs.get_mut(&self.id).is_some_and(|entry| {
            entry.watchers -= 1;
            entry.watchers == 0
        });
        if last {
            watched.runs.remove(&self.id);
            watched.unread.remove(&self.id);
            if watched.runs.is_empty() {
                drop(watched);
                self.events.changed.notify_one();
            }
        }
    }
}

#[cfg(test)]
mod tests;
