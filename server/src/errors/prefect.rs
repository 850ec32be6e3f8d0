//! Prefect's own failures, worded with what the tool was doing when they happened.

use prefect_api::PrefectError;

use super::ToolError;

pub(super) fn describe(action: &str, error: &PrefectError) -> String {
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

/// Attach what the tool was doing to a client error: `call.await.doing("reading flow x")?`.
pub trait Doing<T> {
    fn doing(self, action: impl Into<String>) -> Result<T, ToolError>;
    /// Like `doing`, where Prefect's 404 means "there is none" rather than a failure (a deleted
    /// deployment, an endpoint an older server lacks).
    fn doing_or_none(self, action: impl Into<String>) -> Result<Option<T>, ToolError>;
}

impl<T> Doing<T> for Result<T, PrefectError> {
    fn doing(self, action: impl Into<String>) -> Result<T, ToolError> {
        self.map_err(|source| ToolError::Prefect {
            action: action.into(),
            source,
        })
    }

    fn doing_or_none(self, action: impl Into<String>) -> Result<Option<T>, ToolError> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(PrefectError::NotFound { .. }) => Ok(None),
            Err(source) => Err(ToolError::Prefect {
                action: action.into(),
                source,
            }),
        }
    }
}

/// Whether `error` is Prefect's 404, for callers that hold a `ToolError` already.
pub fn is_not_found(error: &ToolError) -> bool {
    matches!(
        error,
        ToolError::Prefect {
            source: PrefectError::NotFound { .. },
            ..
        }
    )
}
