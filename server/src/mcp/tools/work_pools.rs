//! Work pool tools: list_work_pools, get_work_pool. Each pool comes with its queues, workers and
//! the problems that keep its runs from starting ([`crate::prefect::work_pools`]).

use rmcp::{tool, tool_router, Json};
use schemars::JsonSchema;
use serde::Deserialize;

use super::args::{self, tool_args, Parameters};
use crate::errors::ToolError;
use crate::mcp::declarations::Declaration;
use crate::mcp::server::McpServer;
use crate::output::{WorkPoolList, WorkPoolView};

pub(crate) const DECLARED: &[Declaration] = &[
    Declaration::reads("list_work_pools"),
    Declaration::reads("get_work_pool"),
];

tool_args! {
    pub struct ListWorkPoolsArgs paged {}
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkPoolNameArgs {
    /// Exact work pool name.
    pub name: String,
}

#[tool_router(router = work_pools_tools, vis = "pub(crate)")]
impl McpServer {
    /// List work pools by name, with queues, workers and `problems` (why runs cannot start,
    /// and what to do).
    #[tool]
    async fn list_work_pools(
        &self,
        Parameters(args): Parameters<ListWorkPoolsArgs>,
    ) -> Result<Json<WorkPoolList>, ToolError> {
        let (limit, offset) = args.page()?;
        self.prefect
            .work_pool_statuses(limit, offset)
            .await
            .map(|pools| Json(WorkPoolList::new(pools)))
    }

    /// Get a work pool by exact name: status, queues, workers and the `problems` that keep its
    /// runs from starting.
    #[tool]
    async fn get_work_pool(
        &self,
        Parameters(args): Parameters<WorkPoolNameArgs>,
    ) -> Result<Json<WorkPoolView>, ToolError> {
        let name = args::name("name", &args.name)?;
        self.prefect.work_pool_status(name).await.map(Json)
    }
}
