//! What happens around every generated request: retries of 429/502/503, the response size cap,
//! and one trace event per operation.

use std::time::Duration;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use reqwest::StatusCode;

use super::observer::method_name;
use super::{url_template, ClientSettings, RequestOutcome, RequestStart, TOO_LARGE};
use crate::capped::Turn;
use crate::generated::Client;

const TRACEPARENT: HeaderName = HeaderName::from_static("traceparent");

fn is_retryable(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::TOO_MANY_REQUESTS | StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE
    )
}

/// The wait before retry `attempt` (0-based): `Retry-After` seconds when the server gives them,
/// otherwise exponential backoff from 250 ms; never more than `max`.
fn retry_delay(headers: &HeaderMap, attempt: u32, max: Duration) -> Duration {
    let asked = headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|secs| secs.is_finite() && *secs >= 0.0)
        .map(Duration::from_secs_f64);
    asked
        .unwrap_or_else(|| Duration::from_millis(250u64.saturating_mul(1 << attempt.min(10))))
        .min(max)
}

impl ClientHooks<ClientSettings> for Client {
    async fn post<E>(
        &self,
        result: &reqwest::Result<reqwest::Response>,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let limit = self.inner().max_response_bytes;
        match result
            .as_ref()
            .ok()
            .and_then(reqwest::Response::content_length)
        {
            Some(length) if length > limit => Err(progenitor_client::Error::Custom(format!(
                "{TOO_LARGE}{length} bytes announced, the limit is {limit}"
            ))),
            _ => Ok(()),
        }
    }

    async fn exec(
        &self,
        mut request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let started = std::time::Instant::now();
        let method = request.method().clone();
        let observer = self.inner().observer.as_ref();
        if let Some(observer) = observer {
            observer.0.started(info.operation_id);
        }
        let span = observer.and_then(|observer| {
            observer.0.span(&RequestStart {
                operation: info.operation_id,
                method: method_name(&method),
                url_template: url_template(info.operation_id),
            })
        });
        // Prefect's own tracing (or a proxy's) continues from this request's span.
        let traceparent = span.as_ref().and_then(|span| span.traceparent());
        if let Some(value) = traceparent.and_then(|v| HeaderValue::from_str(&v).ok()) {
            request.headers_mut().insert(TRACEPARENT, value);
        }
        let (result, retries, turn) = self.send_with_retries(request).await;
        let limit = self.inner().max_response_bytes;
        let result = result.map(|response| crate::capped::cap(response, limit, turn));
        // One event per operation, never with headers or bodies (they carry credentials and
        // user data): what was called, how it ended, how long it took.
        match &result {
            Ok(response) => tracing::debug!(
                operation = info.operation_id,
                %method,
                status = response.status().as_u16(),
                duration_ms = started.elapsed().as_secs_f64() * 1000.0,
                retries,
                "prefect request"
            ),
            Err(error) => tracing::debug!(
                operation = info.operation_id,
                %method,
                error = failure_kind(error),
                duration_ms = started.elapsed().as_secs_f64() * 1000.0,
                retries,
                "prefect request failed"
            ),
        }
        if let Some(observer) = observer {
            let outcome = RequestOutcome {
                operation: info.operation_id,
                method: method_name(&method),
                status: result.as_ref().ok().map(|r| r.status().as_u16()),
                failure: result.as_ref().err().map(failure_kind),
                duration: started.elapsed(),
                retries,
            };
            observer.0.finished(&outcome);
            if let Some(span) = span {
                span.end(&outcome);
            }
        }
        result
    }
}

/// Why a request got no answer, in one word (logs and metrics).
fn failure_kind(error: &reqwest::Error) -> &'static str {
    if error.is_timeout() {
        "timeout"
    } else if error.is_connect() {
        "connect"
    } else {
        "request"
    }
}

impl Client {
    /// Send, retrying 429/502/503 as configured; the response, how many retries it took, and
    /// the turn it holds while its body is read (when requests in flight are limited; none is
    /// held while waiting to retry).
    async fn send_with_retries(
        &self,
        request: reqwest::Request,
    ) -> (reqwest::Result<reqwest::Response>, u32, Option<Turn>) {
        let settings = self.inner();
        let mut attempt = 0;
        loop {
            let turn = self.turn().await;
            // A request whose body cannot be cloned (a stream) is sent once.
            let Some(retry) = request
                .try_clone()
                .filter(|_| attempt < settings.max_retries)
            else {
                return (self.client().execute(request).await, attempt, turn);
            };
            let response = match self.client().execute(retry).await {
                Ok(response) => response,
                Err(error) => return (Err(error), attempt, turn),
            };
            if !is_retryable(response.status()) {
                return (Ok(response), attempt, turn);
            }
            let delay = retry_delay(response.headers(), attempt, settings.max_retry_delay);
            drop((response, turn));
            attempt += 1;
            tokio::time::sleep(delay).await;
        }
    }

    /// Wait for a turn to send, when requests in flight are limited.
    async fn turn(&self) -> Option<Turn> {
        let in_flight = self.inner().in_flight.clone()?;
        // The semaphore is never closed, so acquiring only fails if it were.
        in_flight.acquire_owned().await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("2"));
        assert_eq!(
            retry_delay(&headers, 0, Duration::from_secs(10)),
            Duration::from_secs(2)
        );
        assert_eq!(
            retry_delay(&headers, 0, Duration::from_secs(1)),
            Duration::from_secs(1)
        );
        let none = HeaderMap::new();
        assert_eq!(
            retry_delay(&none, 2, Duration::from_secs(10)),
            Duration::from_millis(1000)
        );
    }
}
