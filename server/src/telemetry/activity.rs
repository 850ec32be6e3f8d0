//! What the server is doing besides answering calls: runs watched (by waits, subscriptions and
//! tasks), resource subscriptions, live event streams, and the questions put to people. The
//! layers report it through [`super::counted`]; nothing is kept while metrics are off.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QuestionLabels {
    /// asked, accepted, declined or cancelled.
    outcome: &'static str,
}

/// The gauges and counters of [`activity`](self), registered with the other metrics.
pub struct Activity {
    pub(super) watched_runs: Gauge,
    pub(super) subscriptions: Gauge,
    pub(super) live_event_streams: Gauge,
    questions: Family<QuestionLabels, Counter>,
}

impl Activity {
    pub(super) fn register(registry: &mut Registry) -> Self {
        let watched_runs = Gauge::default();
        registry.register(
            "prefect_watched_flow_runs",
            "Watches of flow runs held now by waits, subscriptions and tasks",
            watched_runs.clone(),
        );
        let subscriptions = Gauge::default();
        registry.register(
            "mcp_server_resource_subscriptions",
            "Resources clients are subscribed to now (resources/subscribe)",
            subscriptions.clone(),
        );
        let live_event_streams = Gauge::default();
        registry.register(
            "prefect_event_streams_live",
            "Prefect event streams delivering now (one per credential with watches); 0 while \
             watches poll instead",
            live_event_streams.clone(),
        );
        let questions = Family::<QuestionLabels, Counter>::default();
        registry.register(
            "mcp_server_questions",
            "Questions put to people (elicitation), and their answers, by outcome",
            questions.clone(),
        );
        Activity {
            watched_runs,
            subscriptions,
            live_event_streams,
            questions,
        }
    }

    pub(super) fn question(&self, outcome: &'static str) {
        self.questions
            .get_or_create(&QuestionLabels { outcome })
            .inc();
    }
}
