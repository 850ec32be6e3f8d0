//! Operations write tools: pause_work_pool, resume_work_pool, pause_work_queue,
//! resume_work_queue (toolset work_pools); enable_automation, disable_automation (toolset
//! automations).

use rmcp::{tool, tool_router, Json};
use schemars::JsonSchema;
use serde::Deserialize;

use super::args::{self, Parameters};
use crate::errors::ToolError;
use crate::mcp::audit;
use crate::mcp::prefect_server::PrefectServer;
use crate::output::{AutomationChanged, WorkPoolChanged, WorkQueueChanged};

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
pub struct AutomationArgs {
    /// Automation UUID or exact name.
    pub automation: String,
}

impl PrefectServer {
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

    async fn automation_enabled(
        &self,
        args: AutomationArgs,
        enabled: bool,
    ) -> Result<Json<AutomationChanged>, ToolError> {
        let wanted = args::name("automation", &args.automation)?;
        let changed = self.prefect.set_automation_enabled(wanted, enabled).await?;
        audit::target(changed.automation_id, Some(&changed.automation_name));
        Ok(Json(changed))
    }
}

#[tool_router(router = work_pool_writes_tools, vis = "pub(crate)")]
impl PrefectServer {
    /// Pause a work pool as `prefect work-pool pause` does: workers stop picking up its runs.
    #[tool(annotations(
        read_only_hint = false,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn pause_work_pool(
        &self,
        Parameters(args): Parameters<WorkPoolArgs>,
    ) -> Result<Json<WorkPoolChanged>, ToolError> {
        self.work_pool_paused(args, true).await
    }

    /// Resume a paused work pool as `prefect work-pool resume` does.
    #[tool(annotations(
        read_only_hint = false,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn resume_work_pool(
        &self,
        Parameters(args): Parameters<WorkPoolArgs>,
    ) -> Result<Json<WorkPoolChanged>, ToolError> {
        self.work_pool_paused(args, false).await
    }

    /// Pause a work queue of a pool as `prefect work-queue pause` does.
    #[tool(annotations(
        read_only_hint = false,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn pause_work_queue(
        &self,
        Parameters(args): Parameters<WorkQueueArgs>,
    ) -> Result<Json<WorkQueueChanged>, ToolError> {
        self.work_queue_paused(args, true).await
    }

    /// Resume a paused work queue as `prefect work-queue resume` does.
    #[tool(annotations(
        read_only_hint = false,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn resume_work_queue(
        &self,
        Parameters(args): Parameters<WorkQueueArgs>,
    ) -> Result<Json<WorkQueueChanged>, ToolError> {
        self.work_queue_paused(args, false).await
    }
}

#[tool_router(router = automation_writes_tools, vis = "pub(crate)")]
impl PrefectServer {
    /// Enable an automation (by UUID or exact name): its trigger acts again.
    #[tool(annotations(
        read_only_hint = false,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn enable_automation(
        &self,
        Parameters(args): Parameters<AutomationArgs>,
    ) -> Result<Json<AutomationChanged>, ToolError> {
        self.automation_enabled(args, true).await
    }

    /// Disable an automation (by UUID or exact name): its trigger does nothing.
    #[tool(annotations(
        read_only_hint = false,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn disable_automation(
        &self,
        Parameters(args): Parameters<AutomationArgs>,
    ) -> Result<Json<AutomationChanged>, ToolError> {
        self.automation_enabled(args, false).await
    }
}
