//! list_artifacts and get_artifact: newest first with filters, a key's latest version, a
//! table's rows parsed from the JSON string Prefect stores, and bad keys and types refused
//! before any request.

use serde_json::json;

use crate::harness::*;

const ARTIFACT_ID: &str = "5d0c1b7e-3f7a-4c55-9f0e-2d9b1a7e6c01";
const RUN_ID: &str = "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d";

fn table_artifact() -> String {
    json!([{
        "id": ARTIFACT_ID, "key": "sales-report", "type": "table",
        "description": "Nightly sales", "flow_run_id": RUN_ID, "task_run_id": null,
        "data": "[{\"region\": \"eu\", \"rows\": 10}, {\"region\": \"us\", \"rows\": 7}]",
        "metadata_": {}, "created": "2026-12-01T03:00:00Z", "updated": "2026-12-01T03:00:00Z"
    }])
    .to_string()
}

#[tokio::test]
async fn list_artifacts_is_newest_first_and_filters_by_key_type_and_run() {
    let mut h = Harness::new().await;
    let read = body_where(h.mock("POST", "/artifacts/filter"), |body| {
        body["sort"] == "CREATED_DESC"
            && body["limit"] == 5
            && body["artifacts"]["key"] == json!({"any_": ["sales-report"]})
            && body["artifacts"]["type"] == json!({"any_": ["table"]})
            && body["artifacts"]["flow_run_id"] == json!({"any_": [RUN_ID]})
    })
    .with_body(table_artifact())
    .create_async()
    .await;
    let found = h
        .ok(
            "list_artifacts",
            json!({"key": "sales-report", "type": "Table", "flow_run": RUN_ID, "limit": 5}),
        )
        .await;
    read.assert_async().await;
    assert_eq!(found["count"], 1);
    let artifact = &found["artifacts"][0];
    assert_eq!(artifact["key"], "sales-report");
    assert_eq!(artifact["type"], "table");
    assert!(
        artifact.get("data").is_none(),
        "a list carries no data: {artifact}"
    );
}

#[tokio::test]
async fn get_artifact_by_key_reads_the_newest_of_the_key_and_parses_a_table() {
    let mut h = Harness::new().await;
    let read = body_where(h.mock("POST", "/artifacts/filter"), |body| {
        body["artifacts"]["key"] == json!({"any_": ["sales-report"]})
            && body["sort"] == "CREATED_DESC"
            && body["limit"] == 1
    })
    .with_body(table_artifact())
    .create_async()
    .await;
    let artifact = h
        .ok("get_artifact", json!({"artifact": "sales-report"}))
        .await;
    read.assert_async().await;
    assert_eq!(artifact["id"], ARTIFACT_ID);
    assert_eq!(
        artifact["rows"],
        json!([{"region": "eu", "rows": 10}, {"region": "us", "rows": 7}])
    );
    assert_eq!(artifact["description"], "Nightly sales");
}

#[tokio::test]
async fn get_artifact_by_id_reads_it_directly() {
    let mut h = Harness::new().await;
    let one = json!({
        "id": ARTIFACT_ID, "key": "sales-report", "type": "markdown",
        "data": "# Sales\nup 3 %", "created": "2026-12-01T03:00:00Z"
    });
    let read = h
        .answer(
            "GET",
            &format!("/artifacts/{ARTIFACT_ID}"),
            &one.to_string(),
        )
        .await;
    let artifact = h.ok("get_artifact", json!({"artifact": ARTIFACT_ID})).await;
    read.assert_async().await;
    assert_eq!(artifact["markdown"], "# Sales\nup 3 %");
}

#[tokio::test]
async fn an_unknown_key_is_not_found_and_bad_arguments_send_nothing() {
    let mut h = Harness::new().await;
    h.answer("POST", "/artifacts/filter", "[]").await;
    let err = h.err("get_artifact", json!({"artifact": "nope"})).await;
    assert!(err.contains("there is no artifact named \"nope\""), "{err}");
    assert!(err.contains("list_artifacts"), "{err}");

    let mut h = Harness::new().await;
    let watch = h.watch_for_requests().await;
    let err = h
        .err("get_artifact", json!({"artifact": "Sales Report"}))
        .await;
    assert!(
        err.contains("lowercase letters, digits and dashes"),
        "{err}"
    );
    let err = h.err("list_artifacts", json!({"type": "chart"})).await;
    assert!(err.contains("valid types are table, markdown"), "{err}");
    watch.assert_nothing_sent();
}
