//! Metrics over OTLP/HTTP protobuf (`--otlp-endpoint`), on stdio as on HTTP: the same metrics
//! `/metrics` serves, as cumulative sums, up-down counters and histograms, sent every
//! `OTEL_METRIC_EXPORT_INTERVAL` milliseconds (60 s unless set) by the SDK's periodic reader on
//! its own thread, and once more when the server stops. A dead collector costs one failed
//! export an interval: nothing queues up.

use std::sync::OnceLock;

use opentelemetry::metrics::{Meter, MeterProvider as _};
use opentelemetry_otlp::{MetricExporter, Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};

use super::otlp::{resource, signal_url, ExportClient, EXPORT_TIMEOUT, SERVICE_NAME};
use crate::errors::telemetry::OtlpSetupError;

struct MetricExport {
    provider: SdkMeterProvider,
    meter: Meter,
}

static EXPORT: OnceLock<MetricExport> = OnceLock::new();

/// The meter the metrics are mirrored to, when they are exported.
pub(super) fn meter() -> Option<&'static Meter> {
    EXPORT.get().map(|export| &export.meter)
}

/// Export metrics to the OTLP/HTTP collector at `endpoint`. Call from within the runtime, once,
/// before the metrics are first turned on.
pub(super) fn enable_metric_export(endpoint: &reqwest::Url) -> Result<(), OtlpSetupError> {
    let url = signal_url(endpoint, "metrics")?;
    let exporter = MetricExporter::builder()
        .with_http()
        .with_http_client(ExportClient::new())
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(url.clone())
        .with_timeout(EXPORT_TIMEOUT)
        .build()
        .map_err(|error| OtlpSetupError::Exporter {
            signal: "metric",
            url,
            reason: error.to_string(),
        })?;
    let provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(exporter).build())
        .with_resource(resource())
        .build();
    let meter = provider.meter(SERVICE_NAME);
    let _ = EXPORT.set(MetricExport { provider, meter });
    Ok(())
}

/// Send what was gathered since the last export.
pub(super) fn flush_metric_export() {
    if let Some(export) = EXPORT.get() {
        let _ = export.provider.shutdown();
    }
}
