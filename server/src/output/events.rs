//! Views of events, and the JSON compaction shared by views that pass Prefect's JSON through.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use prefect_api::types;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::cap_text;

/// Strings inside passed-through JSON (payloads, labels, automation actions) are capped here.
pub const MAX_JSON_STRING_CHARS: usize = 500;
/// A payload larger than this, once compacted, is left out (its size is reported instead).
pub const MAX_PAYLOAD_BYTES: usize = 500;

/// JSON without nulls, empty strings, arrays and objects, and with long strings capped: what is
/// left says something.
pub fn compact_json(value: Value) -> Option<Value> {
    match value {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(Value::String(cap_text(&s, MAX_JSON_STRING_CHARS))),
        Value::Array(items) => {
            let items: Vec<Value> = items.into_iter().filter_map(compact_json).collect();
            (!items.is_empty()).then_some(Value::Array(items))
        }
        Value::Object(fields) => {
            let fields: serde_json::Map<String, Value> = fields
                .into_iter()
                .filter_map(|(k, v)| compact_json(v).map(|v| (k, v)))
                .collect();
            (!fields.is_empty()).then_some(Value::Object(fields))
        }
        other => Some(other),
    }
}

const RESOURCE_ID: &str = "prefect.resource.id";
const RESOURCE_NAME: &str = "prefect.resource.name";
const RESOURCE_ROLE: &str = "prefect.resource.role";
const TAG_PREFIX: &str = "prefect.tag.";

/// The resource an event is about.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EventResourceView {
    /// e.g. "prefect.flow-run.<uuid>".
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its other labels, e.g. prefect.state-type, prefect.state-message (empty ones left out).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

/// Another resource involved in an event (its flow, deployment, tags, ...).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RelatedResourceView {
    /// e.g. "flow", "deployment", "tag", "flow-run".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// An event.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EventView {
    pub id: Uuid,
    pub occurred: DateTime<Utc>,
    /// The event's name, e.g. "prefect.flow-run.Failed".
    pub event: String,
    pub resource: EventResourceView,
    /// The other resources involved (flow, deployment, work pool, ...), tags aside.
    pub related: Vec<RelatedResourceView>,
    /// Tags of the resource (related resources "prefect.tag.<tag>"), as plain tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The event's payload, without empty values, when it is small.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<Value>,
    /// Set when the payload was left out for its size (bytes of compact JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload_omitted_bytes: Option<usize>,
}

impl From<types::ReceivedEvent> for EventView {
    fn from(event: types::ReceivedEvent) -> Self {
        let mut labels: BTreeMap<String, String> = event
            .resource
            .0
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k, cap_text(&v, MAX_JSON_STRING_CHARS)))
            .collect();
        let resource = EventResourceView {
            id: labels.remove(RESOURCE_ID).unwrap_or_default(),
            name: labels.remove(RESOURCE_NAME),
            labels,
        };
        let mut tags = Vec::new();
        let mut related = Vec::new();
        for r in event.related {
            let mut r = r.0;
            let view = RelatedResourceView {
                role: r.remove(RESOURCE_ROLE),
                id: r.remove(RESOURCE_ID).unwrap_or_default(),
                name: r.remove(RESOURCE_NAME),
            };
            // Tags are most of an event's related resources; as plain names they stay short.
            match view.id.strip_prefix(TAG_PREFIX) {
                Some(tag) if view.role.as_deref() == Some("tag") => tags.push(tag.to_string()),
                _ => related.push(view),
            }
        }
        let payload = compact_json(Value::Object(event.payload));
        let size = payload
            .as_ref()
            .map_or(0, |p| serde_json::to_string(p).map_or(0, |s| s.len()));
        let (payload, payload_omitted_bytes) = if size > MAX_PAYLOAD_BYTES {
            (None, Some(size))
        } else {
            (payload, None)
        };
        EventView {
            id: event.id,
            occurred: event.occurred,
            event: event.event,
            resource,
            related,
            tags,
            payload,
            payload_omitted_bytes,
        }
    }
}

/// Events, newest first.
#[derive(Debug, Serialize, JsonSchema)]
pub struct EventList {
    /// Newest first.
    pub events: Vec<EventView>,
    /// How many events this answer holds.
    pub count: usize,
    /// How many events match the filter in Prefect, over all pages.
    pub total: i64,
    /// Whether more matching events exist than this answer holds (older ones: narrow the
    /// time window or raise the limit).
    pub more_available: bool,
    /// The time window searched.
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn compaction_drops_empty_values_and_caps_strings() {
        let long = "x".repeat(2 * MAX_JSON_STRING_CHARS);
        let compact = compact_json(json!({
            "a": null, "b": "", "c": [], "d": {"e": null}, "f": 0, "g": false,
            "h": [null, 1], "i": long
        }))
        .unwrap();
        assert_eq!(compact["f"], 0);
        assert_eq!(compact["g"], false);
        assert_eq!(compact["h"], json!([1]));
        assert!(compact.get("a").is_none() && compact.get("d").is_none());
        assert!(compact["i"].as_str().unwrap().contains("truncated"));
        assert_eq!(compact_json(json!({"a": {"b": []}})), None);
    }

    fn event(payload: Value) -> types::ReceivedEvent {
        serde_json::from_value(json!({
            "occurred": "2026-01-01T00:00:00Z",
            "event": "prefect.flow-run.Failed",
            "resource": {
                "prefect.resource.id": "prefect.flow-run.1",
                "prefect.resource.name": "seed-fail",
                "prefect.state-message": "",
                "prefect.state-type": "FAILED"
            },
            "related": [{
                "prefect.resource.id": "prefect.flow.2",
                "prefect.resource.role": "flow",
                "prefect.resource.name": "mcp-fail"
            }, {
                "prefect.resource.id": "prefect.tag.seed",
                "prefect.resource.role": "tag"
            }],
            "payload": payload,
            "id": "01a21414-09a0-7550-8964-7e6bad69c72d",
            "follows": null,
            "received": "2026-01-01T00:00:01Z"
        }))
        .unwrap()
    }

    #[test]
    fn events_name_their_resources_and_drop_empty_labels() {
        let view = EventView::from(event(json!({"intended": {"to": "FAILED"}})));
        assert_eq!(view.resource.id, "prefect.flow-run.1");
        assert_eq!(view.resource.name.as_deref(), Some("seed-fail"));
        assert_eq!(
            view.resource.labels.keys().collect::<Vec<_>>(),
            ["prefect.state-type"]
        );
        assert_eq!(view.related.len(), 1);
        assert_eq!(view.related[0].role.as_deref(), Some("flow"));
        assert_eq!(view.tags, ["seed"]);
        assert_eq!(view.payload, Some(json!({"intended": {"to": "FAILED"}})));
    }

    #[test]
    fn large_payloads_are_left_out_with_their_size() {
        let view = EventView::from(event(json!({"big": "y".repeat(MAX_JSON_STRING_CHARS)})));
        assert!(view.payload.is_none());
        assert!(view.payload_omitted_bytes.unwrap() > MAX_PAYLOAD_BYTES);
    }
}
