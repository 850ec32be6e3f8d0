//! The metrics, served at `/metrics` in Prometheus (OpenMetrics) text format.
//!
//! Names follow OpenTelemetry's, with Prometheus's translation (dots to underscores, the unit
//! as a suffix): `mcp.server.operation.duration` is `mcp_server_operation_duration_seconds`.
//! Every label takes values from a bounded set (methods, tool names from the router, outcomes,
//! Prefect API operations, HTTP status codes), never ids nor client-chosen strings, so the
//! number of series stays bounded whatever clients send.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use opentelemetry::KeyValue;
use prefect_api::{RequestObserver, RequestOutcome, RequestSpan, RequestStart};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::registry::Registry;

use super::activity::Activity;
use super::instruments::{Attributes, DeclaredMetric, Level, NoLabels, Registrar, Tally, Timing};
use super::metric_export::meter;

/// The tool label of a call to a tool the server does not offer: one value for any name.
pub const UNKNOWN_TOOL: &str = "_unknown";

/// The tool label of a call: its name when the router offers it, [`UNKNOWN_TOOL`] for any
/// other name a client sends.
pub fn tool_label(offered: bool, name: &str) -> String {
    if offered { name } else { UNKNOWN_TOOL }.to_string()
}

/// What `/metrics` answers with.
pub const METRICS_CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The buckets the MCP conventions advise for operation and session durations, in seconds.
const DURATION_BUCKETS: &[f64] = &[
    0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0,
];
const SESSION_BUCKETS: &[f64] = &[
    1.0, 10.0, 60.0, 300.0, 600.0, 1800.0, 3600.0, 7200.0, 14400.0, 86400.0,
];
/// Prefect requests: OpenTelemetry's advice for HTTP client durations.
const HTTP_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    mcp_method_name: &'static str,
    gen_ai_tool_name: String,
    /// Empty when the operation succeeded.
    error_type: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WriteLabels {
    gen_ai_tool_name: String,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PrefectLabels {
    operation: &'static str,
    http_request_method: &'static str,
    /// The status of Prefect's answer, or `none` when it gave none.
    http_response_status_code: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PrefectErrorLabels {
    operation: &'static str,
    error_type: &'static str,
}

impl Attributes for OperationLabels {
    fn attributes(&self) -> Vec<KeyValue> {
        vec![
            KeyValue::new("mcp.method.name", self.mcp_method_name),
            KeyValue::new("gen_ai.tool.name", self.gen_ai_tool_name.clone()),
            KeyValue::new("error.type", self.error_type),
        ]
    }
}

impl Attributes for WriteLabels {
    fn attributes(&self) -> Vec<KeyValue> {
        vec![
            KeyValue::new("gen_ai.tool.name", self.gen_ai_tool_name.clone()),
            KeyValue::new("outcome", self.outcome),
        ]
    }
}

impl Attributes for PrefectLabels {
    fn attributes(&self) -> Vec<KeyValue> {
        vec![
            KeyValue::new("operation", self.operation),
            KeyValue::new("http.request.method", self.http_request_method),
            KeyValue::new("http.response.status_code", self.http_response_status_code),
        ]
    }
}

impl Attributes for PrefectErrorLabels {
    fn attributes(&self) -> Vec<KeyValue> {
        vec![
            KeyValue::new("operation", self.operation),
            KeyValue::new("error.type", self.error_type),
        ]
    }
}

/// Every metric the server keeps.
pub struct Metrics {
    registry: Registry,
    declared: Vec<DeclaredMetric>,
    operation_duration: Timing<OperationLabels>,
    session_duration: Timing<NoLabels>,
    sessions: Level,
    writes: Tally<WriteLabels>,
    prefect_duration: Timing<PrefectLabels>,
    prefect_errors: Tally<PrefectErrorLabels>,
    prefect_in_flight: Level,
    pub(super) activity: Activity,
}

impl Metrics {
    fn new() -> Self {
        let mut registry = Registry::default();
        let mut declare = Registrar {
            registry: &mut registry,
            meter: meter(),
            declared: Vec::new(),
        };
        let operation_duration = declare.timing(
            "mcp.server.operation.duration",
            "MCP requests answered (mcp.server.operation.duration): by method, tool and error type",
            DURATION_BUCKETS,
        );
        let session_duration = declare.timing(
            "mcp.server.session.duration",
            "MCP sessions ended (mcp.server.session.duration), from opening to closing",
            SESSION_BUCKETS,
        );
        let sessions = declare.level("mcp.server.sessions", "MCP sessions open now");
        let writes = declare.tally(
            "mcp.server.tool_writes",
            "Calls of tools that change Prefect, by tool and outcome",
        );
        let prefect_duration = declare.timing(
            "prefect.client.request.duration",
            "Requests to Prefect, retries included: by API operation, method and status",
            HTTP_BUCKETS,
        );
        let prefect_errors = declare.tally(
            "prefect.client.request.errors",
            "Requests to Prefect that failed (no answer, or a status of 400 or more)",
        );
        let prefect_in_flight = declare.level(
            "prefect.client.requests_in_flight",
            "Requests to Prefect sent or waiting for their turn now",
        );
        let activity = Activity::declare(&mut declare);
        let declared = declare.declared;
        Metrics {
            declared,
            activity,
            registry,
            operation_duration,
            session_duration,
            sessions,
            writes,
            prefect_duration,
            prefect_errors,
            prefect_in_flight,
        }
    }

    /// Every metric, in the order declared.
    pub fn declared(&self) -> &[DeclaredMetric] {
        &self.declared
    }

    /// One MCP `tools/call` answered. `tool` is a name the router offers, or [`UNKNOWN_TOOL`];
    /// `outcome` is the dispatch's (`ok`, `error`, `input_required`, `task`, `protocol_error`).
    pub fn tool_call(&self, tool: &str, writes: bool, outcome: &'static str, seconds: f64) {
        let error_type = match outcome {
            "ok" | "input_required" | "task" => "",
            // The conventions' value for a tool result with isError.
            "error" => "tool_error",
            other => other,
        };
        self.operation_duration.record(
            &OperationLabels {
                mcp_method_name: "tools/call",
                gen_ai_tool_name: tool.to_string(),
                error_type,
            },
            seconds,
        );
        if writes {
            self.writes.count(&WriteLabels {
                gen_ai_tool_name: tool.to_string(),
                outcome,
            });
        }
    }
}

/// The Prefect client's requests, counted ([`prefect_api::ClientBuilder::observer`]).
pub struct PrefectRequests;

impl RequestObserver for PrefectRequests {
    fn started(&self, _operation: &'static str) {
        if let Some(metrics) = metrics() {
            metrics.prefect_in_flight.add(1);
        }
    }

    fn finished(&self, outcome: &RequestOutcome) {
        let Some(metrics) = metrics() else { return };
        metrics.prefect_in_flight.add(-1);
        let status = outcome.status.map_or("none", status_label);
        metrics.prefect_duration.record(
            &PrefectLabels {
                operation: outcome.operation,
                http_request_method: outcome.method,
                http_response_status_code: status,
            },
            outcome.duration.as_secs_f64(),
        );
        let error_type = match (outcome.failure, outcome.status) {
            (Some(failure), _) => failure,
            (None, Some(code)) if code >= 400 => status,
            _ => return,
        };
        metrics.prefect_errors.count(&PrefectErrorLabels {
            operation: outcome.operation,
            error_type,
        });
    }

    fn span(&self, request: &RequestStart) -> Option<Box<dyn RequestSpan>> {
        Self::start_span(request)
    }
}

/// A status code as a static label: the codes Prefect sends, and `other` for the rest, so that
/// the label's values stay few.
fn status_label(status: u16) -> &'static str {
    const KNOWN: [(u16, &str); 17] = [
        (200, "200"),
        (201, "201"),
        (204, "204"),
        (400, "400"),
        (401, "401"),
        (403, "403"),
        (404, "404"),
        (409, "409"),
        (413, "413"),
        (422, "422"),
        (429, "429"),
        (500, "500"),
        (502, "502"),
        (503, "503"),
        (504, "504"),
        (307, "307"),
        (304, "304"),
    ];
    KNOWN
        .iter()
        .find(|(code, _)| *code == status)
        .map_or("other", |(_, label)| label)
}

/// An open MCP session: counted while it lives, its duration recorded when it ends (when the
/// last copy of the session's server value is dropped).
pub struct SessionClock {
    opened: Instant,
}

impl SessionClock {
    /// A clock for a new session, when metrics are on.
    pub fn start() -> Option<Arc<Self>> {
        let metrics = metrics()?;
        metrics.sessions.add(1);
        Some(Arc::new(SessionClock {
            opened: Instant::now(),
        }))
    }
}

impl Drop for SessionClock {
    fn drop(&mut self) {
        if let Some(metrics) = metrics() {
            metrics.sessions.add(-1);
            metrics
                .session_duration
                .record(&[], self.opened.elapsed().as_secs_f64());
        }
    }
}

static METRICS: OnceLock<Metrics> = OnceLock::new();

/// Turn metrics on: the HTTP transport does, before it serves, and the OTLP export (after it
/// set up the meter they are mirrored to).
pub fn enable_metrics() -> &'static Metrics {
    METRICS.get_or_init(Metrics::new)
}

