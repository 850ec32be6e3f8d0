//! Why the OTLP export could not be set up (`--otlp-endpoint`).

/// An exporter that cannot start; the server does not start either, rather than run without
/// the traces and metrics the operator asked for.
#[derive(Debug, thiserror::Error)]
pub enum OtlpSetupError {
    #[error(
        "--otlp-endpoint / OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL of an \
         OTLP/HTTP collector (such as http://127.0.0.1:4318), not {url}"
    )]
    Scheme { url: String },
    #[error("cannot set up the OTLP {signal} exporter for {url}: {reason}")]
    Exporter {
        signal: &'static str,
        url: String,
        reason: String,
    },
}
