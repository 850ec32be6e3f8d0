//! A request answered before its body was read says `Connection: close`.
//!
//! The layers that refuse a request (Origin, limits, a missing token, a caller's share, an
//! unknown session) answer from its headers. hyper then drops the unread body if it has
//! already arrived, and otherwise closes the connection after the answer, without saying so.
//! A client that keeps the connection for its next request (the Python SDK fetches the
//! resource metadata right after a 401 on `initialize`) then meets a closed connection: "server
//! disconnected without sending a response". Saying `Connection: close` makes it open a new one.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use http_body::{Body as HttpBody, Frame, SizeHint};

use super::limits::announced_length;

/// Outermost layer: the request's body is watched, and an answer sent before it was read to
/// its end closes the connection.
pub(super) async fn close_if_unread(request: Request, next: Next) -> Response {
    if !has_body(&request) {
        return next.run(request).await;
    }
    let read = Arc::new(AtomicBool::new(false));
    let request = request.map(|body| {
        Body::new(Watched {
            body,
            read: read.clone(),
        })
    });
    let mut response = next.run(request).await;
    if !read.load(Ordering::Acquire) {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// Whether the request announced a body (a length above zero, or chunks).
fn has_body(request: &Request) -> bool {
    let headers = request.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || announced_length(headers).is_some_and(|length| length > 0)
}

/// A request body that records when it has been read to its end.
struct Watched {
    body: Body,
    read: Arc<AtomicBool>,
}

impl HttpBody for Watched {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.body).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) || self.body.is_end_stream() {
            self.read.store(true, Ordering::Release);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use axum::routing::post;
    use axum::{middleware, Router};
    use tower::ServiceExt;

    use super::*;

    async fn answer(app: Router, body: &'static str) -> Response {
        let request = axum::http::Request::post("/")
            .header(header::CONTENT_LENGTH, body.len())
            .body(Body::from(body))
            .unwrap();
        app.layer(middleware::from_fn(close_if_unread))
            .oneshot(request)
            .await
            .unwrap()
    }

    fn connection(response: &Response) -> Option<&str> {
        response
            .headers()
            .get(header::CONNECTION)
            .and_then(|v| v.to_str().ok())
    }

    #[tokio::test]
    async fn a_refusal_from_the_headers_closes_the_connection() {
        let refuses = Router::new().route("/", post(|| async { StatusCode::UNAUTHORIZED }));
        let response = answer(refuses, r#"{"jsonrpc":"2.0"}"#).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(connection(&response), Some("close"));
    }

    #[tokio::test]
    async fn an_answer_after_the_body_keeps_the_connection() {
        let reads = Router::new().route("/", post(|body: String| async move { body }));
        let response = answer(reads, r#"{"jsonrpc":"2.0"}"#).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(connection(&response), None);
    }

    #[tokio::test]
    async fn a_request_without_a_body_keeps_the_connection() {
        let refuses = Router::new().route("/", post(|| async { StatusCode::UNAUTHORIZED }));
        let response = answer(refuses, "").await;
        assert_eq!(connection(&response), None);
    }
}
