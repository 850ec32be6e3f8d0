//! Automation write tools (toolset automations): enable_automation, disable_automation.
//! Each is undone by its twin, so neither asks first.

use rmcp::{tool, tool_router, Json};
use schemars::JsonSchema;
use serde::Deserialize;

use super::args::{self, Parameters};
use crate::errors::ToolError;
use crate::mcp::audit;
use crate::mcp::declarations::Declaration;
use crate::mcp::prefect_server::PrefectServer;
use crate::output::AutomationChanged;

pub(crate) const DECLARED: &[Declaration] = &[
    Declaration::writes("enable_automation").idempotent(),
    Declaration::writes("disable_automation").idempotent(),
];

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutomationArgs {
    /// Automation UUID or exact name.
    pub automation: String,
}

impl PrefectServer {
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
}

#[tool_router(router = automation_writes_tools, vis = "pub(crate)")]
impl PrefectServer {
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
}
