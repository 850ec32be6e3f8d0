//! Events: a window of them, newest first, following Prefect's pages.

use chrono::{DateTime, Utc};
use prefect_api::{types, PrefectCall};

use super::Prefect;
use crate::errors::{Doing, ToolError};
use crate::output::{EventList, EventView};

/// Prefect's largest events page; more come through `next_page`.
const EVENTS_PAGE_SIZE: i64 = 50;

/// Which events: all filters optional but the window.
#[derive(Debug, Clone)]
pub struct EventQuery {
    /// Start of the event name.
    pub prefix: Option<String>,
    /// A resource the events involve.
    pub resource: Option<String>,
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub limit: i64,
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

impl Prefect {
    /// Up to `limit` events of the window, newest first, and how many match in all.
    pub async fn read_events(&self, query: EventQuery) -> Result<EventList, ToolError> {
        let EventQuery {
            prefix,
            resource,
            since,
            until,
            limit,
        } = query;
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
        Ok(EventList {
            count: events.len(),
            more_available: total > events.len() as i64,
            events,
            total,
            since,
            until,
        })
    }

    /// Up to `limit` events, following `next_page` while Prefect has more; and Prefect's total.
    pub(super) async fn read_event_pages(
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
}
