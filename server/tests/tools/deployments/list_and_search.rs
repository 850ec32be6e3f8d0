//! list_deployments and search_deployments_by_status: the filters they send and how each
//! deployment is named after its flow.

use serde_json::json;

use crate::fixtures::*;
use crate::harness::*;

use super::flow;

#[tokio::test]
async fn list_deployments_names_each_ones_flow_with_one_extra_request() {
    let mut h = Harness::new().await;
    let read = h
        .answer_to(
            "POST",
            "/deployments/filter",
            json!({"sort": "NAME_ASC", "limit": 3, "offset": 1}),
            DEPLOYMENTS,
        )
        .await;
    let flows = list(&[
        flow("3c22e8ff-17e7-4a1c-8758-5d65b69885ee", "mcp-scheduled"),
        flow("c3bce0ad-bd4b-45f7-854f-9a9f087034b2", "mcp-late"),
        FLOW.into(),
    ]);
    let names = body_where(h.mock("POST", "/flows/filter"), |body| {
        body["flows"]["id"]["any_"]
            == json!([
                "3c22e8ff-17e7-4a1c-8758-5d65b69885ee",
                "c3bce0ad-bd4b-45f7-854f-9a9f087034b2",
                FLOW_ID
            ])
    })
    .with_body(flows)
    .create_async()
    .await;
    let found = h
        .ok("list_deployments", json!({"limit": 3, "offset": 1}))
        .await;
    read.assert_async().await;
    names.assert_async().await;
    assert_eq!(found["count"], 3);
    let full_names: Vec<String> = found["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}/{}",
                d["flow_name"].as_str().unwrap(),
                d["name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        full_names,
        [
            "mcp-hello/hello",
            "mcp-scheduled/hourly",
            "mcp-late/late-deployment"
        ]
    );
    assert_eq!(
        found["deployments"][1]["schedules"][0]["interval_seconds"],
        3600.0
    );
    assert_eq!(found["deployments"][2]["concurrency_limit"], 1);
}

#[tokio::test]
async fn list_deployments_of_one_flow_filters_by_its_id() {
    let mut h = Harness::new().await;
    let read = h
        .answer_to(
            "POST",
            "/deployments/filter",
            json!({"flows": {"id": {"any_": [FLOW_ID]}}}),
            "[]",
        )
        .await;
    let found = h.ok("list_deployments", json!({"flow_id": FLOW_ID})).await;
    read.assert_async().await;
    assert_eq!(found, json!({"deployments": [], "count": 0}));
}

#[tokio::test]
async fn list_deployments_refuses_a_bad_flow_id() {
    let mut h = Harness::new().await;
    let err = h
        .refused("list_deployments", json!({"flow_id": "hello"}))
        .await;
    assert!(err.contains("flow_id must be a UUID"), "{err}");
}

#[tokio::test]
async fn search_deployments_by_status_active_means_not_paused() {
    let mut h = Harness::new().await;
    let read = h
        .answer_to(
            "POST",
            "/deployments/filter",
            json!({"deployments": {"paused": {"eq_": false}}, "sort": "NAME_ASC"}),
            "[]",
        )
        .await;
    h.ok(
        "search_deployments_by_status",
        json!({"is_schedule_active": true}),
    )
    .await;
    read.assert_async().await;
}

#[tokio::test]
async fn search_deployments_by_status_inactive_means_paused() {
    let mut h = Harness::new().await;
    let paused = with(DEPLOYMENT, json!({"paused": true}));
    let read = h
        .answer_to(
            "POST",
            "/deployments/filter",
            json!({"deployments": {"paused": {"eq_": true}}}),
            &list(&[paused]),
        )
        .await;
    h.answer("POST", "/flows/filter", &list(&[FLOW.into()]))
        .await;
    let found = h
        .ok(
            "search_deployments_by_status",
            json!({"is_schedule_active": false}),
        )
        .await;
    read.assert_async().await;
    assert_eq!(found["deployments"][0]["paused"], true);
}

#[tokio::test]
async fn search_deployments_by_status_refuses_text_for_a_boolean() {
    let mut h = Harness::new().await;
    let err = h
        .refused(
            "search_deployments_by_status",
            json!({"is_schedule_active": "yes"}),
        )
        .await;
    assert!(err.contains("is_schedule_active: invalid type"), "{err}");
}
