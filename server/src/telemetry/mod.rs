//! Spans and metrics under OpenTelemetry's names (the MCP semantic conventions), and their
//! exporters. Used by every layer, using none of them: each layer reports what it did in its
//! own words here, and the transport serves what was gathered.
//!
//! Metrics are off until the HTTP transport ([`enable_metrics`]) or `--otlp-endpoint` turns
//! them on: stdio without OTLP keeps no registry and pays nothing per call. Traces are off until
//! `--otlp-endpoint` turns them on ([`enable_otlp`]): then each MCP request is a span
//! ([`Traced`]) and each Prefect request a span under it, and the metrics are sent too.

mod activity;
mod counted;
mod instruments;
mod metric_export;
mod metrics;
mod otlp;
mod spans;
mod traced;
mod traces;

pub use counted::{event_stream_live, question, Counted};
pub use instruments::DeclaredMetric;
pub use metrics::{
    enable_metrics, encode_metrics, metrics, tool_label, Metrics, PrefectRequests, SessionClock,
    METRICS_CONTENT_TYPE, UNKNOWN_TOOL,
};
pub use spans::span_attribute;
pub use traced::Traced;

use crate::errors::telemetry::OtlpSetupError;

/// Export traces and metrics to the OTLP/HTTP collector at `endpoint` (its base URL: each
/// signal's `/v1/...` path is added). Call from within the runtime, once, before the transport
/// starts.
pub fn enable_otlp(endpoint: &reqwest::Url) -> Result<(), OtlpSetupError> {
    traces::enable_traces(endpoint)?;
    metric_export::enable_metric_export(endpoint)?;
    enable_metrics();
    Ok(())
}

/// Send the spans and metrics not sent yet, before the process exits: from a blocking thread
/// while the runtime still runs (the exports run on its tasks, and this waits for them).
pub fn flush_otlp() {
    traces::flush_traces();
    metric_export::flush_metric_export();
}
