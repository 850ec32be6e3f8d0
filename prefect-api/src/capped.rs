//! A response body that counts bytes as they arrive and fails past a limit, so that an answer
//! sent without `Content-Length` (chunked) is bounded like one that announces its size: a
//! 64 MB chunked answer used to be read whole.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use reqwest::ResponseBuilderExt;

/// The error a capped body ends with; error.rs finds it in a body error's causes and reports
/// [`crate::PrefectError::ResponseTooLarge`].
#[derive(Debug, thiserror::Error)]
#[error("more than {limit} bytes arrived, the limit is {limit}")]
pub(crate) struct BodyTooLarge {
    pub(crate) limit: u64,
}

/// A place among the requests in flight, given back when the body it was taken for is read
/// or dropped.
pub(crate) type Turn = tokio::sync::OwnedSemaphorePermit;

/// Give `response` a body that fails once more than `limit` bytes have arrived, and that holds
/// `turn` until it ends.
pub(crate) fn cap(
    response: reqwest::Response,
    limit: u64,
    turn: Option<Turn>,
) -> reqwest::Response {
    let url = response.url().clone();
    let (mut parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
    // The URL travels in an extension (kept for error messages, which name what failed); the
    // conversion above drops it, reqwest's builder extension puts it back.
    let mut with_url = http::Response::builder().url(url);
    if let Some(extensions) = with_url.extensions_mut() {
        parts.extensions.extend(std::mem::take(extensions));
    }
    let capped = reqwest::Body::wrap(Capped {
        inner: body,
        limit,
        seen: 0,
        turn,
    });
    reqwest::Response::from(http::Response::from_parts(parts, capped))
}

struct Capped {
    inner: reqwest::Body,
    limit: u64,
    seen: u64,
    turn: Option<Turn>,
}

impl Body for Capped {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.seen > self.limit {
            return Poll::Ready(None);
        }
        let frame = match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => frame,
            Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error.into()))),
            Poll::Ready(None) => {
                // The whole answer is in: the next request may go.
                self.turn = None;
                return Poll::Ready(None);
            }
            Poll::Pending => return Poll::Pending,
        };
        if let Some(data) = frame.data_ref() {
            self.seen += data.len() as u64;
            if self.seen > self.limit {
                let limit = self.limit;
                return Poll::Ready(Some(Err(Box::new(BodyTooLarge { limit }))));
            }
        }
        Poll::Ready(Some(Ok(frame)))
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
