//! Deployment tools: get_deployment_by_id, get_deployment_by_name, list_deployments,
//! search_deployments_by_status, create_flow_run_from_deployment.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use prefect_api::{types, PrefectCall, PrefectError};
use rmcp::service::RequestContext;
use rmcp::{tool, tool_router, Json, RoleServer};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::args::{self, page_body, tool_args, Parameters};
use crate::ask::questions::{self, Candidate};
use crate::ask::Asker;
use crate::errors::{ArgumentError, Doing, ToolError};
use crate::output::{CreatedFlowRun, DeploymentList, DeploymentView, FlowRunView, WaitOutcome};
use crate::server::PrefectServer;
use crate::tasks::Progress;

/// The longest `timeout` accepted: waiting longer belongs in Prefect's own automations.
pub(crate) const MAX_WAIT_SECONDS: i64 = 3600;

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

pub(crate) fn deployments_body(
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
    pub(crate) async fn get_deployment_by_name(
        &self,
        Parameters(args): Parameters<DeploymentNameArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<DeploymentView>, ToolError> {
        let (flow, name) = args::deployment_full_name(&args.name)?;
        match self.read_deployment_by_name(flow, name).await {
            Ok(deployment) => Ok(Json(shape_deployment(
                deployment,
                Some(flow.to_string()),
                args.detail,
            ))),
            Err(not_found) => {
                let deployment = self
                    .close_deployment(&args.name, not_found, &Asker::of(&context))
                    .await?;
                self.deployment_view(deployment, args.detail)
                    .await
                    .map(Json)
            }
        }
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
    /// the request stops the wait, not the run. Required parameters without a default that are
    /// not given are asked for with a form when the client supports it; clients with the tasks
    /// extension get the wait as a task.
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
        let asker = Asker::of(&context);
        let deployment = self.resolve_deployment(&args.deployment_id, &asker).await?;
        let parameters = args.parameters.unwrap_or_default();
        check_parameter_names(&args.deployment_id, &deployment, &parameters)?;
        let parameters = questions::missing_parameters(
            &asker,
            &format!("{:?}", args.deployment_id),
            deployment.parameter_openapi_schema.as_ref(),
            parameters,
        )
        .await?;
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

/// What tells a deployment apart in a choice: its full name, whether it is paused, its pool.
fn deployment_label(full_name: &str, d: &DeploymentView) -> String {
    let mut label = full_name.to_string();
    if d.paused {
        label.push_str(" · paused");
    }
    if let Some(pool) = &d.work_pool_name {
        label.push_str(&format!(" · work pool {pool}"));
    }
    label
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

    /// `given` names no deployment (`not_found` says so): offer the close names, or pass the
    /// error on when there are none.
    async fn close_deployment(
        &self,
        given: &str,
        not_found: ToolError,
        asker: &Asker,
    ) -> Result<types::DeploymentResponse, ToolError> {
        if !matches!(
            not_found,
            ToolError::Prefect {
                source: PrefectError::NotFound { .. },
                ..
            }
        ) {
            return Err(not_found);
        }
        let all = self
            .read_deployments(&deployments_body(None, None, args::MAX_LIMIT, 0))
            .await?;
        let candidates: Vec<Candidate> = all
            .deployments
            .iter()
            .filter_map(|d| {
                let full_name = format!("{}/{}", d.flow_name.as_deref()?, d.name);
                questions::is_close_name(given, &full_name).then(|| Candidate {
                    id: d.id.to_string(),
                    label: deployment_label(&full_name, d),
                })
            })
            .collect();
        if candidates.is_empty() {
            return Err(not_found);
        }
        let chosen = questions::which_deployment(asker, given, &candidates).await?;
        let id = Uuid::parse_str(&chosen).map_err(|_| ToolError::BadAnswer {
            question: format!("the deployment meant by {given:?}"),
            detail: format!("{chosen:?} is not a deployment id"),
        })?;
        self.client
            .read_deployment(&id)
            .value()
            .await
            .doing(format!("reading deployment {id}"))
    }

    /// A deployment given as a UUID or as "flow_name/deployment_name" (or a name close to one,
    /// which `asker` asks about).
    async fn resolve_deployment(
        &self,
        id_or_name: &str,
        asker: &Asker,
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
        match self.read_deployment_by_name(flow, name).await {
            Ok(deployment) => Ok(deployment),
            Err(not_found) => self.close_deployment(id_or_name, not_found, asker).await,
        }
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

    /// Poll the run until it is final, the timeout passes, or the client cancels the request
    /// (or its task). Polls every second at first, then every 4 s, to stay light on the server.
    pub(crate) async fn wait_for_final_state(
        &self,
        mut run: FlowRunView,
        timeout: Duration,
        context: &RequestContext<RoleServer>,
    ) -> Result<(FlowRunView, WaitOutcome), ToolError> {
        let deadline = Instant::now() + timeout;
        let progress = Progress::of(context);
        let mut interval = Duration::from_secs(1);
        let mut failed_polls = 0;
        loop {
            if run.is_final() {
                return Ok((run, WaitOutcome::FinalState));
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok((run, WaitOutcome::TimedOut));
            }
            let elapsed = timeout.saturating_sub(deadline - now).as_secs_f64();
            let state = run
                .state
                .as_ref()
                .map_or("unknown", |s| s.name.as_deref().unwrap_or(&s.type_));
            progress
                .report(
                    elapsed,
                    timeout.as_secs_f64(),
                    format!("flow run {} is {state}", run.id),
                )
                .await;
            tokio::select! {
                _ = context.ct.cancelled() => {
                    let stopped = ToolError::WaitCancelled {
                        flow_run_id: run.id.to_string(),
                    };
                    progress.finish(stopped.message());
                    return Err(stopped);
                }
                _ = tokio::time::sleep(interval.min(deadline - now)) => {}
            }
            // Under 5 s: Prefect's server (uvicorn) drops connections idle for 5 s, and a poll
            // sent just then fails with "connection closed before message completed".
            interval = (interval * 2).min(Duration::from_secs(4));
            match self.read_flow_run(run.id).await {
                Ok(now) => {
                    run = now;
                    failed_polls = 0;
                }
                // A long wait outlives a passing network error; three in a row end it.
                Err(ToolError::Prefect {
                    source: PrefectError::Unreachable { .. } | PrefectError::Timeout { .. },
                    ..
                }) if failed_polls < 2 => failed_polls += 1,
                Err(error) => return Err(error),
            }
        }
    }
}
