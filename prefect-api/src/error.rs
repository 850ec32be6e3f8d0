//! One error type over every generated call.

use std::future::Future;

use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use serde_json::Value;

/// Bodies quoted in errors are cut here: enough for Prefect's message, never a whole page.
const MAX_QUOTED_BODY: usize = 600;

/// What went wrong talking to Prefect, in the terms a caller acts on.
///
/// `message` fields hold Prefect's own explanation where it gave one.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PrefectError {
    /// 404: the object does not exist.
    #[error("not found: {message}")]
    NotFound { message: String },
    /// 409 or 422: Prefect refused the request's content (bad filter, parameters that fail a
    /// deployment's schema, ...).
    #[error("Prefect rejected the request ({status}): {message}")]
    Validation { status: u16, message: String },
    /// 401 or 403.
    #[error("not authorized ({status}): {message}")]
    Unauthorized { status: u16, message: String },
    /// No connection could be made.
    #[error("cannot reach Prefect at {url}: {message}")]
    Unreachable { url: String, message: String },
    /// The request did not finish within the configured timeout.
    #[error("Prefect at {url} did not answer in time: {message}")]
    Timeout { url: String, message: String },
    /// 429 or 5xx (after retries), or any other unexpected status.
    #[error("Prefect answered {status}: {message}")]
    Server { status: u16, message: String },
    /// A success status whose body is not what the API describes.
    #[error("Prefect's response could not be decoded: {message}")]
    Decode { message: String },
    /// The answer announced a body larger than the client accepts.
    #[error("Prefect's response is too large: {message}")]
    ResponseTooLarge { message: String },
    /// The client is configured wrongly (URL, header values).
    #[error("invalid client configuration: {message}")]
    InvalidConfig { message: String },
    /// The request could not be built or sent for another reason.
    #[error("request failed: {message}")]
    Request { message: String },
}

impl PrefectError {
    /// The HTTP status Prefect answered with, when it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            PrefectError::NotFound { .. } => Some(404),
            PrefectError::Validation { status, .. }
            | PrefectError::Unauthorized { status, .. }
            | PrefectError::Server { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Map a generated call's error, reading the body Prefect sent when there is one.
    pub async fn from_progenitor<E: std::fmt::Debug>(error: progenitor_client::Error<E>) -> Self {
        use progenitor_client::Error as E;
        match error {
            E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e) => {
                Self::from_transport(&e)
            }
            E::UnexpectedResponse(response) => {
                let status = response.status();
                let body = response.text().await.unwrap_or_default();
                Self::from_status(status, &body)
            }
            E::ErrorResponse(response) => {
                let status = response.status();
                Self::from_status(status, &format!("{:?}", response.into_inner()))
            }
            E::InvalidResponsePayload(bytes, e) => PrefectError::Decode {
                message: format!(
                    "{e}; body starts {:?}",
                    quote(&String::from_utf8_lossy(&bytes))
                ),
            },
            E::Custom(message) => match message.strip_prefix(crate::client::TOO_LARGE) {
                Some(detail) => PrefectError::ResponseTooLarge {
                    message: detail.to_string(),
                },
                None => PrefectError::Request { message },
            },
            E::InvalidRequest(message) => PrefectError::Request { message },
        }
    }

    fn from_transport(e: &reqwest::Error) -> Self {
        // The innermost cause says what happened ("Connection refused"); reqwest's own Display
        // repeats the URL, which is reported separately, without credentials or query.
        let mut cause: &dyn std::error::Error = e;
        while let Some(source) = cause.source() {
            if let Some(too_large) = source.downcast_ref::<crate::capped::BodyTooLarge>() {
                return PrefectError::ResponseTooLarge {
                    message: too_large.to_string(),
                };
            }
            cause = source;
        }
        let cause = cause.to_string();
        let url = e
            .url()
            .map(|u| {
                let mut u = u.clone();
                u.set_query(None);
                crate::client::redact_url(u.as_str())
            })
            .unwrap_or_else(|| "the configured URL".into());
        if e.is_timeout() {
            PrefectError::Timeout {
                url,
                message: "the request timed out".into(),
            }
        } else if e.is_connect() {
            PrefectError::Unreachable {
                url,
                message: cause,
            }
        } else if e.is_decode() || e.is_body() {
            PrefectError::Decode { message: cause }
        } else {
            PrefectError::Unreachable {
                url,
                message: cause,
            }
        }
    }

