//! The spans, by the MCP semantic conventions: one server span per MCP request
//! ([`super::Traced`]), continuing the client's trace from `params._meta.traceparent` (SEP-414) or
//! else the HTTP `traceparent` header; under it one client span per Prefect request
//! ([`PrefectRequests`]), whose `traceparent` goes to Prefect. Attributes name methods, tools,
//! ids of the protocol, the caller and the audit target; never credentials, arguments or
//! results.

use std::future::Future;

use opentelemetry::context::FutureExt as _;
use opentelemetry::propagation::{Extractor, TextMapPropagator};
use opentelemetry::trace::{Span as _, SpanKind, Status, TraceContextExt, Tracer as _};
use opentelemetry::{Context, KeyValue};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use prefect_api::{RequestOutcome, RequestSpan, RequestStart};
use rmcp::model::RequestId;
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer};

use super::traces::tracer;
use super::PrefectRequests;

/// The server span of an MCP request, started now under the client's trace; `None` when
/// traces are off.
pub(super) fn server_span(
    method: &'static str,
    target: Option<String>,
    context: &RequestContext<RoleServer>,
) -> Option<Context> {
    let tracer = tracer()?;
    let (name, attributes) = server_span_facts(method, target, context);
    let parent = client_context(context);
    let span = tracer
        .span_builder(name)
        .with_kind(SpanKind::Server)
        .with_attributes(attributes)
        .start_with_context(tracer, &parent);
    Some(parent.with_span(span))
}

/// Run the request under its span (when traced), and end the span with how it went:
/// `error.type` is the JSON-RPC error code, or `tool_error` for a tool's failed result.
pub(super) async fn finish<T>(
    span: Option<Context>,
    request: impl Future<Output = Result<T, ErrorData>>,
    failed: fn(&T) -> bool,
) -> Result<T, ErrorData> {
    let Some(traced) = span else {
        return request.await;
    };
    let result = request.with_context(traced.clone()).await;
    let span = traced.span();
    let error_type = match &result {
        Err(error) => Some(error.code.0.to_string()),
        Ok(answer) if failed(answer) => Some("tool_error".to_string()),
        Ok(_) => None,
    };
    if let Some(error_type) = error_type {
        span.set_attribute(KeyValue::new("error.type", error_type.clone()));
        span.set_status(Status::error(error_type));
    }
    span.end();
    result
}

/// The span's name (`{mcp.method.name} {target}`) and attributes.
fn server_span_facts(
    method: &'static str,
    target: Option<String>,
    context: &RequestContext<RoleServer>,
) -> (String, Vec<KeyValue>) {
    let mut attributes = vec![
        KeyValue::new("mcp.method.name", method),
        KeyValue::new("jsonrpc.request.id", request_id(&context.id)),
    ];
    match (method, &target) {
        ("tools/call", Some(tool)) => {
            attributes.push(KeyValue::new("gen_ai.tool.name", tool.clone()));
            attributes.push(KeyValue::new("gen_ai.operation.name", "execute_tool"));
        }
        ("prompts/get", Some(prompt)) => {
            attributes.push(KeyValue::new("gen_ai.prompt.name", prompt.clone()));
        }
        _ => {}
    }
    if let Some(version) = context.protocol_version() {
        attributes.push(KeyValue::new("mcp.protocol.version", version.to_string()));
    }
    let http = http_parts(context);
    if let Some(session) = http
        .and_then(|parts| parts.headers.get("mcp-session-id"))
        .and_then(|value| value.to_str().ok())
    {
        attributes.push(KeyValue::new("mcp.session.id", session.to_string()));
    }
    attributes.push(KeyValue::new(
        "network.transport",
        if http.is_some() { "tcp" } else { "pipe" },
    ));
    let name = match target {
        Some(target) => format!("{method} {target}"),
        None => method.to_string(),
    };
    (name, attributes)
}

fn request_id(id: &RequestId) -> String {
    match id {
        rmcp::model::NumberOrString::Number(n) => n.to_string(),
        rmcp::model::NumberOrString::String(s) => s.to_string(),
    }
}

fn http_parts(context: &RequestContext<RoleServer>) -> Option<&axum::http::request::Parts> {
    context.extensions.get::<axum::http::request::Parts>()
}

/// The client's trace: `params._meta.traceparent` (and `tracestate`) when the request carries
/// it, else the HTTP request's `traceparent` header, else none (a new trace).
fn client_context(context: &RequestContext<RoleServer>) -> Context {
    let propagator = TraceContextPropagator::new();
    if let Some(traceparent) = context.meta.get_traceparent() {
        let carrier = Pair {
            traceparent,
            tracestate: context.meta.get_tracestate(),
        };
        return propagator.extract(&carrier);
    }
    match http_parts(context) {
        Some(parts) => propagator.extract(&Headers(&parts.headers)),
        None => Context::new(),
    }
}

/// `params._meta`'s trace fields, as the propagator reads them.
struct Pair<'a> {
    traceparent: &'a str,
    tracestate: Option<&'a str>,
}

impl Extractor for Pair<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        match key {
            "traceparent" => Some(self.traceparent),
            "tracestate" => self.tracestate,
            _ => None,
        }
    }

    fn keys(&self) -> Vec<&str> {
        vec!["traceparent", "tracestate"]
    }
}

struct Headers<'a>(&'a axum::http::HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|name| name.as_str()).collect()
    }
}

/// Add a fact to the current MCP request's span (the caller, the audit target), when traced.
pub fn span_attribute(key: &'static str, value: impl FnOnce() -> String) {
    if tracer().is_some() {
        Context::map_current(|cx| cx.span().set_attribute(KeyValue::new(key, value())));
    }
}

/// A Prefect request followed as a client span under the current MCP request's span.
struct PrefectSpan(opentelemetry_sdk::trace::Span);

impl PrefectRequests {
    pub(super) fn start_span(request: &RequestStart) -> Option<Box<dyn RequestSpan>> {
        let tracer = tracer()?;
        let span = tracer
            .span_builder(format!("{} {}", request.method, request.url_template))
            .with_kind(SpanKind::Client)
            .with_attributes([
                KeyValue::new("http.request.method", request.method),
                KeyValue::new("url.template", request.url_template),
                KeyValue::new("prefect.operation", request.operation),
            ])
            .start_with_context(tracer, &Context::current());
        Some(Box::new(PrefectSpan(span)))
    }
}

impl RequestSpan for PrefectSpan {
    fn traceparent(&self) -> Option<String> {
        let span = self.0.span_context();
        span.is_valid().then(|| {
            format!(
                "00-{}-{}-{:02x}",
                span.trace_id(),
                span.span_id(),
                span.trace_flags().to_u8()
            )
        })
    }

    fn end(mut self: Box<Self>, outcome: &RequestOutcome) {
        if let Some(status) = outcome.status {
            self.0.set_attribute(KeyValue::new(
                "http.response.status_code",
                i64::from(status),
            ));
        }
        if outcome.retries > 0 {
            self.0.set_attribute(KeyValue::new(
                "http.request.resend_count",
                i64::from(outcome.retries),
            ));
        }
        let error_type = match (outcome.failure, outcome.status) {
            (Some(failure), _) => Some(failure.to_string()),
            (None, Some(code)) if code >= 400 => Some(code.to_string()),
            _ => None,
        };
        if let Some(error_type) = error_type {
            self.0
                .set_attribute(KeyValue::new("error.type", error_type.clone()));
            self.0.set_status(Status::error(error_type));
        }
        self.0.end();
    }
}
