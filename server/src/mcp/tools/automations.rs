//! Automation tools: list_automations, get_automation.

use rmcp::{tool, tool_router, Json};
use schemars::JsonSchema;
use serde::Deserialize;

use super::args::{self, tool_args, Parameters};
use crate::errors::ToolError;
use crate::mcp::declarations::Declaration;
use crate::mcp::server::McpServer;
use crate::output::{AutomationList, AutomationView};

pub(crate) const DECLARED: &[Declaration] = &[
    Declaration::reads("list_automations"),
    Declaration::reads("get_automation"),
];

tool_args! {
    pub struct ListAutomationsArgs paged {}
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutomationArgs {
    /// Automation UUID or exact name.
    pub automation: String,
}

#[tool_router(router = automations_tools, vis = "pub(crate)")]
impl McpServer {
    /// List automations (event-driven rules: a trigger and its actions), sorted by name.
    #[tool]
    async fn list_automations(
        &self,
        Parameters(args): Parameters<ListAutomationsArgs>,
    ) -> Result<Json<AutomationList>, ToolError> {
        let (limit, offset) = args.page()?;
        self.prefect.list_automations(limit, offset).await.map(Json)
    }

    /// Get an automation by ID or exact name: its trigger and its actions.
    #[tool]
    async fn get_automation(
        &self,
        Parameters(args): Parameters<AutomationArgs>,
    ) -> Result<Json<AutomationView>, ToolError> {
        let wanted = args::name("automation", &args.automation)?;
        self.prefect.read_automation(wanted).await.map(Json)
    }
}
