//! Flow tools: get_flow_by_id, get_flow_by_name, list_flows, search_flows.

use rmcp::{tool, tool_router, Json};
use schemars::JsonSchema;
use serde::Deserialize;

use super::args::{self, tool_args, Parameters};
use crate::errors::ToolError;
use crate::mcp::declarations::Declaration;
use crate::mcp::server::McpServer;
use crate::output::{FlowList, FlowView};
use crate::prefect::flows::{flows_body, flows_matching};

pub(crate) const DECLARED: &[Declaration] = &[
    Declaration::reads("get_flow_by_id"),
    Declaration::reads("get_flow_by_name"),
    Declaration::reads("list_flows"),
    Declaration::reads("search_flows"),
];

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

#[tool_router(router = flows_tools, vis = "pub(crate)")]
impl McpServer {
    /// Get a flow by its ID.
    #[tool]
    async fn get_flow_by_id(
        &self,
        Parameters(args): Parameters<FlowIdArgs>,
    ) -> Result<Json<FlowView>, ToolError> {
        let id = args::uuid(
            "flow_id",
            &args.flow_id,
            "To look a flow up by name use get_flow_by_name.",
        )?;
        self.prefect.read_flow(id).await.map(Json)
    }

    /// Get a flow by its name.
    #[tool]
    async fn get_flow_by_name(
        &self,
        Parameters(args): Parameters<FlowNameArgs>,
    ) -> Result<Json<FlowView>, ToolError> {
        let name = args::name("name", &args.name)?;
        self.prefect.read_flow_by_name(name).await.map(Json)
    }

    /// List flows, sorted by name.
    #[tool]
    async fn list_flows(
        &self,
        Parameters(args): Parameters<ListFlowsArgs>,
    ) -> Result<Json<FlowList>, ToolError> {
        let (limit, offset) = args.page()?;
        let body = flows_body(None, limit, offset);
        self.prefect.read_flows(&body).await.map(Json)
    }

    /// Search for flows by name and/or tags (both given: both must match).
    #[tool]
    async fn search_flows(
        &self,
        Parameters(args): Parameters<SearchFlowsArgs>,
    ) -> Result<Json<FlowList>, ToolError> {
        let limit = args.checked_limit()?;
        let filter = flows_matching(args::non_blank(args.name.as_deref()), args.tags);
        self.prefect
            .read_flows(&flows_body(Some(filter), limit, 0))
            .await
            .map(Json)
    }
}
