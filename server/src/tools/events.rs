//! Event tools: read_events.

use chrono::{DateTime, Duration, Utc};
use prefect_api::{types, PrefectCall};
use rmcp::{tool, tool_router, Json};
use schemars::JsonSchema;
use serde::Deserialize;

use super::args::{self, Parameters};
use crate::errors::{ArgumentError, Doing, ToolError};
use crate::output::{EventList, EventView};
use crate::server::PrefectServer;

/// Prefect's largest events page; more come through `next_page`.
const EVENTS_PAGE_SIZE: i64 = 50;
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
    /// A resource the events involve, e.g. "prefect.flow-run.<uuid>" or
    /// "prefect.deployment.<uuid>".
    #[serde(default)]
    pub resource_id: Option<String>,
    /// RFC 3339 time, e.g. "2025-05-01T12:00:00Z": events at or after it (default: 24 h
    /// before `until`).
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

/// The page token of Prefect's `next_page` URL (`.../events/filter/next?page-token=<token>`).
/// Only the token is used: the URL's host is what Prefect saw, which behind a proxy is not the
/// configured API URL.
fn page_token(next_page: &str) -> Option<String> {
    let query = next_page.split_once('?')?.1;
    let raw = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("page-token="))?;
    percent_decode(raw).filter(|t| !t.is_empty())
}

/// `%XX` escapes decoded; `+` is left alone, since Prefect writes base64 tokens unescaped.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[tool_router(router = events_tools, vis = "pub(crate)")]
impl PrefectServer {
    /// Read Prefect events (run state changes, deployment and work pool changes, automation
    /// actions, ...), newest first, from the last 24 hours unless `since`/`until` say
    /// otherwise; `total` says how many match in all.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
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
        let filter = types::EventFilter {
            event: prefix.map(|p| types::EventNameFilter {
                prefix: Some(vec![p]),
                ..Default::default()
            }),
            any_resource: resource.map(|id| {
                types::EventAnyResourceFilter {
                    id: Some(vec![id]),
                    ..Default::default()
                }
                .into()
            }),
            occurred: Some(types::EventOccurredFilter {
                since: Some(since),
                until: Some(until),
            }),
            order: Some(types::EventOrder("DESC".into())),
            ..Default::default()
        };
        let (events, total) = self.read_event_pages(filter, limit as usize).await?;
        Ok(Json(EventList {
            count: events.len(),
            more_available: total > events.len() as i64,
            events,
            total,
            since,
            until,
        }))
    }
}

impl PrefectServer {
    /// Up to `limit` events, following `next_page` while Prefect has more; and Prefect's total.
    async fn read_event_pages(
        &self,
        filter: types::EventFilter,
        limit: usize,
    ) -> Result<(Vec<EventView>, i64), ToolError> {
        let body = types::BodyReadEventsEventsFilterPost {
            filter: Some(filter),
            limit: (limit as i64).min(EVENTS_PAGE_SIZE),
        };
        let mut page = self
            .client
            .read_events(&body)
            .value()
            .await
            .doing("reading events")?;
        let total = page.total;
        let mut events: Vec<EventView> = Vec::new();
        loop {
            let received = page.events.len();
            events.extend(page.events.into_iter().map(EventView::from));
            let next = match page.next_page {
                Some(next) if events.len() < limit && received > 0 => next,
                _ => break,
            };
            let token = page_token(&next).ok_or_else(|| ToolError::UnexpectedAnswer {
                action: "reading the next page of events".into(),
                problem: format!("next_page {next:?} carries no page-token"),
            })?;
            page = self
                .client
                .read_account_events_page(&token)
                .value()
                .await
                .doing("reading the next page of events")?;
        }
        events.truncate(limit);
        Ok((events, total))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_tokens_come_from_the_query_unaltered() {
        let next = "http://proxy.invalid/api/events/filter/next?page-token=eyJh+b/c==";
        assert_eq!(page_token(next).as_deref(), Some("eyJh+b/c=="));
        assert_eq!(
            page_token("http://x/next?a=1&page-token=ab%3D%3D").as_deref(),
            Some("ab==")
        );
        assert_eq!(page_token("http://x/next"), None);
        assert_eq!(page_token("http://x/next?page-token="), None);
    }

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
