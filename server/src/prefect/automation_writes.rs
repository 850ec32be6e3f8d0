//! Automation writes: from Prefect's own JSON definition, create, replace (by id) and delete;
//! and enable or disable one.
//!
//! A definition is strict on Prefect's side: unknown keys are a 422, including the `id`,
//! `created` and `updated` that a definition copied from get_automation carries, so those three
//! are dropped before it is sent. What Prefect refuses is its 422, passed on with its location.

use prefect_api::{types, PrefectCall};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::field_changes::already;
use super::Prefect;
use crate::errors::{ArgumentError, Doing, ToolError};
use crate::output::{quoted, AutomationChanged, AutomationView};

/// What get_automation answers that Prefect refuses in a definition.
const READ_ONLY_KEYS: [&str; 3] = ["id", "created", "updated"];

/// The definition as it is sent: without the read-only keys, and with the three keys Prefect
/// requires checked first, so that a missing one is named in our words.
pub fn definition_to_send(given: &Map<String, Value>) -> Result<Map<String, Value>, ToolError> {
    let mut definition = given.clone();
    for key in READ_ONLY_KEYS {
        definition.remove(key);
    }
    let missing = |key: &str, what: &str| ArgumentError::Decode {
        path: format!("definition.{key}"),
        problem: format!(
            "an automation definition needs {what}, e.g. {{\"name\": \"notify\", \"trigger\": \
             {{\"type\": \"event\", \"posture\": \"Reactive\", \"expect\": \
             [\"prefect.flow-run.Failed\"], \"threshold\": 1, \"within\": 0}}, \"actions\": \
             [{{\"type\": \"do-nothing\"}}]}}"
        ),
    };
    match definition.get("name") {
        Some(Value::String(name)) if !name.trim().is_empty() => {}
        _ => return Err(missing("name", "a non-empty \"name\"").into()),
    }
    if !definition.get("trigger").is_some_and(Value::is_object) {
        return Err(missing("trigger", "a \"trigger\" object").into());
    }
    if !definition.get("actions").is_some_and(Value::is_array) {
        return Err(missing("actions", "an \"actions\" list").into());
    }
    Ok(definition)
}

impl Prefect {
    pub async fn create_automation(
        &self,
        definition: &Map<String, Value>,
    ) -> Result<AutomationView, ToolError> {
        let created = self
            .client
            .create_automation_json(definition)
            .value()
            .await
            .doing("creating an automation")?;
        let action = "reading the automation Prefect created";
        let automation: types::Automation = serde_json::from_value(Value::Object(created))
            .map_err(|e| ToolError::UnexpectedAnswer {
                action: action.into(),
                problem: e.to_string(),
            })?;
        Ok(automation.into())
    }

    /// Replace the automation `id` with `definition` (its id stays), read back.
    pub async fn replace_automation(
        &self,
        id: Uuid,
        definition: &Map<String, Value>,
    ) -> Result<AutomationView, ToolError> {
        self.client
            .replace_automation_json(&id, definition)
            .value()
            .await
            .doing(format!("replacing automation {id}"))?;
        self.read_automation(&id.to_string()).await
    }

    pub async fn delete_automation(&self, id: Uuid) -> Result<(), ToolError> {
        self.client
            .delete_automation(&id)
            .value()
            .await
            .doing(format!("deleting automation {id}"))
    }

    /// Enable or disable the automation given by id or exact name.
    pub async fn set_automation_enabled(
        &self,
        wanted: &str,
        enabled: bool,
    ) -> Result<AutomationChanged, ToolError> {
        let automation = self.read_automation(wanted).await?;
        let body = types::AutomationPartialUpdate { enabled };
        self.client
            .patch_automation(&automation.id, &body)
            .value()
            .await
            .doing(format!("updating automation {:?}", automation.name))?;
        let now = if enabled {
            "enabled: its trigger acts again"
        } else {
            "disabled: its trigger does nothing until it is enabled"
        };
        Ok(AutomationChanged {
            automation_id: automation.id,
            message: format!(
                "Automation {} is {now}{}.",
                quoted(&automation.name),
                already(automation.enabled, enabled)
            ),
            automation_name: automation.name,
            enabled,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_copied_definition_loses_its_read_only_keys_and_a_missing_key_is_named() {
        let copied = json!({"id": "x", "created": "t", "updated": "t", "name": "n",
                            "trigger": {"type": "event", "id": "kept"}, "actions": []});
        let sent = definition_to_send(copied.as_object().unwrap()).unwrap();
        assert_eq!(
            Value::Object(sent),
            json!({"name": "n", "trigger": {"type": "event", "id": "kept"}, "actions": []})
        );
        let error = definition_to_send(json!({"name": "n", "actions": []}).as_object().unwrap())
            .unwrap_err();
        assert!(
            error.message().contains("definition.trigger")
                && error.message().contains("\"expect\""),
            "{}",
            error.message()
        );
    }
}
