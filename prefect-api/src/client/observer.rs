//! A way for the program embedding the client to watch its requests (metrics, traces) without
//! this crate knowing how they are exported: [`ClientBuilder::observer`](super::ClientBuilder::observer).

use std::sync::Arc;
use std::time::Duration;

/// How one Prefect operation ended, after its retries. Never headers or bodies (they carry
/// credentials and user data).
#[derive(Debug, Clone, Copy)]
pub struct RequestOutcome {
    /// The API operation (`read_flow_run`, `health_check`, ...): one per URL template, so a
    /// bounded set, and never an id.
    pub operation: &'static str,
    pub method: &'static str,
    /// The status of the last answer, when Prefect answered.
    pub status: Option<u16>,
    /// Why no answer came: `timeout`, `connect` or `request`.
    pub failure: Option<&'static str>,
    pub duration: Duration,
    pub retries: u32,
}

/// Told about every request a client sends; its calls must be quick (they run inline).
pub trait RequestObserver: Send + Sync {
    /// A request is about to be sent (it may still wait its turn).
    fn started(&self, operation: &'static str);
    /// The request ended, answered or not.
    fn finished(&self, outcome: &RequestOutcome);
    /// Follow this request as a trace span: `None` (the default) when requests are not
    /// traced. Its `traceparent` goes to Prefect with the request.
    fn span(&self, _request: &RequestStart) -> Option<Box<dyn RequestSpan>> {
        None
    }
}

/// What a request is before it is sent: names from bounded sets, never ids or bodies.
#[derive(Debug, Clone, Copy)]
pub struct RequestStart {
    pub operation: &'static str,
    pub method: &'static str,
    /// The path template of the operation (`/api/flow_runs/{id}`), never the path itself.
    pub url_template: &'static str,
}

/// One request followed as a span ([`RequestObserver::span`]).
pub trait RequestSpan: Send {
    /// The W3C `traceparent` header value naming this span as the parent of Prefect's work.
    fn traceparent(&self) -> Option<String>;
    /// The request ended, answered or not.
    fn end(self: Box<Self>, outcome: &RequestOutcome);
}

/// The installed observer, shared by the clients of one builder.
#[derive(Clone)]
pub(crate) struct Observer(pub(crate) Arc<dyn RequestObserver>);

impl std::fmt::Debug for Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RequestObserver")
    }
}

/// The method as a static name (a bounded label); `OTHER` for an extension method.
pub(crate) fn method_name(method: &reqwest::Method) -> &'static str {
    match *method {
        reqwest::Method::GET => "GET",
        reqwest::Method::POST => "POST",
        reqwest::Method::PUT => "PUT",
        reqwest::Method::PATCH => "PATCH",
        reqwest::Method::DELETE => "DELETE",
        reqwest::Method::HEAD => "HEAD",
        _ => "OTHER",
    }
}
