//! filter_flows, filter_flow_runs, filter_deployments: Prefect's filter JSON, checked before it
//! is sent.

use serde_json::json;

use crate::fixtures::*;
use crate::harness::*;

#[tokio::test]
async fn filter_flows_wraps_a_bare_filter_under_flows_with_the_default_limit() {
    let mut h = Harness::new().await;
    let read = body_where(h.mock("POST", "/flows/filter"), |body| {
        body["flows"] == json!({"name": {"like_": "mcp"}}) && body["limit"] == 20
    })
    .with_body(FLOWS)
    .create_async()
    .await;
    let found = h
        .ok(
            "filter_flows",
            json!({"filter_criteria": {"name": {"like_": "mcp"}}}),
        )
        .await;
    read.assert_async().await;
    assert_eq!(found["count"], 3);
}

#[tokio::test]
async fn filter_flows_passes_a_rest_body_through_with_its_paging() {
    let mut h = Harness::new().await;
    let read = h
        .answer_to(
            "POST",
            "/flows/filter",
            json!({"flows": {"tags": {"all_": ["mcp-demo"]}}, "limit": 2, "offset": 1, "sort": "NAME_DESC"}),
            &list(&[parse(FLOWS)[1].to_string()]),
        )
        .await;
    let found = h
        .ok(
            "filter_flows",
            json!({"filter_criteria": {
                "flows": {"tags": {"all_": ["mcp-demo"]}}, "limit": 2, "offset": 1, "sort": "NAME_DESC"
            }}),
        )
        .await;
    read.assert_async().await;
    assert_eq!(found["flows"][0]["name"], "mcp-fail");
}

#[tokio::test]
async fn filter_flow_runs_sorts_newest_first_unless_told_otherwise() {
    let mut h = Harness::new().await;
    let read = h
        .answer_to(
            "POST",
            "/flow_runs/filter",
            json!({
                "flow_runs": {"state": {"type": {"any_": ["FAILED"]}}},
                "sort": "EXPECTED_START_TIME_DESC"
            }),
            &list(&[FLOW_RUN_FAILED.into()]),
        )
        .await;
    let found = h
        .ok(
            "filter_flow_runs",
            json!({"filter_criteria": {"state": {"type": {"any_": ["FAILED"]}}}}),
        )
        .await;
    read.assert_async().await;
    assert_eq!(found["flow_runs"][0]["id"], FAILED_RUN_ID);
}

#[tokio::test]
async fn filter_flow_runs_keeps_a_sort_it_is_given() {
    let mut h = Harness::new().await;
    let read = h
        .answer_to(
            "POST",
            "/flow_runs/filter",
            json!({"sort": "START_TIME_ASC", "flows": {"name": {"any_": ["mcp-fail"]}}}),
            "[]",
        )
        .await;
    let found = h
        .ok(
            "filter_flow_runs",
            json!({"filter_criteria": {"sort": "START_TIME_ASC", "flows": {"name": {"any_": ["mcp-fail"]}}}}),
        )
        .await;
    read.assert_async().await;
    assert_eq!(found["count"], 0);
}

#[tokio::test]
async fn filter_deployments_sends_the_filter_and_names_the_flows() {
    let mut h = Harness::new().await;
    let read = h
        .answer_to(
            "POST",
            "/deployments/filter",
            json!({"deployments": {"paused": {"eq_": false}}, "limit": 20}),
            &list(&[DEPLOYMENT.into()]),
        )
        .await;
    h.answer("POST", "/flows/filter", &list(&[FLOW.into()]))
        .await;
    let found = h
        .ok(
            "filter_deployments",
            json!({"filter_criteria": {"paused": {"eq_": false}}}),
        )
        .await;
    read.assert_async().await;
    assert_eq!(found["deployments"][0]["flow_name"], "mcp-hello");
}

#[tokio::test]
async fn filter_criteria_mixing_body_and_filter_keys_is_refused() {
    let mut h = Harness::new().await;
    let err = h
        .refused(
            "filter_flows",
            json!({"filter_criteria": {"flows": {}, "name": {"like_": "x"}}}),
        )
        .await;
    assert!(err.contains("mixes top-level keys"), "{err}");
    assert!(err.contains("(flows)") && err.contains("(name)"), "{err}");
    assert!(
        err.contains("work_pool_queues"),
        "the valid keys are listed: {err}"
    );
}

#[tokio::test]
async fn an_unknown_filter_operator_is_refused_with_the_valid_ones() {
    let mut h = Harness::new().await;
    let err = h
        .refused(
            "filter_flow_runs",
            json!({"filter_criteria": {"name": {"equals": "seed-fail"}}}),
        )
        .await;
    assert!(err.contains("filter_criteria.flow_runs.name"), "{err}");
    assert!(
        err.contains("unknown field `equals`") && err.contains("like_"),
        "{err}"
    );
}

#[tokio::test]
async fn an_unknown_filter_field_is_refused() {
    let mut h = Harness::new().await;
    let err = h
        .refused(
            "filter_deployments",
            json!({"filter_criteria": {"flow_name": {"any_": ["x"]}}}),
        )
        .await;
    assert!(err.contains("unknown field `flow_name`"), "{err}");
}

#[tokio::test]
async fn a_filter_limit_over_200_is_refused() {
    let mut h = Harness::new().await;
    let err = h
        .refused("filter_flows", json!({"filter_criteria": {"limit": 500}}))
        .await;
    assert!(
        err.contains("limit must be between 1 and 200, got 500"),
        "{err}"
    );
}

#[tokio::test]
async fn a_filter_limit_given_as_text_is_refused() {
    let mut h = Harness::new().await;
    let err = h
        .refused(
            "filter_flow_runs",
            json!({"filter_criteria": {"limit": "ten"}}),
        )
        .await;
    assert!(
        err.contains("filter_criteria.limit must be a whole number from 1 to 200, got \"ten\""),
        "{err}"
    );
}

#[tokio::test]
async fn filter_tools_need_their_criteria() {
    let mut h = Harness::new().await;
    let err = h.refused("filter_deployments", json!({})).await;
    assert!(err.contains("missing field `filter_criteria`"), "{err}");
    let err = h
        .refused("filter_flows", json!({"filter_criteria": "name = etl"}))
        .await;
    assert!(
        err.contains("filter_criteria: invalid type: string"),
        "{err}"
    );
}
