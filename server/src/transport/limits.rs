//! Every bound of the HTTP endpoint, with its default, and the middleware that enforces the
//! per-request ones: requests in flight (503 with `Retry-After` past the limit) and the time and
//! size allowed for a request body (408, 413).
//!
//! The defaults are chosen for a shared team endpoint on a small machine: a careless or hostile
//! client must not be able to grow memory without bound or hold connections for ever, and a
//! well-behaved client never meets them. The "Limits" table of docs/team-endpoint.md lists them with their flags.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::{Body as HttpBody, Frame, SizeHint};
use http_body_util::BodyExt;
use tokio::sync::Semaphore;

pub const DEFAULT_MAX_SESSIONS: usize = 500;
pub const DEFAULT_SESSION_IDLE: Duration = Duration::from_secs(600);
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
pub const DEFAULT_MAX_REQUEST_BYTES: usize = 1024 * 1024;
pub const DEFAULT_MAX_IN_FLIGHT: usize = 256;
/// A named caller's share of the sessions (see [`super::callers`]): ten such callers can fill
/// the default cap.
pub const DEFAULT_MAX_SESSIONS_PER_CALLER: usize = 50;
/// A named caller's share of the requests in flight: eight callers holding long waits still
/// leave the others served.
pub const DEFAULT_MAX_IN_FLIGHT_PER_CALLER: usize = 32;
/// What a refused client is told to wait before trying again.
const RETRY_AFTER_SECONDS: &str = "1";

/// The bounds of the HTTP transport (see the module documentation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Sessions held at once; at the cap the least recently used idle one is closed.
    pub max_sessions: usize,
    /// A session unused for this long is closed.
    pub session_idle: Duration,
    /// A connection must send a request's headers within this time, or it is closed.
    pub header_read_timeout: Duration,
    /// A request's body must arrive within this time after its headers (408 otherwise).
    pub request_timeout: Duration,
    /// The largest request body (413 past it).
    pub max_request_bytes: usize,
    /// Requests being answered at once (503 with `Retry-After` past it).
    pub max_in_flight: usize,
    /// Sessions one named caller holds at once; at its quota a new one closes its own least
    /// recently used idle session, never another caller's.
    pub max_sessions_per_caller: usize,
    /// Requests of one named caller being answered at once (503 for that caller past it).
    pub max_in_flight_per_caller: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_sessions: DEFAULT_MAX_SESSIONS,
            session_idle: DEFAULT_SESSION_IDLE,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_request_bytes: DEFAULT_MAX_REQUEST_BYTES,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            max_sessions_per_caller: DEFAULT_MAX_SESSIONS_PER_CALLER,
            max_in_flight_per_caller: DEFAULT_MAX_IN_FLIGHT_PER_CALLER,
        }
    }
}

impl Limits {
    /// Zero would refuse every client: a configuration mistake worth stopping for.
    pub fn validate(&self) -> Result<(), String> {
        for (flag, value) in [
            ("--max-sessions", self.max_sessions),
            ("--max-request-bytes", self.max_request_bytes),
            ("--max-in-flight", self.max_in_flight),
            ("--max-sessions-per-caller", self.max_sessions_per_caller),
            ("--max-in-flight-per-caller", self.max_in_flight_per_caller),
        ] {
            if value == 0 {
                return Err(format!("{flag} must be at least 1"));
            }
        }
        Ok(())
    }
}

/// A response with a plain-text explanation, as every refusal of this layer sends.
pub(super) fn refusal(status: StatusCode, message: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message,
    )
        .into_response()
}

/// 503 with `Retry-After`: the server is busy, not broken.
pub(super) fn busy(message: String) -> Response {
    let mut response = refusal(StatusCode::SERVICE_UNAVAILABLE, message);
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from_static(RETRY_AFTER_SECONDS),
    );
    response
}

/// Counts the requests being answered; shared by every connection.
#[derive(Clone)]
pub(super) struct InFlight {
    permits: Arc<Semaphore>,
    max: usize,
}

impl InFlight {
    pub(super) fn new(max: usize) -> Self {
        InFlight {
            permits: Arc::new(Semaphore::new(max)),
            max,
        }
    }
}

