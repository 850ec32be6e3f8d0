//! The one task per credential that keeps the watched runs up to date: the event stream while
//! it works, reconnecting with backoff, and polling in one request per interval while it does
//! not. It ends when nothing is watched.

use std::time::{Duration, Instant};

use tokio::time::sleep;

use super::socket::EventSocket;
use super::{RunEvents, Seen};
use crate::errors::event_stream::StreamError;
use crate::prefect::query::MAX_LIMIT;
use crate::prefect::Prefect;

/// The first pause before reconnecting; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(8);
/// Failures in a row after which polling takes over for [`POLLING_PERIOD`].
const FAILURES_BEFORE_POLLING: u32 = 3;
/// How long polling serves the waits before the stream is tried again.
const POLLING_PERIOD: Duration = Duration::from_secs(30);
/// Polls every second at first, then every 4 s at most (under the 5 s after which Prefect's
/// server drops an idle connection).
const FIRST_POLL: Duration = Duration::from_secs(1);
const MAX_POLL: Duration = Duration::from_secs(4);
/// Runs watched within this long of each other are read in one request.
const GATHER: Duration = Duration::from_millis(50);
/// A stream that stayed open this long was no failure.
const HEALTHY: Duration = Duration::from_secs(30);

/// Why the stream stopped serving.
enum Stopped {
    /// Nothing is watched any more.
    Idle,
    Failed(StreamError),
}

/// Run until nothing is watched.
pub(super) async fn drive(prefect: Prefect) {
    let events = prefect.run_events.clone();
    let mut failures = 0u32;
    let mut backoff = FIRST_BACKOFF;
    while !events.stop_if_idle() {
        let opened = EventSocket::open(prefect.api_url(), prefect.client.events_token()).await;
        let error = match opened {
            Ok(socket) => {
                let since = Instant::now();
                match serve(&prefect, &events, socket).await {
                    Stopped::Idle => continue,
                    Stopped::Failed(error) if since.elapsed() >= HEALTHY => {
                        tracing::debug!(%error, "event stream lost; reconnecting");
                        failures = 0;
                        backoff = FIRST_BACKOFF;
                        continue;
                    }
                    Stopped::Failed(error) => error,
                }
            }
            Err(error) => error,
        };
        failures += 1;
        if failures >= FAILURES_BEFORE_POLLING || matches!(error, StreamError::Refused { .. }) {
            tracing::debug!(
                %error,
                "no event stream from Prefect: waits and live updates poll every {}-{} s, and the stream is tried again in {} s",
                FIRST_POLL.as_secs(), MAX_POLL.as_secs(), POLLING_PERIOD.as_secs()
            );
            poll(&prefect, &events, POLLING_PERIOD).await;
            failures = 0;
            backoff = FIRST_BACKOFF;
        } else {
            tracing::debug!(%error, ?backoff, "event stream failed; reconnecting after a pause");
            // The watched runs are polled meanwhile, so a pause costs no news.
            poll(&prefect, &events, backoff).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }
    tracing::debug!("nothing watched: event stream closed");
}

/// Deliver the stream's events until it fails or nothing is watched. Every watched run is read
/// once after the subscription, and each newly watched run once after it is watched.
async fn serve(prefect: &Prefect, events: &RunEvents, mut socket: EventSocket) -> Stopped {
    tracing::debug!("event stream open: waits and live updates follow Prefect's events");
    events.set_live(true);
    events.lock().unread.clear();
    if let Err(error) = read_runs(prefect, events, events.watched_ids()).await {
        events.set_live(false);
        return Stopped::Failed(error);
    }
    loop {
        tokio::select! {
            next = socket.next() => match next {
                Ok(Some((id, state))) => events.heard(id, state),
                Ok(None) => {}
                Err(error) => {
                    events.set_live(false);
                    return Stopped::Failed(error);
                }
            },
            _ = events.changed.notified() => {
                if events.idle() {
                    events.set_live(false);
                    socket.close().await;
                    return Stopped::Idle;
                }
                sleep(GATHER).await;
                if let Err(error) = read_runs(prefect, events, events.take_unread()).await {
                    events.set_live(false);
                    return Stopped::Failed(error);
                }
            }
        }
    }
}

/// Poll all watched runs, in one request each time, for `period` or until nothing is watched.
async fn poll(prefect: &Prefect, events: &RunEvents, period: Duration) {
    let until = Instant::now() + period;
    let mut interval = FIRST_POLL;
    loop {
        events.lock().unread.clear();
        if let Err(error) = read_runs(prefect, events, events.watched_ids()).await {
            tracing::debug!(%error, "polling the watched flow runs failed; trying again");
        }
        let now = Instant::now();
        if now >= until {
            return;
        }
        // A new watch waits for the next poll (a run already final was answered by its
        // caller's own read); only the end of all watching cuts the pause short.
        let next_poll = tokio::time::Instant::from_std(now + interval.min(until - now));
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(next_poll) => break,
                _ = events.changed.notified() => if events.idle() {
                    return;
                },
            }
        }
        if Instant::now() >= until {
            return;
        }
        interval = (interval * 2).min(MAX_POLL);
    }
}

/// Read `ids` by id (one request per [`MAX_LIMIT`] runs) and tell their watchers.
async fn read_runs(
    prefect: &Prefect,
    events: &RunEvents,
    ids: Vec<uuid::Uuid>,
) -> Result<(), StreamError> {
    for chunk in ids.chunks(MAX_LIMIT as usize) {
        let runs = prefect
            .flow_runs_by_ids(chunk)
            .await
            .map_err(|e| StreamError::Reconcile {
                reason: e.message(),
            })?;
        for run in runs {
            if let Some(state) = run.state.clone() {
                events.learn(
                    run.id,
                    Seen {
                        state,
                        run: Some(run),
                    },
                );
            }
        }
    }
    Ok(())
}
