//! The MCP tools, one module per Prefect area, in the order of the tool reference.
//!
//! Each tool parses its arguments ([`args`]), makes typed calls through `prefect-api`, and shapes
//! the answer ([`crate::output`]). No HTTP and no error wording here: failures are
//! [`crate::errors::ToolError`]s, worded in one place.

pub mod args;
pub mod automations;
pub mod dashboard;
pub mod deployments;
pub mod diagnose;
pub mod events;
pub mod filter;
pub mod flow_runs;
pub mod flows;
pub mod logs;
pub mod server_info;
pub mod task_runs;
pub mod work_pools;

#[cfg(test)]
mod fuzz;

/// Decode `arguments` into every tool's argument type; only panics count as failures.
#[cfg(test)]
fn decode_all_argument_types_for_tests(arguments: serde_json::Map<String, serde_json::Value>) {
    fn attempt<T: serde::de::DeserializeOwned>(
        arguments: &serde_json::Map<String, serde_json::Value>,
    ) {
        let _ =
            serde_path_to_error::deserialize::<_, T>(serde_json::Value::Object(arguments.clone()));
    }
    attempt::<flows::FlowIdArgs>(&arguments);
    attempt::<flows::FlowNameArgs>(&arguments);
    attempt::<flows::ListFlowsArgs>(&arguments);
    attempt::<flows::SearchFlowsArgs>(&arguments);
    attempt::<flow_runs::FlowRunIdArgs>(&arguments);
    attempt::<flow_runs::ListFlowRunsArgs>(&arguments);
    attempt::<flow_runs::SearchByStateArgs>(&arguments);
    attempt::<deployments::DeploymentIdArgs>(&arguments);
    attempt::<deployments::DeploymentNameArgs>(&arguments);
    attempt::<deployments::ListDeploymentsArgs>(&arguments);
    attempt::<deployments::SearchByStatusArgs>(&arguments);
    attempt::<deployments::CreateFlowRunArgs>(&arguments);
    attempt::<filter::FilterArgs>(&arguments);
}
