//! What traces and metrics share on their way to an OTLP/HTTP collector (`--otlp-endpoint`, or
//! `OTEL_EXPORTER_OTLP_ENDPOINT`): the URL of each signal, the resource they come from, and the
//! HTTP client that sends them.

use std::time::Duration;

use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use opentelemetry_sdk::Resource;

use crate::errors::telemetry::OtlpSetupError;

/// How long one export may take before it is given up.
pub(super) const EXPORT_TIMEOUT: Duration = Duration::from_secs(5);
/// The service name when neither `OTEL_SERVICE_NAME` nor `OTEL_RESOURCE_ATTRIBUTES` gives one.
pub(super) const SERVICE_NAME: &str = env!("CARGO_PKG_NAME");

/// The OTLP/HTTP URL of one signal (`traces`, `metrics`) under a collector's base URL, as
/// `OTEL_EXPORTER_OTLP_ENDPOINT` means it; a URL that already ends in that signal's path is
/// taken as it is.
pub(super) fn signal_url(endpoint: &reqwest::Url, signal: &str) -> Result<String, OtlpSetupError> {
    if !matches!(endpoint.scheme(), "http" | "https") {
        return Err(OtlpSetupError::Scheme {
            url: endpoint.to_string(),
        });
    }
    let base = endpoint.as_str().trim_end_matches('/');
    let path = format!("/v1/{signal}");
    Ok(if base.ends_with(&path) {
        base.to_string()
    } else {
        format!("{base}{path}")
    })
}

/// The standard resource (`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`), named after this
/// server when they name no service.
pub(super) fn resource() -> Resource {
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

/// The exporters' HTTP client: the server's own reqwest, its requests run on the server's
/// runtime (the exporters' threads have none of their own and only wait for the answer).
#[derive(Debug)]
pub(super) struct ExportClient {
    client: reqwest::Client,
    runtime: tokio::runtime::Handle,
}

impl ExportClient {
    /// Call from within the runtime.
    pub(super) fn new() -> Self {
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
    fn a_signals_path_is_added_to_a_base_url_once() {
        let url = |s: &str, signal| signal_url(&reqwest::Url::parse(s).unwrap(), signal).unwrap();
        assert_eq!(
            url("http://127.0.0.1:4318", "traces"),
            "http://127.0.0.1:4318/v1/traces"
        );
        assert_eq!(
            url("http://c:4318/otlp/", "metrics"),
            "http://c:4318/otlp/v1/metrics"
        );
        assert_eq!(
            url("http://c:4318/v1/traces", "traces"),
            "http://c:4318/v1/traces"
        );
    }

    #[test]
    fn an_endpoint_that_is_not_http_is_refused() {
        let grpc = reqwest::Url::parse("grpc://127.0.0.1:4317").unwrap();
        assert!(matches!(
            signal_url(&grpc, "metrics"),
            Err(OtlpSetupError::Scheme { .. })
        ));
    }
}
