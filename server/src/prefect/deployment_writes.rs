//! Deployment writes: pause, resume, and update a few fields, as `prefect deployment` does.

use prefect_api::{types, PrefectCall};
use serde_json::{Map, Value};

use super::Prefect;
use crate::errors::{ArgumentError, Doing, ToolError};
use crate::output::DeploymentChanged;

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
        let was = if deployment.paused == paused {
            " (it already was)"
        } else {
            ""
        };
        Ok(DeploymentChanged {
            deployment_id: id,
            message: format!("Deployment {full_name} is {done}{was}."),
            deployment_name: full_name,
            paused,
            changed: None,
            parameters: None,
        })
    }

    /// Change the given fields, and only those (see `prefect_api`'s `patch_deployment_fields`:
    /// nothing else is sent, so a paused deployment stays paused). `parameters` are merged into
    /// the current defaults and checked against the flow's schema first.
    pub async fn update_deployment(
        &self,
        deployment: &types::DeploymentResponse,
        full_name: String,
        update: DeploymentUpdate,
    ) -> Result<DeploymentChanged, ToolError> {
        if update.is_empty() {
            return Err(ArgumentError::NothingToUpdate.into());
        }
        let mut fields = Map::new();
        let mut changed = Vec::new();
        let mut parameters = None;
        if let Some(given) = update.parameters {
            super::parameters::check(
                &full_name,
                deployment.parameter_openapi_schema.as_ref(),
                &given,
            )?;
            let mut merged = deployment.parameters.clone();
            merged.extend(given);
            fields.insert("parameters".into(), Value::Object(merged.clone()));
            parameters = Some(merged);
            changed.push("parameters");
        }
        if let Some(description) = update.description {
            fields.insert("description".into(), Value::from(description));
            changed.push("description");
        }
        if let Some(tags) = update.tags {
            fields.insert("tags".into(), Value::from(tags));
            changed.push("tags");
        }
        if let Some(limit) = update.concurrency_limit {
            let limit = if limit == 0 {
                Value::Null
            } else {
                Value::from(limit)
            };
            fields.insert("concurrency_limit".into(), limit);
            changed.push("concurrency_limit");
        }
        self.client
            .patch_deployment_fields(&deployment.id, &fields)
            .value()
            .await
            .doing(format!("updating deployment {full_name:?}"))?;
        Ok(DeploymentChanged {
            deployment_id: deployment.id,
            message: format!("Deployment {full_name} updated: {}.", changed.join(", ")),
            deployment_name: full_name,
            paused: deployment.paused,
            changed: Some(changed.into_iter().map(String::from).collect()),
            parameters,
        })
    }
}
