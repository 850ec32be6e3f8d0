//! Spans and metrics under OpenTelemetry's names (the MCP semantic conventions), and their
//! exporters. Used by every layer, using none of them: each layer reports what it did in its
//! own words here, and the transport serves what was gathered.
//!
//! Metrics are off until the HTTP transport turns them on ([`enable_metrics`]): stdio keeps no
//! registry and pays nothing per call.

mod metrics;

pub use metrics::{
    enable_metrics, encode_metrics, metrics, tool_label, Metrics, PrefectRequests, SessionClock,
    METRICS_CONTENT_TYPE, UNKNOWN_TOOL,
};
