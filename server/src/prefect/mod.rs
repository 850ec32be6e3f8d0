//! The Prefect layer: what the server knows how to do with a Prefect server, and nothing about
//! how it is asked (MCP lives above, in `crate::mcp`, and calls down into this; never the
//! reverse). Tools, resources, prompts and completions all share these operations: reading and
//! resolving runs and deployments, waits, state-name checks, pool health, diagnosis, counts,
//! logs and events.
//!
//! Failures are typed [`crate::errors::ToolError`]s; answers are the views of [`crate::output`].

use std::sync::Arc;

use crate::errors::{ArgumentError, ToolError};

/// What the layers above hold or read of the generated client, named through this layer so that
/// it alone names `prefect_api` (and alone builds its request types): the client and its builder
/// (how a [`Prefect`] is made), the credentials a request brings, and the errors a failure
/// carries (`ToolError::Prefect`'s source), to tell failures apart.
pub use prefect_api::{Auth, Client, ClientBuilder, PrefectError};

pub mod artifacts;
pub mod automation_writes;
pub mod automations;
pub mod blocks;
pub mod concurrency;
pub mod counts;
pub mod deletes;
pub mod deployment_runs;
pub mod deployment_schedules;
pub mod deployment_writes;
pub mod deployments;
pub mod diagnose;
pub mod events;
pub mod field_changes;
pub mod flow_run_writes;
pub mod flow_runs;
pub mod flows;
pub mod limit_holders;
pub mod logs;
pub mod parameters;
pub mod pool_settings;
pub mod query;
pub mod raw_filters;
pub mod run_events;
pub mod server_info;
pub mod states;
pub mod task_runs;
pub mod variables;
pub mod waits;
pub mod work_pool_writes;
pub mod work_pools;

/// `value` as one segment of a Prefect URL path, or an error before any request: `.` and `..`
/// would be resolved away (`"../<id>"` as a flow name reached `/deployments/<id>`), and a
/// separator would start another segment.
pub(crate) fn path_segment<'a>(field: &'static str, value: &'a str) -> Result<&'a str, ToolError> {
    let trimmed = value.trim();
    if trimmed == "." || trimmed == ".." || value.contains(['/', '\\']) {
        return Err(ArgumentError::NotAName {
            field,
            value: value.to_string(),
        }
        .into());
    }
    Ok(value)
}

/// A Prefect server, reached through one client.
#[derive(Clone)]
pub struct Prefect {
    pub(crate) client: Arc<Client>,
    /// How requests authenticate ("none", "api key (Bearer)", ...), for the server info.
    auth_kind: &'static str,
    /// The runs watched with this credential, kept up to date by one event stream.
    run_events: Arc<run_events::RunEvents>,
}

impl Prefect {
    pub fn new(client: Client, auth_kind: &'static str) -> Self {
        Prefect {
            client: Arc::new(client),
            auth_kind,
            run_events: Arc::default(),
        }
    }

    /// The Prefect API URL.
    pub fn api_url(&self) -> &str {
        self.client.api_url()
    }

    pub fn auth_kind(&self) -> &'static str {
        self.auth_kind
    }
}

/// One of several objects a name could mean, as a person would choose between them: the id,
/// and what tells it apart from the others.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: String,
    pub label: String,
}

#[cfg(test)]
mod tests {
    use super::path_segment;

    #[test]
    fn path_segments_and_separators_are_not_names() {
        for bad in [".", "..", " .. ", "../0b6f", "a/b", "a\\b"] {
            let error = path_segment("flow name", bad).unwrap_err();
            assert_eq!(error.kind(), "invalid_argument", "{bad:?}");
            assert!(error.message().contains("is not a name"), "{bad:?}");
        }
        for good in ["mcp-hello", "etl.daily", "...", "a..b"] {
            assert_eq!(path_segment("flow name", good).unwrap(), good);
        }
    }
}