/// Refuse a request past the in-flight limit. A POST keeps its slot until its answer has been
/// sent (a tool call answered over SSE works while the body streams); a GET opens the
/// long-lived event stream of a session, bounded by the session cap instead, so it only holds a
/// slot until its headers are out.
pub(super) async fn limit_in_flight(
    State(in_flight): State<InFlight>,
    request: Request,
    next: Next,
) -> Response {
    let Ok(permit) = in_flight.permits.clone().try_acquire_owned() else {
        return busy(format!(
            "the server is answering {} requests already (--max-in-flight); retry shortly",
            in_flight.max
        ));
    };
    let holds_for_body = request.method() == Method::POST;
    let response = next.run(request).await;
    if holds_for_body {
        HeldBody::wrap(response, permit)
    } else {
        response
    }
}

/// A response body that holds something (an in-flight slot) until it is done or dropped.
pub(super) struct HeldBody<H> {
    body: Body,
    held: H,
}

impl<H: Send + Unpin + 'static> HeldBody<H> {
    /// `response`, whose body now holds `held` until it has been sent.
    pub(super) fn wrap(response: Response, held: H) -> Response {
        response.map(|body| Body::new(HeldBody { body, held }))
    }
}

impl<H: Send + Unpin + 'static> HttpBody for HeldBody<H> {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let _held = &self.held;
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// Read the whole request body within the time and size allowed, before rmcp sees it: a client
/// that sends half a body and waits is cut off, and a large one is refused as it arrives
/// (whether or not it announced its length).
pub(super) async fn read_body(
    State(limits): State<Arc<Limits>>,
    request: Request,
    next: Next,
) -> Response {
    let max = limits.max_request_bytes;
    let announced = announced_length(request.headers());
    let (parts, mut body) = request.into_parts();
    if announced.is_some_and(|length| length > max as u64) {
        linger(body).await;
        return too_large(max);
    }
    let collected =
        tokio::time::timeout(limits.request_timeout, collect_at_most(&mut body, max)).await;
    match collected {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Ok(Err(BodyError::TooLarge)) => {
            linger(body).await;
            too_large(max)
        }
        Ok(Err(BodyError::Broken)) => refusal(
            StatusCode::BAD_REQUEST,
            "the request body could not be read".to_string(),
        ),
        Err(_) => refusal(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the request body did not arrive within {} s (--http-request-timeout)",
                limits.request_timeout.as_secs_f64()
            ),
        ),
    }
}

/// The body length a request announced (`Content-Length`), if any.
pub(super) fn announced_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
}

fn too_large(max: usize) -> Response {
    refusal(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the request body is larger than {max} bytes (--max-request-bytes)"),
    )
}

enum BodyError {
    TooLarge,
    Broken,
}

/// After refusing a body as too large, up to this much more of it is read and dropped (for at
/// most [`LINGER_TIME`]) before the answer: closing on a client that is still sending resets
/// the connection, and the client sees a broken pipe instead of the 413 (HTTP servers' lingering
/// close).
const LINGER_BYTES: usize = 8 * 1024 * 1024;
const LINGER_TIME: Duration = Duration::from_secs(2);

async fn linger(mut body: Body) {
    let mut left = LINGER_BYTES;
    let _ = tokio::time::timeout(LINGER_TIME, async {
        while let Some(Ok(frame)) = body.frame().await {
            let read = frame.data_ref().map_or(0, Bytes::len);
            if read >= left {
                return;
            }
            left -= read;
        }
    })
    .await;
}

async fn collect_at_most(body: &mut Body, max: usize) -> Result<Bytes, BodyError> {
    let mut collected = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| BodyError::Broken)?;
        if let Ok(data) = frame.into_data() {
            if collected.len() + data.len() > max {
                return Err(BodyError::TooLarge);
            }
            collected.extend_from_slice(&data);
        }
    }
    Ok(Bytes::from(collected))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_limits_are_refused_by_name() {
        let limits = Limits {
            max_in_flight: 0,
            ..Limits::default()
        };
        assert!(limits.validate().unwrap_err().contains("--max-in-flight"));
        assert!(Limits::default().validate().is_ok());
    }

    #[tokio::test]
    async fn bodies_are_cut_at_the_limit_even_without_a_length() {
        let chunks = futures::stream::iter(
            (0..4).map(|_| Ok::<_, std::io::Error>(Bytes::from_static(&[b'x'; 100]))),
        );
        let result = collect_at_most(&mut Body::from_stream(chunks), 350).await;
        assert!(matches!(result, Err(BodyError::TooLarge)));
        let result = collect_at_most(&mut Body::from("small"), 350).await;
        assert_eq!(result.ok().as_deref(), Some(&b"small"[..]));
    }
}