    /// Classify an error status, extracting Prefect's message from its body.
    pub fn from_status(status: StatusCode, body: &str) -> Self {
        let message = prefect_message(body).unwrap_or_else(|| {
            let quoted = quote(body);
            if quoted.is_empty() {
                status
                    .canonical_reason()
                    .unwrap_or("no explanation given")
                    .to_string()
            } else {
                quoted
            }
        });
        let code = status.as_u16();
        match code {
            404 => PrefectError::NotFound { message },
            409 | 422 | 400 => PrefectError::Validation {
                status: code,
                message,
            },
            401 | 403 => PrefectError::Unauthorized {
                status: code,
                message,
            },
            _ => PrefectError::Server {
                status: code,
                message,
            },
        }
    }
}

/// Prefect's explanation from an error body: `detail` (404/409), `exception_detail` (422, a list
/// of pydantic errors with their location), or `exception_message` (401 and others).
fn prefect_message(body: &str) -> Option<String> {
    let value: Value = serde_json::from_str(body).ok()?;
    if let Some(details) = value.get("exception_detail").and_then(Value::as_array) {
        let lines: Vec<String> = details.iter().map(describe_validation_error).collect();
        if !lines.is_empty() {
            return Some(lines.join("; "));
        }
    }
    match value.get("detail") {
        Some(Value::String(detail)) => return Some(detail.clone()),
        Some(Value::Array(details)) if !details.is_empty() => {
            return Some(
                details
                    .iter()
                    .map(describe_validation_error)
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        }
        _ => {}
    }
    value
        .get("exception_message")
        .and_then(Value::as_str)
        .map(String::from)
}

/// `body.flows.name.equals: Extra inputs are not permitted`.
fn describe_validation_error(error: &Value) -> String {
    let location = error
        .get("loc")
        .and_then(Value::as_array)
        .map(|parts| {
            parts
                .iter()
                .map(|p| match p {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(".")
        })
        .unwrap_or_default();
    let message = error
        .get("msg")
        .and_then(Value::as_str)
        .unwrap_or("invalid");
    if location.is_empty() {
        message.to_string()
    } else {
        format!("{location}: {message}")
    }
}

fn quote(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(MAX_QUOTED_BODY) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// Turns a generated call into `Result<T, PrefectError>`:
/// `client.read_flow(&id).value().await?`.
pub trait PrefectCall<T> {
    fn value(self) -> impl Future<Output = Result<T, PrefectError>> + Send;
}

impl<F, T, E> PrefectCall<T> for F
where
    F: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>> + Send,
    T: Send,
    E: std::fmt::Debug + Send,
{
    async fn value(self) -> Result<T, PrefectError> {
        match self.await {
            Ok(response) => Ok(response.into_inner()),
            Err(error) => Err(PrefectError::from_progenitor(error).await),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_carry_location_and_message() {
        let body = r#"{"exception_message":"Invalid request received.","exception_detail":[{"type":"extra_forbidden","loc":["body","flows","name","equals"],"msg":"Extra inputs are not permitted","input":"x"}],"request_body":{}}"#;
        let err = PrefectError::from_status(StatusCode::UNPROCESSABLE_ENTITY, body);
        assert_eq!(
            err,
            PrefectError::Validation {
                status: 422,
                message: "body.flows.name.equals: Extra inputs are not permitted".into()
            }
        );
    }

    #[test]
    fn detail_and_exception_message_are_used() {
        assert_eq!(
            PrefectError::from_status(StatusCode::NOT_FOUND, r#"{"detail":"Flow not found"}"#),
            PrefectError::NotFound {
                message: "Flow not found".into()
            }
        );
        assert_eq!(
            PrefectError::from_status(
                StatusCode::UNAUTHORIZED,
                r#"{"exception_message":"Unauthorized"}"#
            ),
            PrefectError::Unauthorized {
                status: 401,
                message: "Unauthorized".into()
            }
        );
        assert_eq!(
            PrefectError::from_status(StatusCode::BAD_GATEWAY, ""),
            PrefectError::Server {
                status: 502,
                message: "Bad Gateway".into()
            }
        );
    }
}
