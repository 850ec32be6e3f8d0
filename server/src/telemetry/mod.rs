//! Spans and metrics under OpenTelemetry's names (the MCP semantic conventions), and their
//! exporters. Used by every layer, using none of them: each layer reports what it did in its
//! own words here, and the transport serves what was gathered.
//!
//! Metrics are off until the HTTP transport turns them on ([`enable_metrics`]): stdio keeps no
//! registry and pays nothing per call. Traces are off until `--otlp-endpoint` turns them on
//! ([`enable_traces`]): then each MCP request is a span ([`Traced`]) and each Prefect request
//! a span under it.

mod activity;
mod counted;
mod metrics;
mod spans;
mod traced;
mod traces;

pub use counted::{event_stream_live, question, Counted};
pub use metrics::{
    enable_metrics, encode_metrics, metrics, tool_label, Metrics, PrefectRequests, SessionClock,
    METRICS_CONTENT_TYPE, UNKNOWN_TOOL,
};
pub use spans::span_attribute;
pub use traced::Traced;
pub use traces::{enable_traces, flush_traces};
