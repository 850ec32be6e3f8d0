//! Deployments: read by id or full name, pages with their flows' names, names close to a
//! mistyped one, and creating a run.

use std::collections::HashMap;

use prefect_api::{types, PrefectCall};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::query::{flow_with_id, page_body, MAX_LIMIT};
use super::states::edit_distance;
use super::{Candidate, Prefect};
use crate::errors::{ArgumentError, Doing, ToolError};
use crate::output::{DeploymentList, DeploymentView, FlowRunView};

/// A deployment as Prefect answers it. The layers above read it (its id, name, parameter
/// schema) and hand it back to this layer's operations; only this layer builds Prefect's types.
pub use prefect_api::types::DeploymentResponse;

pub fn deployments_body(
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

/// The label naming who created a run through MCP (the OAuth caller).
pub const CREATOR_LABEL: &str = "mcp.caller";

impl Prefect {
    /// A page of deployments, by name; only flow `flow`'s when given.
    pub async fn list_deployments(
        &self,
        flow: Option<Uuid>,
        limit: i64,
        offset: u64,
    ) -> Result<DeploymentList, ToolError> {
        let flows = flow.map(flow_with_id);
        self.read_deployments(&deployments_body(None, flows, limit, offset))
            .await
    }

    /// The first `limit` deployments by name: only the paused ones, or only the others, when
    /// `paused` says which.
    pub async fn deployments_paused(
        &self,
        paused: Option<bool>,
        limit: i64,
    ) -> Result<DeploymentList, ToolError> {
        let filter = paused.map(|paused| types::DeploymentFilter {
            paused: Some(types::DeploymentFilterPaused { eq: Some(paused) }),
            ..Default::default()
        });
        self.read_deployments(&deployments_body(filter, None, limit, 0))
            .await
    }

    pub async fn read_deployment(&self, id: Uuid) -> Result<DeploymentResponse, ToolError> {
        self.client
            .read_deployment(&id)
            .value()
            .await
            .doing(format!("reading deployment {id}"))
    }

    pub async fn read_deployment_by_name(
        &self,
        flow: &str,
        name: &str,
    ) -> Result<DeploymentResponse, ToolError> {
        let flow = super::path_segment("flow name", flow)?;
        let name = super::path_segment("deployment name", name)?;
        self.client
            .read_deployment_by_name(flow, name)
            .value()
            .await
            .doing(format!("reading deployment \"{flow}/{name}\""))
    }

    /// Every deployment as `flow/deployment` (the first 200 by name).
    pub async fn deployment_full_names(&self) -> Result<Vec<String>, ToolError> {
        Ok(self
            .read_deployments(&deployments_body(None, None, MAX_LIMIT, 0))
            .await?
            .deployments
            .into_iter()
            .filter_map(|d| Some(format!("{}/{}", d.flow_name?, d.name)))
            .collect())
    }

    /// `flow/deployment` names of these deployments, for headings.
    pub async fn deployment_names(
        &self,
        ids: Vec<Uuid>,
    ) -> Result<HashMap<Uuid, String>, ToolError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let these = types::DeploymentFilter {
            id: Some(types::DeploymentFilterId {
                any: Some(ids),
                ..Default::default()
            }),
            ..Default::default()
        };
        Ok(self
            .read_deployments(&deployments_body(Some(these), None, MAX_LIMIT, 0))
            .await?
            .deployments
            .into_iter()
            .map(|d| {
                let name = format!("{}/{}", d.flow_name.as_deref().unwrap_or("?"), d.name);
                (d.id, name)
            })
            .collect())
    }

    /// The deployments whose full names are close to `given` (which named none), as choices.
    pub async fn deployments_close_to(&self, given: &str) -> Result<Vec<Candidate>, ToolError> {
        let all = self
            .read_deployments(&deployments_body(None, None, MAX_LIMIT, 0))
            .await?;
        Ok(all
            .deployments
            .iter()
            .filter_map(|d| {
                let full_name = format!("{}/{}", d.flow_name.as_deref()?, d.name);
                is_close_name(given, &full_name).then(|| Candidate {
                    id: d.id.to_string(),
                    label: deployment_label(&full_name, d),
                })
            })
            .collect())
    }

    /// Create a run of `deployment` with `parameters` (checked against the flow's own) and an
    /// optional name. `creator`, the signed-in caller, goes on the run as the `mcp.caller`
    /// label, so that Prefect shows who started it.
    pub async fn create_flow_run(
        &self,
        deployment: &DeploymentResponse,
        given_as: &str,
        parameters: Map<String, Value>,
        name: Option<&str>,
        creator: Option<&str>,
    ) -> Result<FlowRunView, ToolError> {
        // Says in Prefect that the run was created through this server, and by whom when the
        // caller signed in.
        let mut labels = HashMap::from([(
            super::flow_run_writes::ACTOR_LABEL.to_string(),
            types::DeploymentFlowRunCreateLabelsValue::String(
                super::flow_run_writes::ACTOR.to_string(),
            ),
        )]);
        if let Some(who) = creator {
            labels.insert(
                CREATOR_LABEL.to_string(),
                types::DeploymentFlowRunCreateLabelsValue::String(who.to_string()),
            );
        }
        let body = types::DeploymentFlowRunCreate {
            parameters,
            name: name.map(String::from),
            labels: Some(labels),
            // Makes the client's retry of a create that timed out or hit a locked database safe.
            idempotency_key: Some(Uuid::new_v4().to_string()),
            ..Default::default()
        };
        Ok(self
            .client
            .create_flow_run_from_deployment(&deployment.id, &body)
            .value()
            .await
            .doing(format!("creating a flow run of deployment {given_as:?}"))?
            .into())
    }

    /// One view, with the flow's name looked up.
    pub async fn deployment_view(
        &self,
        d: DeploymentResponse,
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
    pub async fn read_deployments(
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
                limit: Some(flow_ids.len().min(MAX_LIMIT as usize) as i64),
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

pub fn shape_deployment(
    d: DeploymentResponse,
    flow_name: Option<String>,
    detail: bool,
) -> DeploymentView {
    if detail {
        DeploymentView::detailed(d, flow_name)
    } else {
        DeploymentView::new(d, flow_name)
    }
}

/// Whether `candidate` ("flow/deployment") is close enough to `given` to be offered when
/// `given` names nothing: the same name but for case, the same deployment name under another
/// flow, or a few typing mistakes away.
pub fn is_close_name(given: &str, candidate: &str) -> bool {
    let given = given.trim().to_lowercase();
    let candidate = candidate.to_lowercase();
    if given == candidate {
        return true;
    }
    let deployment_of = |full: &str| full.split_once('/').map(|(_, d)| d.to_string());
    if deployment_of(&given).is_some_and(|d| !d.is_empty() && Some(d) == deployment_of(&candidate))
    {
        return true;
    }
    let allowed = (given.chars().count() / 4).clamp(1, 3);
    edit_distance(&given, &candidate) <= allowed
}

/// Reject parameters the flow does not take, before the run is created.
///
/// Prefect's schema check accepts unknown names, and the run then crashes when Python calls the
/// flow function with an unexpected keyword. A flow with `**kwargs` declares
/// `additionalProperties`, and then anything goes.
pub fn check_parameter_names(
    given_as: &str,
    deployment: &DeploymentResponse,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_case_and_the_wrong_flow_are_close_other_names_are_not() {
        assert!(is_close_name("mcp-hello/helo", "mcp-hello/hello"));
        assert!(is_close_name("MCP-Hello/hello", "mcp-hello/hello"));
        assert!(is_close_name("hello-flow/params", "mcp-params/params"));
        assert!(!is_close_name("mcp-hello/nope", "mcp-hello/hello"));
        assert!(!is_close_name("mcp-hello/nope", "mcp-slow/slow"));
    }
}
