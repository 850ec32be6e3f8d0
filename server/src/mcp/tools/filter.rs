//! Raw filter tools: filter_flows, filter_flow_runs, filter_deployments.
//!
//! `filter_criteria` is either Prefect's REST body (`{"flows": …, "flow_runs": …, "sort": …,
//! "limit": …, "offset": …}`) or the bare filter of the tool's own entity
//! (`{"tags": {"all_": ["prod"]}}`). Here it is brought to the REST body's shape with a checked
//! limit; the Prefect layer (`crate::prefect::raw_filters`) decodes it strictly, so a misspelt key
//! or operator is an error naming the valid ones instead of a filter Prefect silently drops.

use rmcp::{tool, tool_router, Json};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::args::{self, Parameters};
use crate::errors::{ArgumentError, ToolError};
use crate::mcp::declarations::Declaration;
use crate::mcp::server::McpServer;
use crate::output::{DeploymentList, FlowList, FlowRunList};
use crate::prefect::raw_filters::FlowRunSelection;

pub(crate) const DECLARED: &[Declaration] = &[
    Declaration::reads("filter_flows"),
    Declaration::reads("filter_flow_runs"),
    Declaration::reads("filter_deployments"),
];

/// Top-level keys of Prefect's flow, flow run and deployment filter bodies.
const BODY_KEYS: [&str; 9] = [
    "flows",
    "flow_runs",
    "task_runs",
    "deployments",
    "work_pools",
    "work_pool_queues",
    "sort",
    "limit",
    "offset",
];

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FilterArgs {
    /// Prefect's filter JSON: a REST body ("flows", "flow_runs", "deployments", "sort",
    /// "limit" up to 200, "offset") or this entity's bare filter.
    pub filter_criteria: Map<String, Value>,
}

/// Which REST key holds the bare filter of each tool's entity.
#[derive(Clone, Copy)]
enum Entity {
    Flows,
    FlowRuns,
    Deployments,
}

impl Entity {
    fn key(self) -> &'static str {
        match self {
            Entity::Flows => "flows",
            Entity::FlowRuns => "flow_runs",
            Entity::Deployments => "deployments",
        }
    }
}

/// Bring `filter_criteria` to the REST body shape, with a checked limit (default 20).
fn to_body(criteria: Map<String, Value>, entity: Entity) -> Result<Map<String, Value>, ToolError> {
    let (body_keys, other_keys): (Vec<&String>, Vec<&String>) = criteria
        .keys()
        .partition(|k| BODY_KEYS.contains(&k.as_str()));
    let mut body = match (body_keys.is_empty(), other_keys.is_empty()) {
        // Only filter fields: the bare filter of this tool's entity.
        (true, false) => {
            let mut body = Map::new();
            body.insert(entity.key().into(), Value::Object(criteria));
            body
        }
        (_, true) => criteria,
        (false, false) => {
            return Err(ArgumentError::FilterMixesKeys {
                entity: entity.key(),
                body_keys: body_keys.into_iter().cloned().collect(),
                other_keys: other_keys.into_iter().cloned().collect(),
                valid: BODY_KEYS.to_vec(),
            }
            .into())
        }
    };
    let limit = match body.get("limit") {
        None | Some(Value::Null) => args::DEFAULT_LIMIT,
        Some(value) => value.as_i64().ok_or_else(|| {
            ToolError::from(ArgumentError::FilterLimitNotANumber {
                value: value.to_string(),
            })
        })?,
    };
    body.insert("limit".into(), Value::from(args::limit(limit)?));
    Ok(body)
}

/// Flow run `filter_criteria` as filter_flow_runs takes them, decoded, for tools that select
/// runs to act on (cancel_flow_runs).
pub(crate) fn flow_run_selection(
    criteria: Map<String, Value>,
) -> Result<FlowRunSelection, ToolError> {
    FlowRunSelection::decode(to_body(criteria, Entity::FlowRuns)?)
}

#[tool_router(router = filter_tools, vis = "pub(crate)")]
impl McpServer {
    /// Filter flows with Prefect's filter JSON, e.g. {"name": {"like_": "etl"}} or
    /// {"flows": {"tags": {"all_": ["prod"]}}, "limit": 50}.
    #[tool]
    async fn filter_flows(
        &self,
        Parameters(args): Parameters<FilterArgs>,
    ) -> Result<Json<FlowList>, ToolError> {
        let body = to_body(args.filter_criteria, Entity::Flows)?;
        self.prefect.filter_flows(body).await.map(Json)
    }

    /// Filter flow runs with Prefect's filter JSON, newest first unless "sort" says otherwise,
    /// e.g. {"state": {"type": {"any_": ["FAILED"]}}}.
    #[tool]
    async fn filter_flow_runs(
        &self,
        Parameters(args): Parameters<FilterArgs>,
    ) -> Result<Json<FlowRunList>, ToolError> {
        let body = to_body(args.filter_criteria, Entity::FlowRuns)?;
        self.prefect.filter_flow_runs(body).await.map(Json)
    }

    /// Filter deployments with Prefect's filter JSON, e.g. {"paused": {"eq_": false}}.
    #[tool]
    async fn filter_deployments(
        &self,
        Parameters(args): Parameters<FilterArgs>,
    ) -> Result<Json<DeploymentList>, ToolError> {
        let body = to_body(args.filter_criteria, Entity::Deployments)?;
        self.prefect.filter_deployments(body).await.map(Json)
    }
}

/// Entry points for the property tests in `argument_properties.rs`, by entity name.
#[cfg(test)]
pub(crate) fn to_body_for_tests(
    criteria: Map<String, Value>,
    entity: &str,
) -> Result<Map<String, Value>, ToolError> {
    to_body(criteria, entity_named(entity))
}

#[cfg(test)]
fn entity_named(name: &str) -> Entity {
    match name {
        "flows" => Entity::Flows,
        "flow_runs" => Entity::FlowRuns,
        _ => Entity::Deployments,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn criteria(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn bare_filter_is_wrapped_under_the_tools_entity() {
        let body = to_body(criteria(json!({"tags": {"all_": ["a"]}})), Entity::Flows).unwrap();
        assert_eq!(
            Value::Object(body),
            json!({"flows": {"tags": {"all_": ["a"]}}, "limit": 20})
        );
    }

    #[test]
    fn rest_body_is_kept_and_limit_checked() {
        let body = to_body(criteria(json!({"flows": {}, "limit": 5})), Entity::Flows).unwrap();
        assert_eq!(body["limit"], json!(5));
        let err = to_body(criteria(json!({"limit": 500})), Entity::Flows).unwrap_err();
        assert!(err.message().contains("between 1 and 200"));
    }

    #[test]
    fn mixed_keys_are_rejected_with_the_valid_ones() {
        let err = to_body(
            criteria(json!({"flows": {}, "flow_name": "x"})),
            Entity::Flows,
        )
        .unwrap_err();
        let text = err.message();
        assert!(
            text.contains("flow_name") && text.contains("work_pool_queues"),
            "{text}"
        );
    }
}
