//! Server tools: get_server_info.

use rmcp::{tool, tool_router, Json};
use schemars::JsonSchema;
use serde::Deserialize;

use super::args::Parameters;
use crate::errors::ToolError;
use crate::mcp::declarations::Declaration;
use crate::mcp::server::McpServer;
use crate::output::ServerInfo;

pub(crate) const DECLARED: &[Declaration] = &[Declaration::reads("get_server_info")];

/// No arguments; one given anyway (a misspelling, a guess) is an error, as for every tool.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerInfoArgs {}

#[tool_router(router = server_info_tools, vis = "pub(crate)")]
impl McpServer {
    /// Which Prefect server the tools talk to: API URL, self-hosted or Cloud, the kind of
    /// authentication, Prefect's release and API version, and whether it is healthy.
    #[tool]
    async fn get_server_info(
        &self,
        Parameters(ServerInfoArgs {}): Parameters<ServerInfoArgs>,
    ) -> Result<Json<ServerInfo>, ToolError> {
        self.prefect.server_info().await.map(Json)
    }
}
