//! Flows: by id, by name, and pages of them.

use prefect_api::{types, PrefectCall};
use uuid::Uuid;

use super::query::page_body;
use super::Prefect;
use crate::errors::{Doing, ToolError};
use crate::output::{FlowList, FlowView};

/// Flows sorted by name, so that pages are stable.
pub fn flows_body(
    flows: Option<types::FlowFilter>,
    limit: i64,
    offset: u64,
) -> types::BodyReadFlowsFlowsFilterPost {
    page_body!(BodyReadFlowsFlowsFilterPost, FlowSort("NAME_ASC"), limit, offset, flows: flows)
}

/// Flows whose name contains `name` (case-insensitively) and that carry all of `tags`.
pub fn flows_matching(name: Option<&str>, tags: Option<Vec<String>>) -> types::FlowFilter {
    types::FlowFilter {
        name: name.map(|n| types::FlowFilterName {
            like: Some(n.to_string()),
            ..Default::default()
        }),
        tags: tags
            .filter(|t| !t.is_empty())
            .map(|tags| types::FlowFilterTags {
                all: Some(tags),
                ..Default::default()
            }),
        ..Default::default()
    }
}

impl Prefect {
    pub async fn read_flow(&self, id: Uuid) -> Result<FlowView, ToolError> {
        let flow = self
            .client
            .read_flow(&id)
            .value()
            .await
            .doing(format!("reading flow {id}"))?;
        Ok(flow.into())
    }

    pub async fn read_flow_by_name(&self, name: &str) -> Result<FlowView, ToolError> {
        let name = super::path_segment("flow name", name)?;
        let flow = self
            .client
            .read_flow_by_name(name)
            .value()
            .await
            .doing(format!("reading flow {name:?}"))?;
        Ok(flow.into())
    }

    pub async fn read_flows(
        &self,
        body: &types::BodyReadFlowsFlowsFilterPost,
    ) -> Result<FlowList, ToolError> {
        let flows = self
            .client
            .read_flows(body)
            .value()
            .await
            .doing("listing flows")?;
        Ok(FlowList::new(
            flows.into_iter().map(FlowView::from).collect(),
        ))
    }
}
