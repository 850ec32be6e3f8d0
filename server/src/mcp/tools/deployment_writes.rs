//! Deployment write tools (toolset deployments): pause_deployment, resume_deployment,
//! update_deployment, delete_deployment.

use rmcp::service::RequestContext;
use rmcp::{tool, tool_router, Json, RoleServer};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::args::{self, Parameters};
use crate::errors::{ArgumentError, ToolError};
use crate::mcp::ask::{confirm, resolve, Asker};
use crate::mcp::audit;
use crate::mcp::declarations::Declaration;
use crate::mcp::server::McpServer;
use crate::output::{quoted, quoted_value, Deleted, DeploymentChanged};
use crate::prefect::deployment_writes::{DeploymentUpdate, DEPLOYMENT_FIELDS};
use crate::prefect::deployments::DeploymentResponse;

pub(crate) const DECLARED: &[Declaration] = &[
    Declaration::writes("pause_deployment").idempotent(),
    Declaration::writes("resume_deployment").idempotent(),
    Declaration::destroys("update_deployment").idempotent(),
    Declaration::destroys("delete_deployment"),
];

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeploymentArgs {
    /// Deployment UUID or "flow_name/deployment_name".
    pub deployment: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDeploymentArgs {
    /// Deployment UUID or "flow_name/deployment_name".
    pub deployment: String,
    /// Merged into the default parameters; checked against the flow's.
    #[serde(default)]
    pub parameters: Option<Map<String, Value>>,
    #[serde(default)]
    pub description: Option<String>,
    /// Replaces the tags ([] clears them).
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// Runs at once; 0 removes the limit.
    #[serde(default)]
    pub concurrency_limit: Option<i64>,
}

impl McpServer {
    /// The deployment given by id or name (asking about close names), with its full name, as
    /// the audit target.
    pub(super) async fn target_deployment(
        &self,
        given: &str,
        context: &RequestContext<RoleServer>,
    ) -> Result<(DeploymentResponse, String), ToolError> {
        let deployment = resolve::deployment(&self.prefect, given, &Asker::of(context)).await?;
        let full_name = self.prefect.full_name(&deployment).await?;
        audit::target(deployment.id, Some(&full_name));
        Ok((deployment, full_name))
    }
}

#[tool_router(router = deployment_writes_tools, vis = "pub(crate)")]
impl McpServer {
    /// Pause a deployment as `prefect deployment pause` does: its schedules stop creating runs.
    #[tool]
    async fn pause_deployment(
        &self,
        Parameters(args): Parameters<DeploymentArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<DeploymentChanged>, ToolError> {
        let (deployment, name) = self.target_deployment(&args.deployment, &context).await?;
        self.prefect
            .set_deployment_paused(&deployment, name, true)
            .await
            .map(Json)
    }

    /// Resume a paused deployment as `prefect deployment resume` does.
    #[tool]
    async fn resume_deployment(
        &self,
        Parameters(args): Parameters<DeploymentArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<DeploymentChanged>, ToolError> {
        let (deployment, name) = self.target_deployment(&args.deployment, &context).await?;
        self.prefect
            .set_deployment_paused(&deployment, name, false)
            .await
            .map(Json)
    }

    /// Change a deployment's default parameters, description, tags or concurrency limit, after
    /// the user confirms each old and new value.
    #[tool]
    async fn update_deployment(
        &self,
        Parameters(args): Parameters<UpdateDeploymentArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<DeploymentChanged>, ToolError> {
        let concurrency_limit = args::concurrency_limit(args.concurrency_limit)?;
        let update = DeploymentUpdate {
            parameters: args.parameters,
            description: args.description,
            tags: args.tags,
            concurrency_limit,
        };
        if update.is_empty() {
            return Err(ArgumentError::NothingToUpdate {
                fields: DEPLOYMENT_FIELDS,
            }
            .into());
        }
        let (deployment, name) = self.target_deployment(&args.deployment, &context).await?;
        let plan = self
            .prefect
            .plan_deployment_update(&deployment, name, update)?;
        if !plan.changes.is_empty() {
            let changes: Vec<String> = plan
                .changes
                .changed
                .iter()
                .map(|c| {
                    format!(
                        "{}: {} -> {}",
                        c.field,
                        quoted_value(&c.old),
                        quoted_value(&c.new)
                    )
                })
                .collect();
            confirm(
                &Asker::of(&context),
                &format!(
                    "Change deployment {}: {}? The old values are not kept.",
                    quoted(&plan.full_name),
                    changes.join("; ")
                ),
                &[plan.deployment_id.to_string()],
            )
            .await?;
        }
        self.prefect.apply_deployment_update(plan).await.map(Json)
    }

    /// Delete a deployment, after the user confirms: its schedules and scheduled runs go; its
    /// other runs stay.
    #[tool]
    async fn delete_deployment(
        &self,
        Parameters(args): Parameters<DeploymentArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<Deleted>, ToolError> {
        let (deployment, name) = self.target_deployment(&args.deployment, &context).await?;
        let runs = self.prefect.deployment_deletion(deployment.id).await?;
        confirm(
            &Asker::of(&context),
            &format!(
                "Delete deployment {}? Its schedules and its {} scheduled runs that never ran go \
                 with it; its {} other runs stay. This cannot be undone.",
                quoted(&name),
                runs.scheduled_runs,
                runs.other_runs
            ),
            &[deployment.id.to_string()],
        )
        .await?;
        self.prefect.delete_deployment(deployment.id).await?;
        Ok(Json(Deleted {
            id: deployment.id,
            message: format!(
                "Deployment {} was deleted with its schedules and {} scheduled runs; its {} \
                 other runs stay.",
                quoted(&name),
                runs.scheduled_runs,
                runs.other_runs
            ),
            name,
            deleted: true,
        }))
    }
}
