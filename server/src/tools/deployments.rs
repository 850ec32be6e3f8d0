//! Deployment tools: get_deployment_by_id, get_deployment_by_name, list_deployments,
//! search_deployments_by_status, create_flow_run_from_deployment.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use prefect_api::{types, PrefectCall};
use rmcp::model::ProgressNotificationParam;
use rmcp::service::RequestContext;
use rmcp::{tool, tool_router, Json, RoleServer};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::args::{self, page_body, tool_args, Parameters};
use crate::errors::{ArgumentError, Doing, ToolError};
use crate::output::{CreatedFlowRun, DeploymentList, DeploymentView, FlowRunView, WaitOutcome};
use crate::server::PrefectServer;

/// The longest `timeout` accepted: waiting longer belongs in Prefect's own automations.
const MAX_WAIT_SECONDS: i64 = 3600;

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

fn deployments_body(
    deployments: Option<types::DeploymentFilter>,
    flows: Option<types::FlowFilter>,
    limit: i64,
    offset: u64,
) -> types::BodyReadDeploymentsDeploymentsFilterPost {
    page_body!(
        BodyReadDeploymentsDeploymentsFilterPost,
        DeploymentSort("NAME_ASC"),
        limit,
        offset,
        deployments: deployments,
        flows: flows,
    )
}

#[tool_router(router = deployments_tools, vis = "pub(crate)")]
impl PrefectServer {
    /// Get a deployment by ID: schedules, paused state, default parameters, work pool and
    /// queue, and its flow's name.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn get_deployment_by_id(
        &self,
        Parameters(args): Parameters<DeploymentIdArgs>,
    ) -> Result<Json<DeploymentView>, ToolError> {
        let id = args::uuid(
            "deployment_id",
            &args.deployment_id,
            "To look a deployment up by name use get_deployment_by_name with \"flow_name/deployment_name\".",
        )?;
        let deployment = self
            .client
            .read_deployment(&id)
            .value()
            .await
            .doing(format!("reading deployment {id}"))?;
        self.deployment_view(deployment, args.detail)
            .await
            .map(Json)
    }

    /// Get a deployment by its name, in format "flow_name/deployment_name".
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn get_deployment_by_name(
        &self,
        Parameters(args): Parameters<DeploymentNameArgs>,
    ) -> Result<Json<DeploymentView>, ToolError> {
        let (flow, name) = args::deployment_full_name(&args.name)?;
        let deployment = self.read_deployment_by_name(flow, name).await?;
        Ok(Json(shape_deployment(
            deployment,
            Some(flow.to_string()),
            args.detail,
        )))
    }

    /// List deployments, sorted by name.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn list_deployments(
        &self,
        Parameters(args): Parameters<ListDeploymentsArgs>,
    ) -> Result<Json<DeploymentList>, ToolError> {
        let (limit, offset) = args.page()?;
        let flows = args::flow_id_filter(args.flow_id.as_deref())?;
        self.read_deployments(&deployments_body(None, flows, limit, offset))
            .await
            .map(Json)
    }

    /// Search deployments by schedule status (an active schedule is a deployment that is not
    /// paused).
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn search_deployments_by_status(
        &self,
        Parameters(args): Parameters<SearchByStatusArgs>,
    ) -> Result<Json<DeploymentList>, ToolError> {
        let limit = args.checked_limit()?;
        let filter = args
            .is_schedule_active
            .map(|active| types::DeploymentFilter {
                paused: Some(types::DeploymentFilterPaused { eq: Some(!active) }),
                ..Default::default()
            });
        self.read_deployments(&deployments_body(filter, None, limit, 0))
            .await
            .map(Json)
    }

    /// Create a flow run of a deployment. With `timeout` > 0, waits for a final state
    /// (COMPLETED, FAILED, CANCELLED, CRASHED) or the timeout, reporting progress; cancelling
    /// the request stops the wait, not the run.
    #[tool(annotations(
        read_only_hint = false,
        destructive_hint = false,
        idempotent_hint = false,
        open_world_hint = false
    ))]
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
        let deployment = self.resolve_deployment(&args.deployment_id).await?;
        let parameters = args.parameters.unwrap_or_default();
        check_parameter_names(&args.deployment_id, &deployment, &parameters)?;
        let body = types::DeploymentFlowRunCreate {
            parameters,
            name: args::non_blank(args.name.as_deref()).map(String::from),
            // Makes the client's retry of a create that timed out or hit a locked database safe.
            idempotency_key: Some(Uuid::new_v4().to_string()),
            ..Default::default()
        };
        let run: FlowRunView = self
            .client
            .create_flow_run_from_deployment(&deployment.id, &body)
            .value()
            .await
            .doing(format!(
                "creating a flow run of deployment {:?}",
                args.deployment_id
            ))?
            .into();
        let started = Instant::now();
        let (run, wait) = if args.timeout == 0 {
            (run, WaitOutcome::NotWaited)
        } else {
            self.wait_for_final_state(run, Duration::from_secs(args.timeout as u64), &context)
                .await?
        };
        Ok(Json(CreatedFlowRun {
            flow_run_id: run.id,
            flow_run_name: run.name.clone(),
            deployment_id: deployment.id,
            deployment_name: deployment.name,
            flow_run: run,
            wait,
            waited_seconds: (started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
        }))
    }
}

fn shape_deployment(
    d: types::DeploymentResponse,
    flow_name: Option<String>,
    detail: bool,
) -> DeploymentView {
    if detail {
        DeploymentView::detailed(d, flow_name)
    } else {
        DeploymentView::new(d, flow_name)
    }
}

