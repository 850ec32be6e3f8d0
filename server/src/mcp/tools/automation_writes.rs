//! Automation write tools (toolset automations): enable_automation, disable_automation,
//! set_automation, delete_automation. Enabling is undone by its twin and creating replaces
//! nothing, so those do not ask; replacing and deleting do.

use rmcp::service::RequestContext;
use rmcp::{tool, tool_router, Json, RoleServer};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::args::{self, Parameters};
use super::automations::AutomationArgs;
use crate::errors::{ArgumentError, ToolError};
use crate::mcp::ask::{confirm_target, Asker};
use crate::mcp::audit;
use crate::mcp::declarations::Declaration;
use crate::mcp::server::McpServer;
use crate::output::{quoted, quoted_value_within, AutomationChanged, AutomationView, Deleted};
use crate::prefect::automation_writes::definition_to_send;

pub(crate) const DECLARED: &[Declaration] = &[
    Declaration::writes("enable_automation").idempotent(),
    Declaration::writes("disable_automation").idempotent(),
    Declaration::destroys("set_automation").asks_when("replacing one"),
    Declaration::destroys("delete_automation"),
];

/// The longest definition a person is shown whole before it replaces an automation.
const SHOWN_DEFINITION_CHARS: usize = 4000;
/// How much of the current trigger the question shows.
const SHOWN_TRIGGER_CHARS: usize = 300;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetAutomationArgs {
    /// Prefect's automation JSON (name, trigger, actions, ...), as get_automation answers.
    pub definition: Map<String, Value>,
    /// Automation UUID or exact name to replace (asks first); omit to create one.
    #[serde(default)]
    pub automation: Option<String>,
}

/// An automation as it is now, as a question shows it: its name, whether it is enabled, its
/// trigger and its actions' types.
fn described(automation: &AutomationView) -> String {
    let actions: Vec<&str> = automation
        .actions
        .iter()
        .filter_map(|a| a.get("type").and_then(Value::as_str))
        .collect();
    format!(
        "automation {} ({}; trigger {}; actions {})",
        quoted(&automation.name),
        if automation.enabled {
            "enabled"
        } else {
            "disabled"
        },
        quoted_value_within(&automation.trigger, SHOWN_TRIGGER_CHARS),
        quoted_value_within(&Value::from(actions), SHOWN_TRIGGER_CHARS)
    )
}

impl McpServer {
    async fn automation_enabled(
        &self,
        args: AutomationArgs,
        enabled: bool,
    ) -> Result<Json<AutomationChanged>, ToolError> {
        let wanted = args::name("automation", &args.automation)?;
        let changed = self.prefect.set_automation_enabled(wanted, enabled).await?;
        audit::target(changed.automation_id, Some(&changed.automation_name));
        Ok(Json(changed))
    }

    /// The automation given, once the person has said yes to `question` about it as it is.
    async fn confirmed_automation(
        &self,
        given: &str,
        context: &RequestContext<RoleServer>,
        question: impl FnOnce(&AutomationView) -> String,
    ) -> Result<AutomationView, ToolError> {
        let wanted = args::name("automation", given)?;
        let automation = self.prefect.read_automation(wanted).await?;
        confirm_target(
            &Asker::of(context),
            automation.id,
            Some(&automation.name),
            &question(&automation),
        )
        .await?;
        Ok(automation)
    }
}

#[tool_router(router = automation_writes_tools, vis = "pub(crate)")]
impl McpServer {
    /// Enable an automation (by UUID or exact name): its trigger acts again.
    #[tool]
    async fn enable_automation(
        &self,
        Parameters(args): Parameters<AutomationArgs>,
    ) -> Result<Json<AutomationChanged>, ToolError> {
        self.automation_enabled(args, true).await
    }

    /// Disable an automation (by UUID or exact name): its trigger does nothing.
    #[tool]
    async fn disable_automation(
        &self,
        Parameters(args): Parameters<AutomationArgs>,
    ) -> Result<Json<AutomationChanged>, ToolError> {
        self.automation_enabled(args, false).await
    }

    /// Create an automation from Prefect's JSON definition, or replace the one given (after
    /// the user confirms, seeing the whole new definition).
    #[tool]
    async fn set_automation(
        &self,
        Parameters(args): Parameters<SetAutomationArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<AutomationView>, ToolError> {
        let definition = definition_to_send(&args.definition)?;
        let Some(given) = args.automation.as_deref() else {
            let created = self.prefect.create_automation(&definition).await?;
            audit::target(created.id, Some(&created.name));
            return Ok(Json(created));
        };
        let shown = Value::Object(definition.clone()).to_string();
        let length = shown.chars().count();
        if length > SHOWN_DEFINITION_CHARS {
            return Err(ArgumentError::TooLong {
                field: "definition (shown whole to the person who confirms a replacement)",
                max: SHOWN_DEFINITION_CHARS,
                got: length,
            }
            .into());
        }
        let automation = self
            .confirmed_automation(given, &context, |current| {
                format!(
                    "Replace {} with this definition: {}? The current one is not kept.",
                    described(current),
                    quoted_value_within(&Value::Object(definition.clone()), SHOWN_DEFINITION_CHARS)
                )
            })
            .await?;
        self.prefect
            .replace_automation(automation.id, &definition)
            .await
            .map(Json)
    }

    /// Delete an automation (by UUID or exact name), after the user confirms.
    #[tool]
    async fn delete_automation(
        &self,
        Parameters(args): Parameters<AutomationArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<Deleted>, ToolError> {
        let automation = self
            .confirmed_automation(&args.automation, &context, |current| {
                format!("Delete {}? This cannot be undone.", described(current))
            })
            .await?;
        self.prefect.delete_automation(automation.id).await?;
        Ok(Json(Deleted {
            id: automation.id,
            message: format!("Automation {} was deleted.", quoted(&automation.name)),
            name: automation.name,
            deleted: true,
        }))
    }
}
