//! The deployment tools: get_deployment_by_id, get_deployment_by_name, list_deployments,
//! search_deployments_by_status, create_flow_run_from_deployment.

use serde_json::json;

use crate::fixtures::{with, FLOW};

mod create_flow_run;
mod get_deployment;
mod list_and_search;
mod schedules;

/// The flow fixture with another id and name.
fn flow(id: &str, name: &str) -> String {
    with(FLOW, json!({"id": id, "name": name}))
}
