//! Work pool tools: list_work_pools, get_work_pool. Each pool comes with its queues, workers and
//! the problems that keep its runs from starting ([`PrefectServer::work_pool_status`], which
//! the dashboard and the diagnosis reuse).

use futures::{StreamExt, TryStreamExt};
use prefect_api::{types, PrefectCall};
use rmcp::{tool, tool_router, Json};
use schemars::JsonSchema;
use serde::Deserialize;

use super::args::{self, tool_args, Parameters};
use crate::errors::{Doing, ToolError};
use crate::output::{WorkPoolList, WorkPoolView, MAX_WORKERS_SHOWN};
use crate::server::PrefectServer;

/// Pools whose queues and workers are read at the same time: enough to hide latency, few
/// enough not to crowd a SQLite-backed server.
const POOLS_IN_FLIGHT: usize = 4;

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
impl PrefectServer {
    /// List work pools, sorted by name, with queues, workers and health: `problems` says why
    /// runs cannot start (paused pool or queue, no worker online) and what to do.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn list_work_pools(
        &self,
        Parameters(args): Parameters<ListWorkPoolsArgs>,
    ) -> Result<Json<WorkPoolList>, ToolError> {
        let (limit, offset) = args.page()?;
        self.work_pool_statuses(limit, offset)
            .await
            .map(|pools| Json(WorkPoolList::new(pools)))
    }

    /// Get a work pool by exact name: status, queues, workers (newest heartbeat first) and
    /// health (`problems` that keep its runs from starting).
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn get_work_pool(
        &self,
        Parameters(args): Parameters<WorkPoolNameArgs>,
    ) -> Result<Json<WorkPoolView>, ToolError> {
        let name = args::name("name", &args.name)?;
        self.work_pool_status(name).await.map(Json)
    }
}

impl PrefectServer {
    /// One work pool by name, with its queues, workers and problems.
    pub(crate) async fn work_pool_status(&self, name: &str) -> Result<WorkPoolView, ToolError> {
        let pool = self
            .client
            .read_work_pool(name)
            .value()
            .await
            .doing(format!("reading work pool {name:?}"))?;
        self.work_pool_view(pool).await
    }

    /// A page of work pools (sorted by name, as Prefect returns them), each with its queues,
    /// workers and problems.
    pub(crate) async fn work_pool_statuses(
        &self,
        limit: i64,
        offset: u64,
    ) -> Result<Vec<WorkPoolView>, ToolError> {
        let body = types::BodyReadWorkPoolsWorkPoolsFilterPost {
            limit: Some(limit),
            offset,
            work_pools: None,
        };
        let pools = self
            .client
            .read_work_pools(&body)
            .value()
            .await
            .doing("listing work pools")?;
        futures::stream::iter(pools)
            .map(|pool| self.work_pool_view(pool))
            .buffered(POOLS_IN_FLIGHT)
            .try_collect()
            .await
    }

    async fn work_pool_view(
        &self,
        pool: types::WorkPoolResponse,
    ) -> Result<WorkPoolView, ToolError> {
        let queues_body = types::BodyReadWorkQueuesWorkPoolsWorkPoolNameQueuesFilterPost {
            limit: Some(args::MAX_LIMIT),
            ..Default::default()
        };
        // Prefect returns workers newest heartbeat first, so the first few tell whether any is
        // online.
        let workers_body = types::BodyReadWorkersWorkPoolsWorkPoolNameWorkersFilterPost {
            limit: Some(MAX_WORKERS_SHOWN),
            ..Default::default()
        };
        let (queues, workers) = tokio::try_join!(
            async {
                self.client
                    .read_work_queues_in_work_pools(&pool.name, &queues_body)
                    .value()
                    .await
                    .doing(format!("reading the queues of work pool {:?}", pool.name))
            },
            async {
                self.client
                    .read_workers(&pool.name, &workers_body)
                    .value()
                    .await
                    .doing(format!("reading the workers of work pool {:?}", pool.name))
            },
        )?;
        Ok(WorkPoolView::new(pool, queues, workers))
    }
}
