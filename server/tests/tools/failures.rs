//! Prefect's failures, for every tool: each says what it was doing, the cause, and the fix.

use mockito::Matcher;
use serde_json::{json, Value};

use crate::fixtures::*;
use crate::harness::*;
use crate::seam::ALL_TOOLS;

/// Every tool with valid arguments, and what its first request to Prefect is doing (as its
/// error says); `None` where several requests start at once and any may fail first.
fn every_tool() -> Vec<(&'static str, Value, Option<String>)> {
    let mut tools = vec![
        (
            "cancel_flow_run",
            json!({"flow_run_id": LATE_RUN_ID}),
            Some(format!("cancelling flow run {LATE_RUN_ID}")),
        ),
        (
            "create_flow_run_from_deployment",
            json!({"deployment_id": "mcp-params/params"}),
            Some("reading deployment \"mcp-params/params\"".into()),
        ),
        (
            "diagnose_flow_run",
            json!({"flow_run": FAILED_RUN_ID}),
            Some(format!("reading flow run {FAILED_RUN_ID}")),
        ),
        (
            "filter_deployments",
            json!({"filter_criteria": {}}),
            Some("listing deployments".into()),
        ),
        (
            "filter_flow_runs",
            json!({"filter_criteria": {}}),
            Some("listing flow runs".into()),
        ),
        (
            "filter_flows",
            json!({"filter_criteria": {}}),
            Some("listing flows".into()),
        ),
        (
            "get_automation",
            json!({"automation": "mcp-notify-on-failure"}),
            Some("looking up automation \"mcp-notify-on-failure\"".into()),
        ),
        ("get_dashboard", json!({}), None),
        (
            "get_deployment_by_id",
            json!({"deployment_id": DEPLOYMENT_ID}),
            Some(format!("reading deployment {DEPLOYMENT_ID}")),
        ),
        (
            "get_deployment_by_name",
            json!({"name": "mcp-hello/hello"}),
            Some("reading deployment \"mcp-hello/hello\"".into()),
        ),
        (
            "get_flow_by_id",
            json!({"flow_id": FLOW_ID}),
            Some(format!("reading flow {FLOW_ID}")),
        ),
        (
            "get_flow_by_name",
            json!({"name": "mcp-hello"}),
            Some("reading flow \"mcp-hello\"".into()),
        ),
        (
            "get_flow_run_by_id",
            json!({"flow_run_id": FAILED_RUN_ID}),
            Some(format!("reading flow run {FAILED_RUN_ID}")),
        ),
        (
            "get_flow_run_logs",
            json!({"flow_run_id": FAILED_RUN_ID}),
            Some(format!("reading the logs of flow run {FAILED_RUN_ID}")),
        ),
        ("get_server_info", json!({}), None),
        (
            "get_work_pool",
            json!({"name": "mcp-pool"}),
            Some("reading work pool \"mcp-pool\"".into()),
        ),
        (
            "list_automations",
            json!({}),
            Some("listing automations".into()),
        ),
        (
            "list_deployments",
            json!({}),
            Some("listing deployments".into()),
        ),
        (
            "list_flow_runs",
            json!({}),
            Some("listing flow runs".into()),
        ),
        ("list_flows", json!({}), Some("listing flows".into())),
        (
            "list_task_runs",
            json!({}),
            Some("listing task runs".into()),
        ),
        (
            "list_work_pools",
            json!({}),
            Some("listing work pools".into()),
        ),
        ("read_events", json!({}), Some("reading events".into())),
        (
            "search_deployments_by_status",
            json!({"is_schedule_active": true}),
            Some("listing deployments".into()),
        ),
        (
            "search_flow_runs_by_state",
            json!({"state_type": "FAILED"}),
            Some("listing flow runs".into()),
        ),
        (
            "search_flows",
            json!({"name": "mcp"}),
            Some("listing flows".into()),
        ),
        (
            "wait_for_flow_run",
            json!({"flow_run_id": FAILED_RUN_ID, "timeout": 1}),
            Some(format!("reading flow run {FAILED_RUN_ID}")),
        ),
    ];
    tools.extend(write_tools());
    tools.sort_by_key(|(tool, _, _)| *tool);
    tools
}

