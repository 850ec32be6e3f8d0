//! Prefect's failures, for every tool: each says what it was doing, the cause, and the fix.

use mockito::Matcher;
use serde_json::{json, Value};

use crate::fixtures::*;
use crate::harness::*;
use crate::tool_list::all_tools;
use prefect_mcp_server::mcp::McpServer;

/// A valid value for each required parameter, by name. The failure tests call every tool the
/// server offers with these, so a new tool needs nothing here unless it brings a new required
/// parameter (then this says so).
fn valid_value(tool: &str, parameter: &str) -> Value {
    match parameter {
        "flow_id" => json!(FLOW_ID),
        "flow_run_id" | "flow_run" => json!(FAILED_RUN_ID),
        "deployment_id" | "deployment" => json!(DEPLOYMENT_ID),
        // Deployment names are "flow/deployment"; every other name is one path segment.
        "name" if tool.contains("deployment") => json!("mcp-hello/hello"),
        "name" | "flow" => json!("mcp-hello"),
        "work_pool" => json!("mcp-pool"),
        "state" => json!("FAILED"),
        "value" => json!(1),
        "automation" => json!("mcp-notify-on-failure"),
        "artifact" => json!("mcp-report"),
        "limit" => json!(1),
        "block" => json!("secret/mcp-secret"),
        "schedule_id" => json!("0c5e2f1a-9b8d-4c7e-a6f5-3d2c1b0a9e8f"),
        "filter_criteria" => json!({}),
        "definition" => json!({"name": "x", "trigger": {"type": "event"}, "actions": []}),
        other => panic!("no valid value for the required parameter {other:?}: add one here"),
    }
}

/// Every tool the server offers, with valid arguments (its required parameters only).
fn every_tool(server: &McpServer) -> Vec<(String, Value)> {
    let tools = server.tools();
    assert_eq!(tools.len(), all_tools().len());
    tools
        .into_iter()
        .map(|tool| {
            let mut arguments: serde_json::Map<String, Value> = tool
                .input_schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(|name| (name.to_string(), valid_value(&tool.name, name)))
                .collect();
            // Writes that need one of several optional arguments (none is required alone).
            match tool.name.as_ref() {
                "cancel_flow_runs" => arguments.insert("state".into(), json!("SCHEDULED")),
                "update_deployment" | "update_work_pool" | "update_work_queue" => {
                    arguments.insert("description".into(), json!("x"))
                }
                "set_deployment_schedule" => arguments.insert("cron".into(), json!("0 3 * * *")),
                _ => None,
            };
            (tool.name.into_owned(), Value::Object(arguments))
        })
        .collect()
}

/// Every request, whatever its method and path, answers `status` with `body`.
async fn prefect_answering(status: usize, body: &str) -> Harness {
    let mut h = Harness::new().await;
    for method in ["GET", "POST"] {
        h.prefect
            .mock(method, Matcher::Any)
            .with_status(status)
            .with_header("content-type", "application/json")
            .with_body(body)
            .create_async()
            .await;
    }
    h
}

#[tokio::test]
async fn every_tool_reports_prefects_500_as_server_side() {
    let h = prefect_answering(500, r#"{"exception_message":"Internal Server Error"}"#).await;
    for (tool, arguments) in every_tool(&h.server) {
        let err = h.err(&tool, arguments).await;
        assert!(err.starts_with("Prefect failed while"), "{tool}: {err}");
        assert!(
            err.contains(" (500): Internal Server Error"),
            "{tool}: {err}"
        );
        assert!(err.contains("server-side problem"), "{tool}: {err}");
    }
}

#[tokio::test]
async fn every_tool_reports_refused_credentials_with_the_settings_to_check() {
    let h = prefect_answering(401, r#"{"exception_message":"Unauthorized"}"#).await;
    for (tool, arguments) in every_tool(&h.server) {
        let err = h.err(&tool, arguments).await;
        assert!(
            err.starts_with("Prefect refused the credentials while"),
            "{tool}: {err}"
        );
        assert!(err.contains("(401: Unauthorized)"), "{tool}: {err}");
        assert!(err.contains("PREFECT_API_KEY"), "{tool}: {err}");
    }
}

#[tokio::test]
async fn every_tool_names_the_url_of_an_unreachable_prefect() {
    let (server, api_url) = unreachable_server();
    for (tool, arguments) in every_tool(&server) {
        let Value::Object(arguments) = arguments else {
            unreachable!()
        };
        let result = server.call_in_process(&tool, arguments).await.unwrap();
        assert_eq!(result.is_error, Some(true), "{tool}");
        let err = text_of(&result);
        assert!(
            err.starts_with(&format!("Cannot reach Prefect at {api_url}")),
            "{tool}: {err}"
        );
        assert!(err.contains("PREFECT_API_URL"), "{tool}: {err}");
        assert!(err.contains(" while "), "{tool}: {err}");
    }
}

#[tokio::test]
async fn every_tool_reports_a_malformed_answer_as_not_understood() {
    let h = prefect_answering(200, r#"{"unexpected": "shape"}"#).await;
    for (tool, arguments) in every_tool(&h.server) {
        let err = h.err(&tool, arguments).await;
        assert!(
            err.contains("could not be understood") || err.contains("could not be used"),
            "{tool}: {err}"
        );
        assert!(
            err.contains("Prefect version this client does not support"),
            "{tool}: {err}"
        );
    }
}

#[tokio::test]
async fn list_automations_and_list_work_pools_check_their_paging() {
    let mut h = Harness::new().await;
    let err = h.refused("list_automations", json!({"limit": 0})).await;
    assert!(
        err.contains("limit must be between 1 and 200, got 0"),
        "{err}"
    );
    let err = h.refused("list_work_pools", json!({"offset": -3})).await;
    assert!(err.contains("offset must be 0 or more, got -3"), "{err}");
}

#[tokio::test]
async fn get_automation_refuses_a_blank_name() {
    let mut h = Harness::new().await;
    let err = h.refused("get_automation", json!({"automation": ""})).await;
    assert!(err.contains("automation must not be empty"), "{err}");
}
