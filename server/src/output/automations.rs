//! Views of automations.

use chrono::{DateTime, Utc};
use prefect_api::types;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::compact_json;

/// An automation: when it fires (trigger) and what it does (actions).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AutomationView {
    pub id: Uuid,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub enabled: bool,
    pub tags: Vec<String>,
    /// Prefect's trigger without empty fields: `type` (event, compound, sequence), `posture`
    /// (Reactive: on these events; Proactive: on their absence), `expect` (event names),
    /// `match`/`match_related` (resource labels), `threshold` events `within` seconds.
    pub trigger: Value,
    /// What it does when it fires, each with its `type` (run-deployment, cancel-flow-run,
    /// send-notification, ...) and settings.
    pub actions: Vec<Value>,
    /// Actions when the trigger starts firing (compound and proactive automations).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions_on_trigger: Vec<Value>,
    /// Actions when the trigger stops firing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions_on_resolve: Vec<Value>,
    pub created: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
}

/// Any of Prefect's (typed) JSON objects, compacted.
fn compact<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value)
        .ok()
        .and_then(compact_json)
        .unwrap_or(Value::Null)
}

fn compact_all<T: Serialize>(items: &[T]) -> Vec<Value> {
    items.iter().map(compact).collect()
}

impl From<types::Automation> for AutomationView {
    fn from(a: types::Automation) -> Self {
        AutomationView {
            id: a.id,
            name: a.name,
            description: Some(a.description).filter(|d| !d.trim().is_empty()),
            enabled: a.enabled,
            tags: a.tags,
            trigger: compact(&a.trigger),
            actions: compact_all(&a.actions),
            actions_on_trigger: compact_all(&a.actions_on_trigger),
            actions_on_resolve: compact_all(&a.actions_on_resolve),
            created: a.created,
            updated: a.updated,
        }
    }
}

list_view!(AutomationList, automations, AutomationView);

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn triggers_and_actions_lose_their_empty_fields() {
        // As Prefect 3.8 answers for an automation created by the sample world.
        let automation: types::Automation = serde_json::from_value(json!({
            "name": "mcp-notify-on-failure", "description": "", "enabled": true, "tags": [],
            "trigger": {
                "type": "event", "id": "69f97d52-d068-42aa-a2c9-3dc505bafb63",
                "match": {"prefect.resource.id": "prefect.flow-run.*"},
                "match_related": {}, "after": [], "expect": ["prefect.flow-run.Failed"],
                "for_each": [], "posture": "Reactive", "threshold": 1, "within": 0.0
            },
            "actions": [{"type": "change-flow-run-state", "name": null, "state": "CANCELLED",
                         "message": "x", "force": false}],
            "actions_on_trigger": [], "actions_on_resolve": [],
            "id": "c7134d07-efd4-46e2-b45b-2763d7b20d55",
            "created": "2026-11-25T19:01:38.568598Z", "updated": "2026-11-25T19:01:38.568611Z"
        }))
        .unwrap();
        let view = AutomationView::from(automation);
        assert_eq!(view.description, None);
        assert_eq!(view.trigger["expect"], json!(["prefect.flow-run.Failed"]));
        assert_eq!(view.trigger["posture"], "Reactive");
        assert!(view.trigger.get("after").is_none() && view.trigger.get("match_related").is_none());
        assert_eq!(
            view.actions[0],
            json!({"type": "change-flow-run-state", "state": "CANCELLED", "message": "x", "force": false})
        );
    }
}
