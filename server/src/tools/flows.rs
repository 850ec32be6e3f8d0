//! Flow tools: get_flow_by_id, get_flow_by_name, list_flows, search_flows.

use prefect_api::{types, PrefectCall};
use rmcp::{tool, tool_router, Json};
use schemars::JsonSchema;
use serde::Deserialize;

use super::args::{self, page_body, tool_args, Parameters};
use crate::errors::{Doing, ToolError};
use crate::output::{FlowList, FlowView};
use crate::server::PrefectServer;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowIdArgs {
    /// Flow UUID.
    pub flow_id: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowNameArgs {
    /// Exact flow name.
    pub name: String,
}

tool_args! {
    pub struct ListFlowsArgs paged {}
}

tool_args! {
    pub struct SearchFlowsArgs limited {
        /// Case-insensitive substring of the name.
        #[serde(default)]
        pub name: Option<String>,
        /// Tags a flow must all have.
        #[serde(default)]
        pub tags: Option<Vec<String>>,
    }
}

/// Flows sorted by name, so that pages are stable.
fn flows_body(
    flows: Option<types::FlowFilter>,
    limit: i64,
    offset: u64,
) -> types::BodyReadFlowsFlowsFilterPost {
    page_body!(BodyReadFlowsFlowsFilterPost, FlowSort("NAME_ASC"), limit, offset, flows: flows)
}

#[tool_router(router = flows_tools, vis = "pub(crate)")]
impl PrefectServer {
    /// Get a flow by its ID.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn get_flow_by_id(
        &self,
        Parameters(args): Parameters<FlowIdArgs>,
    ) -> Result<Json<FlowView>, ToolError> {
        let id = args::uuid(
            "flow_id",
            &args.flow_id,
            "To look a flow up by name use get_flow_by_name.",
        )?;
        let flow = self
            .client
            .read_flow(&id)
            .value()
            .await
            .doing(format!("reading flow {id}"))?;
        Ok(Json(flow.into()))
    }

    /// Get a flow by its name.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn get_flow_by_name(
        &self,
        Parameters(args): Parameters<FlowNameArgs>,
    ) -> Result<Json<FlowView>, ToolError> {
        let name = args::name("name", &args.name)?;
        let flow = self
            .client
            .read_flow_by_name(name)
            .value()
            .await
            .doing(format!("reading flow {name:?}"))?;
        Ok(Json(flow.into()))
    }

    /// List flows, sorted by name.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn list_flows(
        &self,
        Parameters(args): Parameters<ListFlowsArgs>,
    ) -> Result<Json<FlowList>, ToolError> {
        let (limit, offset) = args.page()?;
        let body = flows_body(None, limit, offset);
        self.read_flows(&body).await.map(Json)
    }

    /// Search for flows by name and/or tags (both given: both must match).
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn search_flows(
        &self,
        Parameters(args): Parameters<SearchFlowsArgs>,
    ) -> Result<Json<FlowList>, ToolError> {
        let limit = args.checked_limit()?;
        let filter = types::FlowFilter {
            name: args::non_blank(args.name.as_deref()).map(|n| types::FlowFilterName {
                like: Some(n.to_string()),
                ..Default::default()
            }),
            tags: args
                .tags
                .filter(|t| !t.is_empty())
                .map(|tags| types::FlowFilterTags {
                    all: Some(tags),
                    ..Default::default()
                }),
            ..Default::default()
        };
        self.read_flows(&flows_body(Some(filter), limit, 0))
            .await
            .map(Json)
    }
}

impl PrefectServer {
    pub(crate) async fn read_flows(
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
