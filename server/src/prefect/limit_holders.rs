//! What holds a concurrency limit's slots: Prefect keeps only a count, but each acquisition and
//! release inside a run is an event ("prefect.concurrency-limit.acquired" / ".released") whose
//! related resources name the flow run and task run. An acquisition not yet released is a holder.
//! Slots taken outside a run (through the API), or whose events are older than the window, have
//! no known holder and are counted as such.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use prefect_api::types;
use uuid::Uuid;

use super::Prefect;
use crate::errors::ToolError;
use crate::output::{ConcurrencyLimitView, EventView, SlotHolder};

const ACQUIRED: &str = "prefect.concurrency-limit.acquired";
const RELEASED: &str = "prefect.concurrency-limit.released";
const LIMIT_RESOURCE: &str = "prefect.concurrency-limit.";
/// Prefect keeps events for 7 days unless told otherwise.
const LOOKBACK_DAYS: i64 = 7;
/// The newest acquisitions and releases read, across the limits that have slots held.
const EVENTS_READ: usize = 200;

/// Who an event is about: the limit, then the run (flow run, and task run when inside one).
type HolderKey = (String, Option<Uuid>, Option<Uuid>);

fn related_run(event: &EventView, prefix: &str) -> Option<Uuid> {
    event
        .related
        .iter()
        .find_map(|r| r.id.strip_prefix(prefix))
        .and_then(|id| Uuid::parse_str(id).ok())
}

fn key(event: &EventView) -> HolderKey {
    (
        event.resource.id.clone(),
        related_run(event, "prefect.flow-run."),
        related_run(event, "prefect.task-run."),
    )
}

/// The acquisitions not released, per limit resource id, newest first, from events newest
/// first: walking back in time, each release cancels the next earlier acquisition of its key.
pub fn unreleased(events: &[EventView]) -> HashMap<String, Vec<SlotHolder>> {
    let mut pending_releases: HashMap<HolderKey, u32> = HashMap::new();
    let mut holders: HashMap<String, Vec<SlotHolder>> = HashMap::new();
    for event in events {
        let key = key(event);
        match event.event.as_str() {
            RELEASED => *pending_releases.entry(key).or_default() += 1,
            ACQUIRED => match pending_releases.get_mut(&key) {
                Some(pending) if *pending > 0 => *pending -= 1,
                _ => holders.entry(key.0).or_default().push(SlotHolder {
                    flow_run_id: key.1,
                    task_run_id: key.2,
                    since: event.occurred,
                    slots: event
                        .resource
                        .labels
                        .get("slots-acquired")
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(1),
                }),
            },
            _ => {}
        }
    }
    holders
}

impl Prefect {
    /// Fill in `held_by` (and the slots no event explains) for each limit with slots held.
    pub async fn add_limit_holders(
        &self,
        limits: &mut [ConcurrencyLimitView],
    ) -> Result<(), ToolError> {
        let held: Vec<String> = limits
            .iter()
            .filter(|l| l.active_slots > 0)
            .map(|l| format!("{LIMIT_RESOURCE}{}", l.id))
            .collect();
        if held.is_empty() {
            return Ok(());
        }
        let now = Utc::now();
        let filter = types::EventFilter {
            event: Some(types::EventNameFilter {
                name: Some(vec![ACQUIRED.into(), RELEASED.into()]),
                ..Default::default()
            }),
            resource: Some(types::EventResourceFilter {
                id: Some(held),
                ..Default::default()
            }),
            occurred: Some(types::EventOccurredFilter {
                since: Some(now - Duration::days(LOOKBACK_DAYS)),
                until: Some(now),
            }),
            order: Some(types::EventOrder("DESC".into())),
            ..Default::default()
        };
        // Holders are an addition to the list: without events (a Prefect that refuses them),
        // the limits are still answered, with who holds them unknown.
        let events = match self.read_event_pages(filter, EVENTS_READ).await {
            Ok((events, _)) => events,
            Err(error) => {
                tracing::warn!(error = %error.message(), "slot holders left out: events unreadable");
                return Ok(());
            }
        };
        let mut holders = unreleased(&events);
        for limit in limits.iter_mut().filter(|l| l.active_slots > 0) {
            let mut found = holders
                .remove(&format!("{LIMIT_RESOURCE}{}", limit.id))
                .unwrap_or_default();
            // A reset frees slots without release events: only as many holders as slots held.
            let mut explained = 0;
            found.retain(|h| {
                explained += h.slots;
                explained <= limit.active_slots
            });
            limit.unexplained_slots =
                Some(limit.active_slots - found.iter().map(|h| h.slots).sum::<i64>());
            limit.held_by = Some(found);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn event(name: &str, limit: &str, flow_run: &str, occurred: &str) -> EventView {
        let event: types::ReceivedEvent = serde_json::from_value(json!({
            "id": Uuid::new_v4(), "occurred": occurred, "received": occurred, "event": name,
            "resource": {"prefect.resource.id": format!("prefect.concurrency-limit.{limit}"),
                         "slots-acquired": "1"},
            "related": [{"prefect.resource.id": format!("prefect.flow-run.{flow_run}"),
                         "prefect.resource.role": "flow-run"}],
            "payload": {}
        }))
        .unwrap();
        event.into()
    }

    #[test]
    fn an_acquisition_released_later_holds_nothing_and_one_not_released_holds() {
        let (limit, a, b) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let (limit, a, b) = (limit.to_string(), a.to_string(), b.to_string());
        // Newest first: b acquired and still holds; a acquired twice, released once.
        let events = [
            event(ACQUIRED, &limit, &b, "2026-12-07T10:03:00Z"),
            event(RELEASED, &limit, &a, "2026-12-07T10:02:00Z"),
            event(ACQUIRED, &limit, &a, "2026-12-07T10:01:00Z"),
            event(ACQUIRED, &limit, &a, "2026-12-07T10:00:00Z"),
        ];
        let holders = unreleased(&events);
        let held = &holders[&format!("prefect.concurrency-limit.{limit}")];
        let runs: Vec<String> = held
            .iter()
            .map(|h| h.flow_run_id.unwrap().to_string())
            .collect();
        assert_eq!(runs, [b, a]);
        assert_eq!(held[1].since.to_rfc3339(), "2026-12-07T10:00:00+00:00");
    }
}
