//! Automations: pages of them, and one by id or exact name.

use prefect_api::{types, PrefectCall};
use uuid::Uuid;

use super::query::page_body;
use super::Prefect;
use crate::errors::{Doing, ObjectKind, ToolError};
use crate::output::{AutomationList, AutomationView};

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

impl Prefect {
    /// Automations sorted by name.
    pub async fn list_automations(
        &self,
        limit: i64,
        offset: u64,
    ) -> Result<AutomationList, ToolError> {
        let body = automations_body(None, limit, offset);
        let automations = self
            .client
            .read_automations(&body)
            .value()
            .await
            .doing("listing automations")?;
        Ok(AutomationList::new(
            automations.into_iter().map(AutomationView::from).collect(),
        ))
    }

    /// An automation by id or, failing that, by exact name.
    pub async fn read_automation(&self, wanted: &str) -> Result<AutomationView, ToolError> {
        let automation = match Uuid::parse_str(wanted) {
            Ok(id) => self
                .client
                .read_automation(&id)
                .value()
                .await
                .doing(format!("reading automation {id}"))?,
            Err(_) => self.read_automation_by_name(wanted).await?,
        };
        Ok(automation.into())
    }

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
