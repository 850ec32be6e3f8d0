//! Traces over OTLP/HTTP protobuf (`--otlp-endpoint`). Off unless asked for: then no tracer
//! exists and every span site is one check of [`tracer`].
//!
//! Spans leave through a batch processor on its own thread with a bounded queue: when the
//! collector is slow or gone, spans past the queue are dropped, never waited for, so a dead
//! collector neither slows a call nor grows the server.

use std::sync::OnceLock;
use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, SpanExporter, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::trace::{BatchConfigBuilder, BatchSpanProcessor, SdkTracerProvider, Tracer};

use super::otlp::{resource, signal_url, ExportClient, EXPORT_TIMEOUT, SERVICE_NAME};
use crate::errors::telemetry::OtlpSetupError;

/// Spans waiting for export at most; more are dropped.
const MAX_QUEUED_SPANS: usize = 2048;
const MAX_BATCH: usize = 512;
/// How often a batch leaves.
const EXPORT_EVERY: Duration = Duration::from_secs(1);

struct Traces {
    provider: SdkTracerProvider,
    tracer: Tracer,
}

static TRACES: OnceLock<Traces> = OnceLock::new();

/// The tracer, when traces are on.
pub(super) fn tracer() -> Option<&'static Tracer> {
    TRACES.get().map(|traces| &traces.tracer)
}

/// Export spans to the OTLP/HTTP collector at `endpoint`. Call from within the runtime, once.
pub(super) fn enable_traces(endpoint: &reqwest::Url) -> Result<(), OtlpSetupError> {
    let url = signal_url(endpoint, "traces")?;
    let exporter = SpanExporter::builder()
        .with_http()
        .with_http_client(ExportClient::new())
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(url.clone())
        .with_timeout(EXPORT_TIMEOUT)
        .build()
        .map_err(|error| OtlpSetupError::Exporter {
            signal: "trace",
            url,
            reason: error.to_string(),
        })?;
    let batches = BatchConfigBuilder::default()
        .with_max_queue_size(MAX_QUEUED_SPANS)
        .with_max_export_batch_size(MAX_BATCH)
        .with_scheduled_delay(EXPORT_EVERY)
        .build();
    let processor = BatchSpanProcessor::builder(exporter)
        .with_batch_config(batches)
        .build();
    let provider = SdkTracerProvider::builder()
        .with_span_processor(processor)
        .with_resource(resource())
        .build();
    let tracer = provider.tracer(SERVICE_NAME);
    let _ = TRACES.set(Traces { provider, tracer });
    Ok(())
}

/// Send the spans still queued.
pub(super) fn flush_traces() {
    if let Some(traces) = TRACES.get() {
        let _ = traces.provider.shutdown();
    }
}
