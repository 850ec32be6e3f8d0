//! Event tools: read_events.

use chrono::{DateTime, Duration, Utc};
use rmcp::{tool, tool_router, Json};
use schemars::JsonSchema;
use serde::Deserialize;

use super::args::{self, Parameters};
use crate::errors::{ArgumentError, ToolError};
use crate::mcp::declarations::Declaration;
use crate::mcp::server::McpServer;
use crate::output::EventList;
use crate::prefect::events::EventQuery;

pub(crate) const DECLARED: &[Declaration] = &[Declaration::reads("read_events")];

const DEFAULT_EVENTS_LIMIT: i64 = 50;
/// The window searched when `since` is not given, back from `until`.
const DEFAULT_WINDOW_HOURS: i64 = 24;

fn default_events_limit() -> i64 {
    DEFAULT_EVENTS_LIMIT
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadEventsArgs {
    /// Start of the event name, e.g. "prefect.flow-run." or "prefect.flow-run.Failed".
    #[serde(default)]
    pub event_prefix: Option<String>,
    /// A resource the events involve, e.g. "prefect.flow-run.<uuid>".
    #[serde(default)]
    pub resource_id: Option<String>,
    /// RFC 3339 time: events at or after it (default: 24 h before `until`).
    #[serde(default)]
    pub since: Option<String>,
    /// RFC 3339 time: events at or before it (default: now).
    #[serde(default)]
    pub until: Option<String>,
    /// Most events to return, 1-200.
    #[serde(default = "default_events_limit")]
    pub limit: i64,
}

fn timestamp(field: &'static str, value: &str) -> Result<DateTime<Utc>, ToolError> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            ArgumentError::NotATimestamp {
                field,
                value: value.to_string(),
                problem: e.to_string(),
            }
            .into()
        })
}

/// A resource id as events carry it. A bare UUID does not say what kind of object it is.
fn resource_id(value: &str) -> Result<String, ToolError> {
    if uuid::Uuid::parse_str(value).is_ok() {
        return Err(ArgumentError::BareUuidResource {
            value: value.to_string(),
        }
        .into());
    }
    Ok(value.to_string())
}

#[tool_router(router = events_tools, vis = "pub(crate)")]
impl McpServer {
    /// Read Prefect events (state changes, automation actions, ...), newest first, from the
    /// last 24 hours unless `since`/`until` say otherwise; `total` counts every match.
    #[tool]
    async fn read_events(
        &self,
        Parameters(args): Parameters<ReadEventsArgs>,
    ) -> Result<Json<EventList>, ToolError> {
        let prefix = args::non_blank(args.event_prefix.as_deref()).map(String::from);
        let resource = args::non_blank(args.resource_id.as_deref())
            .map(resource_id)
            .transpose()?;
        let until = args::non_blank(args.until.as_deref())
            .map(|t| timestamp("until", t))
            .transpose()?
            .unwrap_or_else(Utc::now);
        let since = args::non_blank(args.since.as_deref())
            .map(|t| timestamp("since", t))
            .transpose()?
            .unwrap_or(until - Duration::hours(DEFAULT_WINDOW_HOURS));
        if since > until {
            return Err(ArgumentError::SinceAfterUntil {
                since: since.to_rfc3339(),
                until: until.to_rfc3339(),
            }
            .into());
        }
        let limit = args::limit(args.limit)?;
        self.prefect
            .read_events(EventQuery {
                prefix,
                resource,
                since,
                until,
                limit,
            })
            .await
            .map(Json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_need_rfc3339_with_a_zone() {
        assert!(timestamp("since", "2025-05-01T12:00:00Z").is_ok());
        assert!(timestamp("since", "2025-05-01T14:00:00+02:00").is_ok());
        let err = timestamp("since", "yesterday").unwrap_err().message();
        assert!(err.contains("since must be an RFC 3339 timestamp"), "{err}");
        assert!(timestamp("until", "2025-05-01 12:00:00").is_err());
    }

    #[test]
    fn bare_uuids_are_not_resource_ids() {
        let err = resource_id("2f9a6c1e-8d3b-4a8e-9c55-0d1e2f3a4b5c")
            .unwrap_err()
            .message();
        assert!(
            err.contains("prefect.flow-run.2f9a6c1e-8d3b-4a8e-9c55-0d1e2f3a4b5c"),
            "{err}"
        );
        assert!(resource_id("prefect.flow-run.2f9a6c1e-8d3b-4a8e-9c55-0d1e2f3a4b5c").is_ok());
    }
}
