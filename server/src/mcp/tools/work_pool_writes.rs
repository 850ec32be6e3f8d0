//! Work pool write tools (toolset work_pools): pause_work_pool, resume_work_pool,
//! pause_work_queue, resume_work_queue, update_work_pool, update_work_queue. Pausing is undone
//! by its twin and an update reports each old value, so none asks first.

use rmcp::{tool, tool_router, Json};
use schemars::JsonSchema;
use serde::Deserialize;

use super::args::{self, Parameters};
use crate::errors::ToolError;
use crate::mcp::audit;
use crate::mcp::declarations::Declaration;
use crate::mcp::server::McpServer;
use crate::output::{SettingsChanged, WorkPoolChanged, WorkQueueChanged};
use crate::prefect::pool_settings::PoolSettings;

pub(crate) const DECLARED: &[Declaration] = &[
    Declaration::writes("pause_work_pool").idempotent(),
    Declaration::writes("resume_work_pool").idempotent(),
    Declaration::writes("pause_work_queue").idempotent(),
    Declaration::writes("resume_work_queue").idempotent(),
    Declaration::writes("update_work_pool").idempotent(),
    Declaration::writes("update_work_queue").idempotent(),
];

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkPoolArgs {
    /// Work pool name.
    pub name: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkQueueArgs {
    /// Work pool name.
    pub work_pool: String,
    /// Work queue name.
    pub name: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWorkPoolArgs {
    /// Work pool name.
    pub name: String,
    /// Runs at once from the pool; 0 removes the limit.
    #[serde(default)]
    pub concurrency_limit: Option<i64>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWorkQueueArgs {
    /// Work pool name.
    pub work_pool: String,
    /// Work queue name.
    pub name: String,
    /// Runs at once from the queue; 0 removes the limit.
    #[serde(default)]
    pub concurrency_limit: Option<i64>,
    /// 1 is served first.
    #[serde(default)]
    pub priority: Option<i64>,
    #[serde(default)]
    pub description: Option<String>,
}

impl McpServer {
    async fn work_pool_paused(
        &self,
        args: WorkPoolArgs,
        paused: bool,
    ) -> Result<Json<WorkPoolChanged>, ToolError> {
        let name = args::name("name", &args.name)?;
        let changed = self.prefect.set_work_pool_paused(name, paused).await?;
        audit::target(changed.work_pool_id, Some(&changed.work_pool));
        Ok(Json(changed))
    }

    async fn work_queue_paused(
        &self,
        args: WorkQueueArgs,
        paused: bool,
    ) -> Result<Json<WorkQueueChanged>, ToolError> {
        let pool = args::name("work_pool", &args.work_pool)?;
        let name = args::name("name", &args.name)?;
        let changed = self
            .prefect
            .set_work_queue_paused(pool, name, paused)
            .await?;
        audit::target(changed.work_queue_id, Some(&format!("{pool}/{name}")));
        Ok(Json(changed))
    }
}

#[tool_router(router = work_pool_writes_tools, vis = "pub(crate)")]
impl McpServer {
    /// Pause a work pool as `prefect work-pool pause` does: workers stop picking up its runs.
    #[tool]
    async fn pause_work_pool(
        &self,
        Parameters(args): Parameters<WorkPoolArgs>,
    ) -> Result<Json<WorkPoolChanged>, ToolError> {
        self.work_pool_paused(args, true).await
    }

    /// Resume a paused work pool as `prefect work-pool resume` does.
    #[tool]
    async fn resume_work_pool(
        &self,
        Parameters(args): Parameters<WorkPoolArgs>,
    ) -> Result<Json<WorkPoolChanged>, ToolError> {
        self.work_pool_paused(args, false).await
    }

    /// Pause a work queue of a pool as `prefect work-queue pause` does.
    #[tool]
    async fn pause_work_queue(
        &self,
        Parameters(args): Parameters<WorkQueueArgs>,
    ) -> Result<Json<WorkQueueChanged>, ToolError> {
        self.work_queue_paused(args, true).await
    }

    /// Resume a paused work queue as `prefect work-queue resume` does.
    #[tool]
    async fn resume_work_queue(
        &self,
        Parameters(args): Parameters<WorkQueueArgs>,
    ) -> Result<Json<WorkQueueChanged>, ToolError> {
        self.work_queue_paused(args, false).await
    }

    /// Change a work pool's concurrency limit or description; the answer has the old values.
    #[tool]
    async fn update_work_pool(
        &self,
        Parameters(args): Parameters<UpdateWorkPoolArgs>,
    ) -> Result<Json<SettingsChanged>, ToolError> {
        let name = args::name("name", &args.name)?;
        let settings = PoolSettings {
            concurrency_limit: args::concurrency_limit(args.concurrency_limit)?,
            description: args.description,
            priority: None,
        };
        let changed = self
            .prefect
            .update_work_pool_settings(name, &settings)
            .await?;
        audit::target(changed.id, Some(&changed.name));
        Ok(Json(changed))
    }

    /// Change a work queue's concurrency limit, priority or description; the answer has the
    /// old values.
    #[tool]
    async fn update_work_queue(
        &self,
        Parameters(args): Parameters<UpdateWorkQueueArgs>,
    ) -> Result<Json<SettingsChanged>, ToolError> {
        let pool = args::name("work_pool", &args.work_pool)?;
        let name = args::name("name", &args.name)?;
        let settings = PoolSettings {
            concurrency_limit: args::concurrency_limit(args.concurrency_limit)?,
            description: args.description,
            priority: args::optional_count("priority", args.priority, 1, "1 is served first.")?,
        };
        let changed = self
            .prefect
            .update_work_queue_settings(pool, name, &settings)
            .await?;
        audit::target(changed.id, Some(&changed.name));
        Ok(Json(changed))
    }
}
