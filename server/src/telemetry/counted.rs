//! How the layers report what they do besides answering calls (see [`super::activity`]): a
//! [`Counted`] guard beside each watch and subscription, and one call per question or answer
//! and per event stream going live or not.

use super::activity::Activity;
use super::instruments::Level;
use super::metrics::metrics;

/// Counted in a gauge while it lives: a watch of a flow run, or a resource subscription. Kept
/// beside what it counts, so that every way that thing ends (removed, replaced, its session
/// gone) uncounts it.
#[derive(Debug)]
pub struct Counted {
    gauge: Option<fn(&Activity) -> &Level>,
}

impl Counted {
    fn new(gauge: fn(&Activity) -> &Level) -> Self {
        let Some(metrics) = metrics() else {
            return Counted { gauge: None };
        };
        gauge(&metrics.activity).add(1);
        Counted { gauge: Some(gauge) }
    }

    /// A watch of a flow run.
    pub fn watched_run() -> Self {
        Self::new(|a| &a.watched_runs)
    }

    /// A resource subscription.
    pub fn subscription() -> Self {
        Self::new(|a| &a.subscriptions)
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        if let (Some(gauge), Some(metrics)) = (self.gauge, metrics()) {
            gauge(&metrics.activity).add(-1);
        }
    }
}

/// An event stream started (`true`) or stopped (`false`) delivering.
pub fn event_stream_live(live: bool) {
    if let Some(metrics) = metrics() {
        metrics
            .activity
            .live_event_streams
            .add(if live { 1 } else { -1 });
    }
}

/// A question asked, or its answer: `asked`, `accepted`, `declined`, `cancelled`.
pub fn question(outcome: &'static str) {
    if let Some(metrics) = metrics() {
        metrics.activity.question(outcome);
    }
}
