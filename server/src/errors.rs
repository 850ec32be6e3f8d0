//! The one place where failures become MCP tool errors.
//!
//! Tools return `Result<_, ToolError>`; rmcp turns the `Err` side into a result with
//! `isError: true` whose text is [`ToolError::message`]. Every message names the object, the
//! cause and what to do about it. Messages never contain credentials: the client's errors carry
//! URLs without user info, and no message here quotes a header.

use prefect_api::PrefectError;
use rmcp::model::{ContentBlock, IntoContents};

#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// The arguments are wrong; nothing was sent to Prefect.
    #[error("{0}")]
    InvalidArgument(String),
    /// Prefect answered with an error, or could not be reached, while doing `action`.
    #[error("{action}: {source}")]
    Prefect {
        /// What the tool was doing, e.g. "reading flow run 0b7c…".
        action: String,
        source: PrefectError,
    },
    /// A lookup Prefect answered, but by name and with nothing matching (Prefect's own 404s are
    /// [`ToolError::Prefect`]). `what` names it: `automation "nightly"`.
    #[error("{what} was not found")]
    NotFound { what: String, hint: String },
    /// Prefect's orchestration refused a state change (ABORT or REJECT).
    #[error("{0}")]
    Refused(String),
    /// The client cancelled the request; what was already done in Prefect stays done.
    #[error("{0}")]
    Cancelled(String),
}

impl ToolError {
    pub fn invalid(message: impl Into<String>) -> Self {
        ToolError::InvalidArgument(message.into())
    }

    /// The text the client sees.
    pub fn message(&self) -> String {
        match self {
            ToolError::InvalidArgument(message) => format!("Invalid arguments: {message}"),
            ToolError::Refused(message) | ToolError::Cancelled(message) => message.clone(),
            ToolError::NotFound { what, hint } => format!("Not found: there is no {what}. {hint}"),
            ToolError::Prefect { action, source } => describe(action, source),
        }
    }
}

fn describe(action: &str, error: &PrefectError) -> String {
    match error {
        PrefectError::NotFound { message } => format!(
            "Not found while {action}: Prefect says \"{message}\". Check the id or name \
             (the list_* and search_* tools show what exists)."
        ),
        PrefectError::Validation { status, message } => {
            format!("Prefect rejected the request while {action} ({status}): {message}")
        }
        PrefectError::Unauthorized { status, message } => format!(
            "Prefect refused the credentials while {action} ({status}: {message}). Check \
             PREFECT_API_KEY (Prefect Cloud) or PREFECT_API_AUTH_STRING (a server with basic \
             auth), or the active Prefect profile."
        ),
        PrefectError::Unreachable { url, message } => format!(
            "Cannot reach Prefect at {url} while {action} ({message}). Is the Prefect server \
             running? Set PREFECT_API_URL to its API URL, e.g. http://127.0.0.1:4200/api."
        ),
        PrefectError::Timeout { url, .. } => format!(
            "Prefect at {url} did not answer in time while {action}. The server may be \
             overloaded; try again, or raise the timeout (--timeout / PREFECT_MCP_TIMEOUT_SECONDS)."
        ),
        PrefectError::Server { status, message } => format!(
            "Prefect failed while {action} ({status}): {message}. This is a server-side \
             problem; try again later."
        ),
        PrefectError::Decode { message } => format!(
            "Prefect's answer could not be understood while {action}: {message}. The server \
             may run a Prefect version this client does not support."
        ),
        PrefectError::ResponseTooLarge { message } => format!(
            "Prefect's answer was too large while {action} ({message}). Ask for less: a smaller \
             limit or a narrower filter."
        ),
        PrefectError::InvalidConfig { message } | PrefectError::Request { message } => {
            format!("Could not send the request while {action}: {message}")
        }
    }
}

impl IntoContents for ToolError {
    fn into_contents(self) -> Vec<ContentBlock> {
        vec![ContentBlock::text(self.message())]
    }
}

/// Attach what the tool was doing to a client error: `call.await.doing("reading flow x")?`.
pub trait Doing<T> {
    fn doing(self, action: impl Into<String>) -> Result<T, ToolError>;
}

impl<T> Doing<T> for Result<T, PrefectError> {
    fn doing(self, action: impl Into<String>) -> Result<T, ToolError> {
        self.map_err(|source| ToolError::Prefect {
            action: action.into(),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreachable_names_url_and_fix() {
        let err = ToolError::Prefect {
            action: "listing flows".into(),
            source: PrefectError::Unreachable {
                url: "http://127.0.0.1:9/api/flows/filter".into(),
                message: "Connection refused".into(),
            },
        };
        let text = err.message();
        assert!(text.contains("http://127.0.0.1:9/api"), "{text}");
        assert!(text.contains("PREFECT_API_URL"), "{text}");
    }

    #[test]
    fn unauthorized_points_at_credentials() {
        let err = ToolError::Prefect {
            action: "listing flows".into(),
            source: PrefectError::Unauthorized {
                status: 401,
                message: "Unauthorized".into(),
            },
        };
        assert!(err.message().contains("PREFECT_API_KEY"));
    }
}