/// Reject parameters the flow does not take, before the run is created.
///
/// Prefect's schema check accepts unknown names, and the run then crashes when Python calls the
/// flow function with an unexpected keyword. A flow with `**kwargs` declares
/// `additionalProperties`, and then anything goes.
fn check_parameter_names(
    given_as: &str,
    deployment: &types::DeploymentResponse,
    parameters: &Map<String, Value>,
) -> Result<(), ToolError> {
    let Some(schema) = &deployment.parameter_openapi_schema else {
        return Ok(());
    };
    let Some(known) = schema.get("properties").and_then(Value::as_object) else {
        return Ok(());
    };
    if schema
        .get("additionalProperties")
        .is_some_and(|a| a != &Value::Bool(false))
    {
        return Ok(());
    }
    let unknown: Vec<&str> = parameters
        .keys()
        .filter(|name| !known.contains_key(*name))
        .map(String::as_str)
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(ArgumentError::UnknownParameters {
        deployment: given_as.to_string(),
        unknown: unknown.into_iter().map(String::from).collect(),
        valid: known.keys().cloned().collect(),
    }
    .into())
}

impl PrefectServer {
    async fn read_deployment_by_name(
        &self,
        flow: &str,
        name: &str,
    ) -> Result<types::DeploymentResponse, ToolError> {
        self.client
            .read_deployment_by_name(flow, name)
            .value()
            .await
            .doing(format!("reading deployment \"{flow}/{name}\""))
    }

    /// A deployment given as a UUID or as "flow_name/deployment_name".
    async fn resolve_deployment(
        &self,
        id_or_name: &str,
    ) -> Result<types::DeploymentResponse, ToolError> {
        if let Ok(id) = Uuid::parse_str(id_or_name.trim()) {
            return self
                .client
                .read_deployment(&id)
                .value()
                .await
                .doing(format!("reading deployment {id}"));
        }
        let (flow, name) = args::deployment_full_name(id_or_name).map_err(|_| {
            ToolError::from(ArgumentError::NotADeploymentIdOrName {
                value: id_or_name.to_string(),
            })
        })?;
        self.read_deployment_by_name(flow, name).await
    }

    /// One view, with the flow's name looked up.
    async fn deployment_view(
        &self,
        d: types::DeploymentResponse,
        detail: bool,
    ) -> Result<DeploymentView, ToolError> {
        let flow = self
            .client
            .read_flow(&d.flow_id)
            .value()
            .await
            .doing(format!("reading flow {}", d.flow_id))?;
        Ok(shape_deployment(d, Some(flow.name.to_string()), detail))
    }

    /// A page of deployments with their flows' names, fetched in one extra call for the page.
    pub(crate) async fn read_deployments(
        &self,
        body: &types::BodyReadDeploymentsDeploymentsFilterPost,
    ) -> Result<DeploymentList, ToolError> {
        let deployments = self
            .client
            .read_deployments(body)
            .value()
            .await
            .doing("listing deployments")?;
        let mut flow_ids: Vec<Uuid> = deployments.iter().map(|d| d.flow_id).collect();
        flow_ids.sort();
        flow_ids.dedup();
        let names: HashMap<Uuid, String> = if flow_ids.is_empty() {
            HashMap::new()
        } else {
            let flows_body = types::BodyReadFlowsFlowsFilterPost {
                flows: Some(types::FlowFilter {
                    id: Some(types::FlowFilterId {
                        any: Some(flow_ids.clone()),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                limit: Some(flow_ids.len().min(args::MAX_LIMIT as usize) as i64),
                ..Default::default()
            };
            self.client
                .read_flows(&flows_body)
                .value()
                .await
                .doing("reading the deployments' flows")?
                .into_iter()
                .map(|f| (f.id, f.name.to_string()))
                .collect()
        };
        Ok(DeploymentList::new(
            deployments
                .into_iter()
                .map(|d| {
                    let flow_name = names.get(&d.flow_id).cloned();
                    DeploymentView::new(d, flow_name)
                })
                .collect(),
        ))
    }

    /// Poll the run until it is final, the timeout passes, or the client cancels the request.
    /// Polls every second at first, then every 5 s, to stay light on the server.
    async fn wait_for_final_state(
        &self,
        mut run: FlowRunView,
        timeout: Duration,
        context: &RequestContext<RoleServer>,
    ) -> Result<(FlowRunView, WaitOutcome), ToolError> {
        let deadline = Instant::now() + timeout;
        let progress_token = context.meta.get_progress_token();
        let mut interval = Duration::from_secs(1);
        loop {
            if run.is_final() {
                return Ok((run, WaitOutcome::FinalState));
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok((run, WaitOutcome::TimedOut));
            }
            if let Some(token) = &progress_token {
                let elapsed = timeout.saturating_sub(deadline - now).as_secs_f64();
                let state = run
                    .state
                    .as_ref()
                    .map_or("unknown", |s| s.name.as_deref().unwrap_or(&s.type_));
                let note = ProgressNotificationParam::new(token.clone(), elapsed)
                    .with_total(timeout.as_secs_f64())
                    .with_message(format!("flow run {} is {state}", run.id));
                // A client that stopped listening for progress is not a reason to fail the call.
                let _ = context.peer.notify_progress(note).await;
            }
            tokio::select! {
                _ = context.ct.cancelled() => {
                    return Err(ToolError::WaitCancelled {
                        flow_run_id: run.id.to_string(),
                    });
                }
                _ = tokio::time::sleep(interval.min(deadline - now)) => {}
            }
            interval = (interval * 2).min(Duration::from_secs(5));
            run = self.read_flow_run(run.id).await?;
        }
    }
}
