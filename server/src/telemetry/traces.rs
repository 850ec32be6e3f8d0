//! Traces over OTLP/HTTP protobuf (`--otlp-endpoint`, or `OTEL_EXPORTER_OTLP_ENDPOINT`), named
//! by `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES`. Off unless asked for: then no tracer
//! exists and every span site is one check of [`tracer`].
//!
//! Spans leave through a batch processor on its own thread with a bounded queue: when the
//! collector is slow or gone, spans past the queue are dropped, never waited for, so a dead
//! collector neither slows a call nor grows the server.

use std::sync::OnceLock;
use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use opentelemetry_otlp::{Protocol, SpanExporter, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::trace::{BatchConfigBuilder, BatchSpanProcessor, SdkTracerProvider, Tracer};
use opentelemetry_sdk::Resource;

use crate::errors::telemetry::TraceSetupError;

/// Spans waiting for export at most; more are dropped.
const MAX_QUEUED_SPANS: usize = 2048;
const MAX_BATCH: usize = 512;
/// How often a batch leaves, and how long one export may take before it is given up.
const EXPORT_EVERY: Duration = Duration::from_secs(1);
const EXPORT_TIMEOUT: Duration = Duration::from_secs(5);
/// The service name when neither `OTEL_SERVICE_NAME` nor `OTEL_RESOURCE_ATTRIBUTES` gives one.
const SERVICE_NAME: &str = env!("CARGO_PKG_NAME");

struct Traces {
    provider: SdkTracerProvider,
    tracer: Tracer,
}

static TRACES: OnceLock<Traces> = OnceLock::new();

/// The tracer, when traces are on.
pub(super) fn tracer() -> Option<&'static Tracer> {
    TRACES.get().map(|traces| &traces.tracer)
}

/// Export spans to the OTLP/HTTP collector at `endpoint` (its base URL: `/v1/traces` is added
/// unless given). Call from within the runtime, once.
pub fn enable_traces(endpoint: &reqwest::Url) -> Result<(), TraceSetupError> {
    if !matches!(endpoint.scheme(), "http" | "https") {
        return Err(TraceSetupError::Scheme {
            url: endpoint.to_string(),
        });
    }
    let url = traces_url(endpoint);
    let exporter = SpanExporter::builder()
        .with_http()
        .with_http_client(ExportClient::new())
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(url.clone())
        .with_timeout(EXPORT_TIMEOUT)
        .build()
        .map_err(|error| TraceSetupError::Exporter {
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

/// Send the spans still queued; before the process exits, outside the runtime's own threads
/// (the export runs on them).
pub fn flush_traces() {
    if let Some(traces) = TRACES.get() {
        let _ = traces.provider.shutdown();
    }
}

/// The OTLP/HTTP traces URL of a collector's base URL, as `OTEL_EXPORTER_OTLP_ENDPOINT` means it.
fn traces_url(endpoint: &reqwest::Url) -> String {
    let base = endpoint.as_str().trim_end_matches('/');
    if base.ends_with("/v1/traces") {
        base.to_string()
    } else {
        format!("{base}/v1/traces")
    }
}

/// The standard resource (`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`), named after this
/// server when they name no service.
fn resource() -> Resource {
    let detected = Resource::builder().build();
    let named = detected
        .get(&opentelemetry::Key::new("service.name"))
        .is_some_and(|name| !name.as_str().starts_with("unknown_service"));
    if named {
        detected
    } else {
        Resource::builder().with_service_name(SERVICE_NAME).build()
    }
}

/// The exporter's HTTP client: the server's own reqwest, its requests run on the server's
/// runtime (the batch thread has none of its own and only waits for the answer).
#[derive(Debug)]
struct ExportClient {
    client: reqwest::Client,
    runtime: tokio::runtime::Handle,
}

impl ExportClient {
    fn new() -> Self {
        ExportClient {
            client: reqwest::Client::builder()
                .timeout(EXPORT_TIMEOUT)
                .build()
                .unwrap_or_default(),
            runtime: tokio::runtime::Handle::current(),
        }
    }
}

#[async_trait::async_trait]
impl HttpClient for ExportClient {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let request = reqwest::Request::try_from(request)?;
        let client = self.client.clone();
        let sent = self.runtime.spawn(async move {
            let response = client.execute(request).await?;
            let status = response.status();
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, body))
        });
        let (status, body) = sent.await??;
        Ok(Response::builder().status(status).body(body)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_traces_path_is_added_to_a_base_url_once() {
        let url = |s: &str| traces_url(&reqwest::Url::parse(s).unwrap());
        assert_eq!(
            url("http://127.0.0.1:4318"),
            "http://127.0.0.1:4318/v1/traces"
        );
        assert_eq!(url("http://c:4318/otlp/"), "http://c:4318/otlp/v1/traces");
        assert_eq!(url("http://c:4318/v1/traces"), "http://c:4318/v1/traces");
    }
}
