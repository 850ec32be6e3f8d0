//! Deployment writes: pause, resume, and update a few fields, as `prefect deployment` does.

use prefect_api::{types, PrefectCall};
use serde_json::{Map, Value};

use super::field_changes::{already, FieldChanges};
use super::Prefect;
use crate::errors::{ArgumentError, Doing, ToolError};
use crate::output::{quoted, DeploymentChanged};

/// The fields update_deployment takes, as an error names them.
pub const DEPLOYMENT_FIELDS: &str = "parameters, description, tags or concurrency_limit";

/// The fields update_deployment may change; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct DeploymentUpdate {
    /// Merged into the deployment's default parameters.
    pub parameters: Option<Map<String, Value>>,
    pub description: Option<String>,
    /// Replaces the tags; empty clears them.
    pub tags: Option<Vec<String>>,
    /// 0 removes the limit.
    pub concurrency_limit: Option<u64>,
}

impl DeploymentUpdate {
    pub fn is_empty(&self) -> bool {
        self.parameters.is_none()
            && self.description.is_none()
            && self.tags.is_none()
            && self.concurrency_limit.is_none()
    }
}

impl Prefect {
    /// "flow_name/deployment_name", as people and the CLI name a deployment.
    pub async fn full_name(
        &self,
        deployment: &types::DeploymentResponse,
    ) -> Result<String, ToolError> {
        let flow = self.read_flow(deployment.flow_id).await?;
        Ok(format!("{}/{}", flow.name, deployment.name))
    }

    /// Pause (`true`) or resume the deployment: its schedules stop (or start) creating runs.
    pub async fn set_deployment_paused(
        &self,
        deployment: &types::DeploymentResponse,
        full_name: String,
        paused: bool,
    ) -> Result<DeploymentChanged, ToolError> {
        let id = deployment.id;
        let (action, done) = if paused {
            (
                "pausing",
                "paused: its schedules create no runs until it is resumed",
            )
        } else {
            ("resuming", "active: its schedules create runs again")
        };
        let call = if paused {
            self.client.pause_deployment(&id).value().await
        } else {
            self.client.resume_deployment(&id).value().await
        };
        call.doing(format!("{action} deployment {full_name:?}"))?;
        Ok(DeploymentChanged {
            deployment_id: id,
            message: format!(
                "Deployment {} is {done}{}.",
                quoted(&full_name),
                already(deployment.paused, paused)
            ),
            deployment_name: full_name,
            paused,
            changed: None,
            parameters: None,
        })
    }

    /// What updating the given fields would change, field by field (old and new value), and
    /// the request that does it; nothing is sent. `parameters` are merged into the current
    /// defaults and checked against the flow's schema first. Fields whose value would not
    /// change are left out.
    pub fn plan_deployment_update(
        &self,
        deployment: &types::DeploymentResponse,
        full_name: String,
        update: DeploymentUpdate,
    ) -> Result<DeploymentPlan, ToolError> {
        if update.is_empty() {
            return Err(ArgumentError::NothingToUpdate {
                fields: DEPLOYMENT_FIELDS,
            }
            .into());
        }
        let mut plan = DeploymentPlan {
            deployment_id: deployment.id,
            full_name,
            paused: deployment.paused,
            changes: FieldChanges::default(),
            parameters: None,
        };
        if let Some(given) = update.parameters {
            super::parameters::check(
                &plan.full_name,
                deployment.parameter_openapi_schema.as_ref(),
                &given,
            )?;
            let mut merged = deployment.parameters.clone();
            merged.extend(given);
            plan.parameters = Some(merged.clone());
            plan.change(
                "parameters",
                Value::Object(deployment.parameters.clone()),
                Value::Object(merged),
            );
        }
        if let Some(description) = update.description {
            let old = deployment
                .description
                .clone()
                .map_or(Value::Null, Value::from);
            plan.change("description", old, Value::from(description));
        }
        if let Some(tags) = update.tags {
            plan.change(
                "tags",
                Value::from(deployment.tags.clone()),
                Value::from(tags),
            );
        }
        if let Some(limit) = update.concurrency_limit {
            let old = deployment
                .global_concurrency_limit
                .as_ref()
                .map_or(Value::Null, |l| Value::from(l.limit));
            let new = if limit == 0 {
                Value::Null
            } else {
                Value::from(limit)
            };
            plan.change("concurrency_limit", old, new);
        }
        Ok(plan)
    }

    /// Send the planned change, and only its fields (see `prefect_api`'s
    /// `patch_deployment_fields`: nothing else is sent, so a paused deployment stays paused).
    pub async fn apply_deployment_update(
        &self,
        plan: DeploymentPlan,
    ) -> Result<DeploymentChanged, ToolError> {
        if !plan.changes.is_empty() {
            self.client
                .patch_deployment_fields(&plan.deployment_id, &plan.changes.fields)
                .value()
                .await
                .doing(format!("updating deployment {:?}", plan.full_name))?;
        }
        let message = plan
            .changes
            .message(&format!("Deployment {}", plan.full_name));
        let changed: Vec<String> = plan
            .changes
            .changed
            .iter()
            .map(|c| c.field.to_string())
            .collect();
        Ok(DeploymentChanged {
            deployment_id: plan.deployment_id,
            message,
            deployment_name: plan.full_name,
            paused: plan.paused,
            changed: Some(changed),
            parameters: plan.parameters,
        })
    }
}

/// An update_deployment change, planned and not yet sent.
#[derive(Debug)]
pub struct DeploymentPlan {
    pub deployment_id: uuid::Uuid,
    /// "flow_name/deployment_name".
    pub full_name: String,
    pub paused: bool,
    /// What changes, and what is sent.
    pub changes: FieldChanges,
    /// The merged default parameters, when they change.
    parameters: Option<Map<String, Value>>,
}

impl DeploymentPlan {
    fn change(&mut self, field: &'static str, old: Value, new: Value) {
        self.changes.change(field, old, new);
    }
}
