//! Prefect's own filter JSON, as the raw filter tools take it: a REST body decoded into the
//! generated request type, whose filter structs reject unknown keys, so a misspelt key or
//! operator (`equals`, `contains`) is an error naming the valid ones instead of a filter Prefect
//! silently drops.

use prefect_api::types;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::flow_runs::NEWEST_FIRST;
use super::query::States;
use super::Prefect;
use crate::errors::{ArgumentError, ToolError};
use crate::output::{DeploymentList, FlowList, FlowRunList};

/// Decode a REST body into the generated request type; errors name the path of the offending
/// key.
fn decode<T: DeserializeOwned>(body: Map<String, Value>) -> Result<T, ToolError> {
    serde_path_to_error::deserialize(Value::Object(body)).map_err(|e| {
        ArgumentError::FilterDecode {
            path: e.path().to_string(),
            problem: e.inner().to_string(),
        }
        .into()
    })
}

/// Flow runs chosen by Prefect's filter JSON (`{"flow_runs": …, "deployments": …, "limit": …}`),
/// decoded and so checked, and narrowed further before they are read.
#[derive(Debug, Clone)]
pub struct FlowRunSelection(types::BodyReadFlowRunsFlowRunsFilterPost);

impl FlowRunSelection {
    /// The selection a REST body describes, or the error naming its first unknown key.
    pub fn decode(body: Map<String, Value>) -> Result<Self, ToolError> {
        decode(body).map(FlowRunSelection)
    }

    /// Only the runs of this deployment, whichever deployment ids the criteria named.
    pub fn of_deployment(&mut self, deployment: Uuid) {
        self.0.deployments.get_or_insert_with(Default::default).id =
            Some(types::DeploymentFilterId {
                any: Some(vec![deployment]),
                not_any: None,
            });
    }

    /// Whether the criteria choose runs by state.
    pub fn chooses_states(&self) -> bool {
        self.0
            .flow_runs
            .as_ref()
            .is_some_and(|runs| runs.state.is_some())
    }

    /// Only runs of these state types, whatever states the criteria chose.
    pub fn only_state_types(&mut self, state_types: &[&str]) {
        self.0.flow_runs.get_or_insert_with(Default::default).state =
            States::of_types(state_types).flow_run_filter();
    }

    /// The request body, for this layer's reads.
    pub(super) fn into_body(self) -> types::BodyReadFlowRunsFlowRunsFilterPost {
        self.0
    }
}

impl Prefect {
    /// The flows a REST filter body selects.
    pub async fn filter_flows(&self, body: Map<String, Value>) -> Result<FlowList, ToolError> {
        let body: types::BodyReadFlowsFlowsFilterPost = decode(body)?;
        self.read_flows(&body).await
    }

    /// The flow runs a REST filter body selects, newest first unless it sorts them itself;
    /// when none matched, the state names it asked for are checked.
    pub async fn filter_flow_runs(
        &self,
        body: Map<String, Value>,
    ) -> Result<FlowRunList, ToolError> {
        let mut body = FlowRunSelection::decode(body)?.into_body();
        body.sort
            .get_or_insert_with(|| types::FlowRunSort(NEWEST_FIRST.into()));
        self.read_flow_runs_checking_state_names(&body).await
    }

    /// The deployments a REST filter body selects.
    pub async fn filter_deployments(
        &self,
        body: Map<String, Value>,
    ) -> Result<DeploymentList, ToolError> {
        let body: types::BodyReadDeploymentsDeploymentsFilterPost = decode(body)?;
        self.read_deployments(&body).await
    }
}

/// Decode `body` as the filter body of `entity` ("flows", "flow_runs", else deployments), for
/// the property tests of the filter arguments.
#[cfg(test)]
pub(crate) fn decode_for_tests(body: Map<String, Value>, entity: &str) -> Result<(), ToolError> {
    match entity {
        "flows" => decode::<types::BodyReadFlowsFlowsFilterPost>(body).map(drop),
        "flow_runs" => FlowRunSelection::decode(body).map(drop),
        _ => decode::<types::BodyReadDeploymentsDeploymentsFilterPost>(body).map(drop),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn unknown_operator_names_its_path_and_the_valid_operators() {
        let body = body(json!({"flows": {"name": {"equals": "x"}}, "limit": 20}));
        let err = decode::<types::BodyReadFlowsFlowsFilterPost>(body)
            .unwrap_err()
            .message();
        assert!(err.contains("flows.name"), "{err}");
        assert!(err.contains("equals") && err.contains("like_"), "{err}");
    }

    #[test]
    fn a_selection_narrowed_to_a_deployment_and_states_keeps_its_other_criteria() {
        let mut selection = FlowRunSelection::decode(body(json!({
            "flow_runs": {"name": {"like_": "nightly"}},
            "deployments": {"id": {"not_any_": ["0b6f5c3e-6d1a-4c57-9b8e-2f1d3c4b5a69"]}},
        })))
        .unwrap();
        assert!(!selection.chooses_states());
        let deployment = Uuid::nil();
        selection.of_deployment(deployment);
        selection.only_state_types(&["RUNNING"]);
        assert!(selection.chooses_states());
        let sent = serde_json::to_value(selection.into_body()).unwrap();
        assert_eq!(sent["flow_runs"]["name"], json!({"like_": "nightly"}));
        assert_eq!(sent["deployments"]["id"], json!({"any_": [deployment]}));
        assert_eq!(
            sent["flow_runs"]["state"]["type"],
            json!({"any_": ["RUNNING"]})
        );
    }
}
