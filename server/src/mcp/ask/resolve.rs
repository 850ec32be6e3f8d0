//! Objects named by what a person typed: the Prefect layer finds the candidates, and when more
//! than one could be meant, the person is asked (`questions`).

use uuid::Uuid;

use super::{questions, Asker};
use crate::errors::{ArgumentError, ObjectKind, ToolError};
use crate::mcp::tools::args;
use crate::output::{DeploymentView, FlowRunView};
use crate::prefect::deployments::{shape_deployment, DeploymentResponse};
use crate::prefect::{Prefect, PrefectError};

/// A deployment given as a UUID or as "flow_name/deployment_name" (or a name close to one,
/// which `asker` asks about).
pub async fn deployment(
    prefect: &Prefect,
    id_or_name: &str,
    asker: &Asker,
) -> Result<DeploymentResponse, ToolError> {
    if let Ok(id) = Uuid::parse_str(id_or_name.trim()) {
        return prefect.read_deployment(id).await;
    }
    let (flow, name) = args::deployment_full_name(id_or_name).map_err(|_| {
        ToolError::from(ArgumentError::NotADeploymentIdOrName {
            value: id_or_name.to_string(),
        })
    })?;
    match prefect.read_deployment_by_name(flow, name).await {
        Ok(deployment) => Ok(deployment),
        // Not a name at all (a path segment): nothing is close to it.
        Err(error @ ToolError::InvalidArgument(_)) => Err(error),
        Err(not_found) => close_deployment(prefect, id_or_name, not_found, asker).await,
    }
}

/// The deployment named "`flow`/`name`" (`given` as typed) as a view, or one close to that
/// name, which `asker` asks about.
pub async fn deployment_named(
    prefect: &Prefect,
    given: &str,
    flow: &str,
    name: &str,
    detail: bool,
    asker: &Asker,
) -> Result<DeploymentView, ToolError> {
    match prefect.read_deployment_by_name(flow, name).await {
        Ok(deployment) => Ok(shape_deployment(deployment, Some(flow.to_string()), detail)),
        Err(error @ ToolError::InvalidArgument(_)) => Err(error),
        Err(not_found) => {
            let deployment = close_deployment(prefect, given, not_found, asker).await?;
            prefect.deployment_view(deployment, detail).await
        }
    }
}

/// `given` names no deployment (`not_found` says so): offer the close names, or pass the
/// error on when there are none.
pub async fn close_deployment(
    prefect: &Prefect,
    given: &str,
    not_found: ToolError,
    asker: &Asker,
) -> Result<DeploymentResponse, ToolError> {
    if !matches!(
        not_found,
        ToolError::Prefect {
            source: PrefectError::NotFound { .. },
            ..
        }
    ) {
        return Err(not_found);
    }
    let candidates = prefect.deployments_close_to(given).await?;
    if candidates.is_empty() {
        return Err(not_found);
    }
    let chosen = questions::which_deployment(asker, given, &candidates).await?;
    let id = Uuid::parse_str(&chosen).map_err(|_| ToolError::BadAnswer {
        question: format!("the deployment meant by {given:?}"),
        detail: format!("{chosen:?} is not a deployment id"),
    })?;
    prefect.read_deployment(id).await
}

/// The run by id, or by name (and how many share it); when several share the name, the one
/// the user chooses.
pub async fn flow_run(
    prefect: &Prefect,
    given: &str,
    asker: &Asker,
) -> Result<(FlowRunView, usize), ToolError> {
    let given = args::name("flow_run", given)?;
    if let Ok(id) = Uuid::parse_str(given) {
        return Ok((prefect.read_flow_run(id).await?, 1));
    }
    let runs = prefect.flow_runs_named(given).await?;
    let count = runs.flow_runs.len();
    if count > 1 {
        let candidates = prefect.flow_run_candidates(&runs.flow_runs).await?;
        let chosen = questions::which_flow_run(asker, given, &candidates).await?;
        if let Some(run) = runs
            .flow_runs
            .into_iter()
            .find(|r| r.id.to_string() == chosen)
        {
            return Ok((run, count));
        }
        return Err(ToolError::BadAnswer {
            question: format!("the flow run named {given:?}"),
            detail: format!("{chosen:?} is not one of the runs offered"),
        });
    }
    let newest = runs
        .flow_runs
        .into_iter()
        .next()
        .ok_or_else(|| ToolError::NotFound {
            kind: ObjectKind::FlowRun,
            name: given.to_string(),
        })?;
    Ok((newest, count))
}