/// The write tools, likewise; each reads its target before it changes anything.
fn write_tools() -> Vec<(&'static str, Value, Option<String>)> {
    let run = || json!({"flow_run": FAILED_RUN_ID});
    let reading_run = || Some(format!("reading flow run {FAILED_RUN_ID}"));
    let deployment = || json!({"deployment": DEPLOYMENT_ID});
    let reading_deployment = || Some(format!("reading deployment {DEPLOYMENT_ID}"));
    let automation = || json!({"automation": AUTOMATION_ID});
    let reading_automation = || Some(format!("reading automation {AUTOMATION_ID}"));
    let pool = || json!({"name": "mcp-pool"});
    let reading_pool = || Some("reading work pool \"mcp-pool\"".to_string());
    let queue = || json!({"work_pool": "mcp-pool", "name": "default"});
    let reading_queue = || Some("reading work queue \"default\" of work pool \"mcp-pool\"".into());
    let variable = || json!({"name": "mcp_threshold"});
    let reading_variable = || Some("reading variable \"mcp_threshold\"".to_string());
    vec![
        (
            "cancel_flow_runs",
            json!({"state": "SCHEDULED"}),
            Some("listing flow runs".into()),
        ),
        ("delete_flow_run", run(), reading_run()),
        ("delete_variable", variable(), reading_variable()),
        ("disable_automation", automation(), reading_automation()),
        ("enable_automation", automation(), reading_automation()),
        ("get_variable", variable(), reading_variable()),
        (
            "list_variables",
            json!({}),
            Some("listing variables".into()),
        ),
        ("pause_deployment", deployment(), reading_deployment()),
        ("pause_work_pool", pool(), reading_pool()),
        ("pause_work_queue", queue(), reading_queue()),
        ("resume_deployment", deployment(), reading_deployment()),
        ("resume_flow_run", run(), reading_run()),
        ("resume_work_pool", pool(), reading_pool()),
        ("resume_work_queue", queue(), reading_queue()),
        ("retry_flow_run", run(), reading_run()),
        (
            "set_flow_run_state",
            json!({"flow_run": FAILED_RUN_ID, "state": "FAILED"}),
            reading_run(),
        ),
        (
            "set_variable",
            json!({"name": "mcp_threshold", "value": 1}),
            reading_variable(),
        ),
        (
            "update_deployment",
            json!({"deployment": DEPLOYMENT_ID, "description": "d"}),
            reading_deployment(),
        ),
    ]
}

#[test]
fn the_table_covers_every_tool() {
    let tools: Vec<&str> = every_tool().iter().map(|(tool, _, _)| *tool).collect();
    assert_eq!(tools, ALL_TOOLS);
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
    for (tool, arguments, doing) in every_tool() {
        let err = h.err(tool, arguments).await;
        assert!(err.starts_with("Prefect failed while"), "{tool}: {err}");
        assert!(
            err.contains("(500): Internal Server Error"),
            "{tool}: {err}"
        );
        assert!(err.contains("server-side problem"), "{tool}: {err}");
        if let Some(doing) = doing {
            assert!(
                err.contains(&format!("while {doing} (500)")),
                "{tool}: {err}"
            );
        }
    }
}

#[tokio::test]
async fn every_tool_reports_refused_credentials_with_the_settings_to_check() {
    let h = prefect_answering(401, r#"{"exception_message":"Unauthorized"}"#).await;
    for (tool, arguments, doing) in every_tool() {
        let err = h.err(tool, arguments).await;
        assert!(
            err.starts_with("Prefect refused the credentials while"),
            "{tool}: {err}"
        );
        assert!(err.contains("(401: Unauthorized)"), "{tool}: {err}");
        assert!(err.contains("PREFECT_API_KEY"), "{tool}: {err}");
        if let Some(doing) = doing {
            assert!(
                err.contains(&format!("while {doing} (401")),
                "{tool}: {err}"
            );
        }
    }
}

#[tokio::test]
async fn every_tool_names_the_url_of_an_unreachable_prefect() {
    let (server, api_url) = unreachable_server();
    for (tool, arguments, doing) in every_tool() {
        let Value::Object(arguments) = arguments else {
            unreachable!()
        };
        let result = server.call_in_process(tool, arguments).await.unwrap();
        assert_eq!(result.is_error, Some(true), "{tool}");
        let err = text_of(&result);
        assert!(
            err.starts_with(&format!("Cannot reach Prefect at {api_url}")),
            "{tool}: {err}"
        );
        assert!(err.contains("PREFECT_API_URL"), "{tool}: {err}");
        if let Some(doing) = doing {
            assert!(err.contains(&format!("while {doing} (")), "{tool}: {err}");
        }
    }
}

#[tokio::test]
async fn every_tool_reports_a_malformed_answer_as_not_understood() {
    let h = prefect_answering(200, r#"{"unexpected": "shape"}"#).await;
    for (tool, arguments, _) in every_tool() {
        let err = h.err(tool, arguments).await;
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