/// The metrics, when on.
pub fn metrics() -> Option<&'static Metrics> {
    METRICS.get()
}

/// Everything gathered, in the OpenMetrics text format Prometheus scrapes.
pub fn encode_metrics(metrics: &Metrics) -> String {
    let mut text = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::text::encode(&mut text, &metrics.registry);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_calls_and_writes_are_counted_under_bounded_labels() {
        let metrics = Metrics::new();
        metrics.tool_call("list_flows", false, "ok", 0.01);
        metrics.tool_call("cancel_flow_run", true, "error", 0.2);
        metrics.tool_call(UNKNOWN_TOOL, false, "protocol_error", 0.001);
        let text = encode_metrics(&metrics);
        assert!(text.contains(
            "mcp_server_operation_duration_seconds_count{mcp_method_name=\"tools/call\",gen_ai_tool_name=\"list_flows\",error_type=\"\"} 1"
        ), "{text}");
        assert!(text.contains(
            "mcp_server_tool_writes_total{gen_ai_tool_name=\"cancel_flow_run\",outcome=\"error\"} 1"
        ), "{text}");
        assert!(text.contains("error_type=\"tool_error\""), "{text}");
        assert!(
            text.contains("gen_ai_tool_name=\"_unknown\",error_type=\"protocol_error\""),
            "{text}"
        );
    }

    #[test]
    fn a_metric_without_labels_is_written_without_braces() {
        let metrics = Metrics::new();
        metrics.session_duration.record(&[], 3.0);
        metrics.sessions.add(1);
        let text = encode_metrics(&metrics);
        assert!(
            text.contains("\nmcp_server_session_duration_seconds_count 1\n"),
            "{text}"
        );
        assert!(text.contains("\nmcp_server_sessions 1\n"), "{text}");
    }

    #[test]
    fn status_codes_outside_the_known_few_share_one_label() {
        assert_eq!(status_label(404), "404");
        assert_eq!(status_label(418), "other");
    }
}
