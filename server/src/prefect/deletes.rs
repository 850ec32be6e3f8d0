//! Deleting deployments and flows, and what each takes with it (so that the question can say).
//!
//! Prefect deletes a deployment's SCHEDULED runs that never ran with it and keeps every other
//! run; it deletes a flow with all of its deployments, every run and their task runs.

use prefect_api::{types, PrefectCall};
use uuid::Uuid;

use super::deployments::deployments_body;
use super::query::{flow_with_id, States, MAX_LIMIT};
use super::Prefect;
use crate::errors::{Doing, ToolError};
use crate::output::FlowView;

/// What deleting a deployment also removes, and what stays.
#[derive(Debug, Clone, Copy)]
pub struct DeploymentDeletion {
    /// SCHEDULED runs (Late ones included): they go with it.
    pub scheduled_runs: i64,
    /// Every other run: it stays, pointing at a deployment that no longer exists.
    pub other_runs: i64,
}

/// What deleting a flow also removes.
#[derive(Debug, Clone)]
pub struct FlowDeletion {
    /// "flow/deployment" names, at most a page of them.
    pub deployments: Vec<String>,
    /// Every deployment of the flow, counted by Prefect.
    pub deployment_count: i64,
    pub runs: i64,
}

fn deployment_runs(id: Uuid, state: Option<types::FlowRunFilterState>) -> types::FlowRunFilter {
    types::FlowRunFilter {
        deployment_id: Some(types::FlowRunFilterDeploymentId {
            any: Some(vec![id]),
            ..Default::default()
        }),
        state,
        ..Default::default()
    }
}

impl Prefect {
    /// A flow by UUID or, failing that, by exact name.
    pub async fn read_flow_given(&self, given: &str) -> Result<FlowView, ToolError> {
        match Uuid::parse_str(given) {
            Ok(id) => self.read_flow(id).await,
            Err(_) => self.read_flow_by_name(given).await,
        }
    }

    pub async fn deployment_deletion(&self, id: Uuid) -> Result<DeploymentDeletion, ToolError> {
        let scheduled = States::of_types(&["SCHEDULED"]).flow_run_filter();
        let (scheduled_runs, all_runs) = tokio::try_join!(
            self.count_flow_runs(deployment_runs(id, scheduled)),
            self.count_flow_runs(deployment_runs(id, None)),
        )?;
        Ok(DeploymentDeletion {
            scheduled_runs,
            other_runs: all_runs - scheduled_runs,
        })
    }

    pub async fn delete_deployment(&self, id: Uuid) -> Result<(), ToolError> {
        self.client
            .delete_deployment(&id)
            .value()
            .await
            .doing(format!("deleting deployment {id}"))
    }

    pub async fn flow_deletion(&self, flow: &FlowView) -> Result<FlowDeletion, ToolError> {
        let deployments_body = deployments_body(None, Some(flow_with_id(flow.id)), MAX_LIMIT, 0);
        let count_deployments = types::BodyCountDeploymentsDeploymentsCountPost {
            flows: Some(flow_with_id(flow.id)),
            ..Default::default()
        };
        let count_runs = types::BodyCountFlowRunsFlowRunsCountPost {
            flows: Some(flow_with_id(flow.id)),
            ..Default::default()
        };
        let (deployments, deployment_count, runs) = tokio::try_join!(
            async {
                self.client
                    .read_deployments(&deployments_body)
                    .value()
                    .await
                    .doing(format!("listing the deployments of flow {}", flow.id))
            },
            async {
                self.client
                    .count_deployments(&count_deployments)
                    .value()
                    .await
                    .doing(format!("counting the deployments of flow {}", flow.id))
            },
            async {
                self.client
                    .count_flow_runs(&count_runs)
                    .value()
                    .await
                    .doing(format!("counting the runs of flow {}", flow.id))
            },
        )?;
        Ok(FlowDeletion {
            deployments: deployments
                .iter()
                .map(|d| format!("{}/{}", flow.name, d.name))
                .collect(),
            deployment_count,
            runs,
        })
    }

    pub async fn delete_flow(&self, id: Uuid) -> Result<(), ToolError> {
        self.client
            .delete_flow(&id)
            .value()
            .await
            .doing(format!("deleting flow {id}"))
    }
}
