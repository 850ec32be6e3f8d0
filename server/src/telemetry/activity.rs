//! What the server is doing besides answering calls: runs watched (by waits, subscriptions and
//! tasks), resource subscriptions, live event streams, and the questions put to people. The
//! layers report it through [`super::counted`]; nothing is kept while metrics are off.

use opentelemetry::KeyValue;
use prometheus_client::encoding::EncodeLabelSet;

use super::instruments::{Attributes, Level, Registrar, Tally};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QuestionLabels {
    /// asked, accepted, declined or cancelled.
    outcome: &'static str,
}

impl Attributes for QuestionLabels {
    fn attributes(&self) -> Vec<KeyValue> {
        vec![KeyValue::new("outcome", self.outcome)]
    }
}

/// The levels and counts of [`activity`](self), declared with the other metrics.
pub struct Activity {
    pub(super) watched_runs: Level,
    pub(super) subscriptions: Level,
    pub(super) live_event_streams: Level,
    questions: Tally<QuestionLabels>,
}

impl Activity {
    pub(super) fn declare(declare: &mut Registrar) -> Self {
        Activity {
            watched_runs: declare.level(
                "prefect.watched_flow_runs",
                "Watches of flow runs held now by waits, subscriptions and tasks",
            ),
            subscriptions: declare.level(
                "mcp.server.resource_subscriptions",
                "Resources clients are subscribed to now (resources/subscribe)",
            ),
            live_event_streams: declare.level(
                "prefect.event_streams_live",
                "Prefect event streams delivering now (one per credential with watches); 0 while \
                 watches poll instead",
            ),
            questions: declare.tally(
                "mcp.server.questions",
                "Questions put to people (elicitation), and their answers, by outcome",
            ),
        }
    }

    pub(super) fn question(&self, outcome: &'static str) {
        self.questions.count(&QuestionLabels { outcome });
    }
}
