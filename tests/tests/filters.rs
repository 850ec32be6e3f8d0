//! filter_flows, filter_flow_runs, filter_deployments: both body shapes, strictness, Prefect's
//! validation detail.

use integration_tests::*;
use serde_json::json;

#[tokio::test]
async fn bare_and_rest_body_shapes_give_the_same_answer() {
    let s = connect().await.unwrap();
    let bare = call_ok(
        &s,
        "filter_flows",
        json!({"filter_criteria": {"tags": {"all_": ["failing"]}}}),
    )
    .await;
    let body = call_ok(
        &s,
        "filter_flows",
        json!({"filter_criteria": {"flows": {"tags": {"all_": ["failing"]}}, "limit": 10}}),
    )
    .await;
    assert_eq!(names(&bare, "flows"), vec!["mcp-fail"]);
    assert_eq!(bare, body);
}

#[tokio::test]
async fn like_is_a_case_insensitive_contains() {
    let s = connect().await.unwrap();
    let found = call_ok(
        &s,
        "filter_flows",
        json!({"filter_criteria": {"name": {"like_": "SLO"}}}),
    )
    .await;
    assert_eq!(names(&found, "flows"), vec!["mcp-slow"]);
}

#[tokio::test]
async fn filter_flow_runs_by_state_and_flow() {
    let s = connect().await.unwrap();
    let runs = call_ok(
        &s,
        "filter_flow_runs",
        json!({"filter_criteria": {
            "flow_runs": {"state": {"type": {"any_": ["FAILED"]}}},
            "flows": {"name": {"any_": ["mcp-fail"]}},
            "limit": 50
        }}),
    )
    .await;
    let fail_flow = flow_id(&s, "mcp-fail").await;
    let items = runs["flow_runs"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items
        .iter()
        .all(|r| r["flow_id"] == json!(fail_flow) && r["state"]["type"] == "FAILED"));
}

#[tokio::test]
async fn filter_deployments_by_paused() {
    let s = connect().await.unwrap();
    let paused = call_ok(
        &s,
        "filter_deployments",
        json!({"filter_criteria": {"paused": {"eq_": true}}}),
    )
    .await;
    assert_eq!(names(&paused, "deployments"), vec!["paused-schedule"]);
}

#[tokio::test]
async fn unknown_operator_is_rejected_not_ignored() {
    let s = connect().await.unwrap();
    let err = call_err(
        &s,
        "filter_flows",
        json!({"filter_criteria": {"name": {"equals": "mcp-hello"}}}),
    )
    .await;
    assert!(
        err.contains("flows.name") && err.contains("equals") && err.contains("like_"),
        "{err}"
    );
    let err = call_err(
        &s,
        "filter_deployments",
        json!({"filter_criteria": {"deployments": {"is_schedule_active": {"eq_": true}}}}),
    )
    .await;
    assert!(
        err.contains("is_schedule_active") && err.contains("paused"),
        "{err}"
    );
}

#[tokio::test]
async fn unknown_top_level_key_lists_the_valid_ones() {
    let s = connect().await.unwrap();
    let err = call_err(
        &s,
        "filter_flow_runs",
        json!({"filter_criteria": {"flow_runs": {}, "flow_run": {"name": {"any_": ["x"]}}}}),
    )
    .await;
    assert!(
        err.contains("flow_run") && err.contains("work_pool_queues, sort, limit, offset"),
        "{err}"
    );
}

#[tokio::test]
async fn prefects_own_validation_detail_comes_back_readable() {
    let s = connect().await.unwrap();
    // Well-formed for the client, refused by the server: an unknown sort order.
    let err = call_err(
        &s,
        "filter_flows",
        json!({"filter_criteria": {"sort": "SIDEWAYS"}}),
    )
    .await;
    assert!(err.contains("422") && err.contains("sort"), "{err}");
}

#[tokio::test]
async fn filter_limits_are_checked() {
    let s = connect().await.unwrap();
    let err = call_err(
        &s,
        "filter_flows",
        json!({"filter_criteria": {"limit": 500}}),
    )
    .await;
    assert!(err.contains("between 1 and 200"), "{err}");
    let err = call_err(&s, "filter_flows", json!({"filter_criteria": {"limit": 0}})).await;
    assert!(err.contains("between 1 and 200"), "{err}");
}
