//! Work pools with their queues, workers and the problems that keep their runs from starting
//! (what the work pool tools, the dashboard and the diagnosis show).

use futures::{StreamExt, TryStreamExt};
use prefect_api::{types, PrefectCall};

use super::query::MAX_LIMIT;
use super::Prefect;
use crate::errors::{Doing, ToolError};
use crate::output::{WorkPoolView, MAX_WORKERS_SHOWN};

/// Pools whose queues and workers are read at the same time: enough to hide latency, few
/// enough not to crowd a SQLite-backed server.
const POOLS_IN_FLIGHT: usize = 4;

impl Prefect {
    /// One work pool by name, with its queues, workers and problems.
    pub async fn work_pool_status(&self, name: &str) -> Result<WorkPoolView, ToolError> {
        let pool = self.read_work_pool(name).await?;
        self.work_pool_view(pool).await
    }

    /// A work pool by name, as Prefect answers it.
    pub(super) async fn read_work_pool(
        &self,
        name: &str,
    ) -> Result<types::WorkPoolResponse, ToolError> {
        let name = super::path_segment("work pool name", name)?;
        self.client
            .read_work_pool(name)
            .value()
            .await
            .doing(format!("reading work pool {name:?}"))
    }

    /// A page of work pools (sorted by name, as Prefect returns them), each with its queues,
    /// workers and problems.
    pub async fn work_pool_statuses(
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
            limit: Some(MAX_LIMIT),
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

    /// The names of the first 200 pools, by name.
    pub async fn work_pool_names(&self) -> Result<Vec<String>, ToolError> {
        let body = types::BodyReadWorkPoolsWorkPoolsFilterPost {
            limit: Some(MAX_LIMIT),
            offset: 0,
            work_pools: None,
        };
        Ok(self
            .client
            .read_work_pools(&body)
            .value()
            .await
            .doing("listing work pools")?
            .into_iter()
            .map(|pool| pool.name.to_string())
            .collect())
    }
}
