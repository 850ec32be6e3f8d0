//! Ids of what the sample world (`cargo xtask prefect seed`) holds, looked up through the tools.

use crate::mcp_session::Session;
use crate::tool_calls::call_ok;

/// Find a deployment of the sample world by "flow/deployment" name; its id.
pub async fn deployment_id(session: &Session, full_name: &str) -> String {
    let deployment = call_ok(
        session,
        "get_deployment_by_name",
        serde_json::json!({ "name": full_name }),
    )
    .await;
    deployment["id"]
        .as_str()
        .expect("deployment id")
        .to_string()
}

/// The id of a flow run of the sample world, by its name (e.g. "seed-fail").
pub async fn seed_run_id(session: &Session, name: &str) -> String {
    let runs = call_ok(
        session,
        "filter_flow_runs",
        serde_json::json!({"filter_criteria": {"name": {"any_": [name]}}}),
    )
    .await;
    runs["flow_runs"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("the seeded run {name} is missing: {runs}"))
        .to_string()
}

/// A flow's id by name.
pub async fn flow_id(session: &Session, name: &str) -> String {
    let flow = call_ok(
        session,
        "get_flow_by_name",
        serde_json::json!({ "name": name }),
    )
    .await;
    flow["id"].as_str().expect("flow id").to_string()
}
