//! Automation tools: list_automations, get_automation.

use prefect_api::{types, PrefectCall};
use rmcp::{tool, tool_router, Json};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use super::args::{self, page_body, tool_args, Parameters};
use crate::errors::{Doing, ObjectKind, ToolError};
use crate::output::{AutomationList, AutomationView};
use crate::server::PrefectServer;

tool_args! {
    pub struct ListAutomationsArgs paged {}
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutomationArgs {
    /// Automation UUID or exact name.
    pub automation: String,
}

fn automations_body(
    automations: Option<types::AutomationFilter>,
    limit: i64,
    offset: u64,
) -> types::BodyReadAutomationsAutomationsFilterPost {
    page_body!(
        BodyReadAutomationsAutomationsFilterPost,
        AutomationSort("NAME_ASC"),
        limit,
        offset,
        automations: automations,
    )
}

#[tool_router(router = automations_tools, vis = "pub(crate)")]
impl PrefectServer {
    /// List automations (event-driven rules: a trigger and its actions), sorted by name.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn list_automations(
        &self,
        Parameters(args): Parameters<ListAutomationsArgs>,
    ) -> Result<Json<AutomationList>, ToolError> {
        let (limit, offset) = args.page()?;
        let body = automations_body(None, limit, offset);
        let automations = self
            .client
            .read_automations(&body)
            .value()
            .await
            .doing("listing automations")?;
        Ok(Json(AutomationList::new(
            automations.into_iter().map(AutomationView::from).collect(),
        )))
    }

    /// Get an automation by ID or exact name: its trigger and its actions.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn get_automation(
        &self,
        Parameters(args): Parameters<AutomationArgs>,
    ) -> Result<Json<AutomationView>, ToolError> {
        let wanted = args::name("automation", &args.automation)?;
        let automation = match Uuid::parse_str(wanted) {
            Ok(id) => self
                .client
                .read_automation(&id)
                .value()
                .await
                .doing(format!("reading automation {id}"))?,
            Err(_) => self.read_automation_by_name(wanted).await?,
        };
        Ok(Json(automation.into()))
    }
}

impl PrefectServer {
    /// Prefect has no by-name endpoint for automations and does not make names unique: an exact
    /// name filter, where more than one match is an error rather than a guess.
    async fn read_automation_by_name(&self, name: &str) -> Result<types::Automation, ToolError> {
        let filter = types::AutomationFilter {
            name: Some(types::AutomationFilterName {
                any: Some(vec![name.to_string()]),
            }),
            ..Default::default()
        };
        let doing = format!("looking up automation {name:?}");
        let mut found = self
            .client
            .read_automations(&automations_body(Some(filter), 2, 0))
            .value()
            .await
            .doing(doing.clone())?;
        match found.len() {
            0 => Err(ToolError::NotFound {
                kind: ObjectKind::Automation,
                name: name.to_string(),
            }),
            1 => Ok(found.remove(0)),
            _ => Err(ToolError::Ambiguous {
                kind: ObjectKind::Automation,
                name: name.to_string(),
                ids: found.iter().map(|a| a.id.to_string()).collect(),
            }),
        }
    }
}
