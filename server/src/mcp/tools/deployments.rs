//! Deployment tools: get_deployment_by_id, get_deployment_by_name, list_deployments,
//! search_deployments_by_status, create_flow_run_from_deployment.

use std::time::Duration;

use rmcp::service::RequestContext;
use rmcp::{tool, tool_router, Json, RoleServer};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::args::{self, tool_args, Parameters};
use crate::errors::{ArgumentError, ToolError};
use crate::mcp::ask::{questions, resolve, Asker};
use crate::mcp::audit;
use crate::mcp::caller::signed_in;
use crate::mcp::declarations::{Declaration, Waits};
use crate::mcp::server::McpServer;
use crate::mcp::tasks::sealed::Finish;
use crate::output::{CreatedFlowRun, DeploymentList, DeploymentView, WaitOutcome};
use crate::prefect::deployments::check_parameter_names;
use crate::prefect::waits::MAX_WAIT_SECONDS;

pub(crate) const DECLARED: &[Declaration] = &[
    Declaration::reads("get_deployment_by_id").view("deployment"),
    Declaration::reads("get_deployment_by_name").view("deployment"),
    Declaration::reads("list_deployments"),
    Declaration::reads("search_deployments_by_status"),
    Declaration::writes("create_flow_run_from_deployment").waits(Waits::WhenPositive("timeout")),
];

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeploymentIdArgs {
    /// Deployment UUID.
    pub deployment_id: String,
    /// Also return the parameter schema, job variables and pull steps.
    #[serde(default)]
    pub detail: bool,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeploymentNameArgs {
    /// "flow_name/deployment_name".
    pub name: String,
    /// Also return the parameter schema, job variables and pull steps.
    #[serde(default)]
    pub detail: bool,
}

tool_args! {
    pub struct ListDeploymentsArgs paged {
        /// Only this flow's deployments (flow UUID).
        #[serde(default)]
        pub flow_id: Option<String>,
    }
}

tool_args! {
    pub struct SearchByStatusArgs limited {
        /// true: not paused; false: paused; omitted: all.
        #[serde(default)]
        pub is_schedule_active: Option<bool>,
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateFlowRunArgs {
    /// Deployment UUID or "flow_name/deployment_name".
    pub deployment_id: String,
    /// Flow run parameters, merged over the deployment's defaults.
    #[serde(default)]
    pub parameters: Option<Map<String, Value>>,
    /// Flow run name (Prefect generates one otherwise).
    #[serde(default)]
    pub name: Option<String>,
    /// Seconds to wait for a final state, up to 3600; 0: do not wait.
    #[serde(default)]
    pub timeout: i64,
}

#[tool_router(router = deployments_tools, vis = "pub(crate)")]
impl McpServer {
    /// Get a deployment by ID: schedules, paused state, default parameters, work pool and
    /// queue, and its flow's name.
    #[tool]
    async fn get_deployment_by_id(
        &self,
        Parameters(args): Parameters<DeploymentIdArgs>,
    ) -> Result<Json<DeploymentView>, ToolError> {
        let id = args::uuid(
            "deployment_id",
            &args.deployment_id,
            "To look a deployment up by name use get_deployment_by_name with \"flow_name/deployment_name\".",
        )?;
        let deployment = self.prefect.read_deployment(id).await?;
        self.prefect
            .deployment_view(deployment, args.detail)
            .await
            .map(Json)
    }

    /// Get a deployment by its name, in format "flow_name/deployment_name".
    #[tool]
    async fn get_deployment_by_name(
        &self,
        Parameters(args): Parameters<DeploymentNameArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<DeploymentView>, ToolError> {
        let (flow, name) = args::deployment_full_name(&args.name)?;
        let asker = Asker::of(&context);
        resolve::deployment_named(&self.prefect, &args.name, flow, name, args.detail, &asker)
            .await
            .map(Json)
    }

    /// List deployments, sorted by name.
    #[tool]
    async fn list_deployments(
        &self,
        Parameters(args): Parameters<ListDeploymentsArgs>,
    ) -> Result<Json<DeploymentList>, ToolError> {
        let (limit, offset) = args.page()?;
        let flow = args::flow_id(args.flow_id.as_deref())?;
        self.prefect
            .list_deployments(flow, limit, offset)
            .await
            .map(Json)
    }

    /// Search deployments by schedule status (an active schedule is a deployment that is not
    /// paused).
    #[tool]
    async fn search_deployments_by_status(
        &self,
        Parameters(args): Parameters<SearchByStatusArgs>,
    ) -> Result<Json<DeploymentList>, ToolError> {
        let limit = args.checked_limit()?;
        let paused = args.is_schedule_active.map(|active| !active);
        self.prefect
            .deployments_paused(paused, limit)
            .await
            .map(Json)
    }

    /// Create a flow run of a deployment. With `timeout` > 0, waits for a final state or the
    /// timeout, reporting progress; cancelling the request stops the wait, not the run. Missing
    /// required parameters are asked for with a form when the client can show one.
    #[tool]
    async fn create_flow_run_from_deployment(
        &self,
        Parameters(args): Parameters<CreateFlowRunArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<CreatedFlowRun>, ToolError> {
        if !(0..=MAX_WAIT_SECONDS).contains(&args.timeout) {
            return Err(ArgumentError::OutOfRange {
                field: "timeout",
                min: 0,
                max: MAX_WAIT_SECONDS,
                got: args.timeout,
                hint: "It is in seconds; 0 returns at once without waiting.",
            }
            .into());
        }
        let asker = Asker::of(&context);
        let deployment = resolve::deployment(&self.prefect, &args.deployment_id, &asker).await?;
        // The deployment until the run exists; then the run it made.
        audit::target(deployment.id, Some(&deployment.name));
        let parameters = args.parameters.unwrap_or_default();
        check_parameter_names(&args.deployment_id, &deployment, &parameters)?;
        let parameters = questions::missing_parameters(
            &asker,
            &format!("{:?}", args.deployment_id),
            deployment.parameter_openapi_schema.as_ref(),
            parameters,
        )
        .await?;
        let run = self
            .prefect
            .create_flow_run(
                &deployment,
                &args.deployment_id,
                parameters,
                args::non_blank(args.name.as_deref()),
                signed_in(&context).map(|caller| caller.subject.as_str()),
            )
            .await?;
        audit::target(run.id, run.name.as_deref());
        let (run, wait, waited_seconds) = if args.timeout == 0 {
            (run, WaitOutcome::NotWaited, 0.0)
        } else {
            let finish = Finish::CreateFlowRunFromDeployment {
                deployment_id: deployment.id,
                deployment_name: deployment.name.clone(),
            };
            let timeout = Duration::from_secs(args.timeout as u64);
            let waited = self.wait_for_run(run, timeout, finish, &context).await?;
            (waited.run, waited.outcome, waited.seconds)
        };
        Ok(Json(CreatedFlowRun::new(
            deployment.id,
            deployment.name,
            run,
            wait,
            waited_seconds,
        )))
    }
}
