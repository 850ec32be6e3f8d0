//! list_task_runs against the seeded runs: seed-params (three COMPLETED task runs repeat-0..2)
//! and seed-fail (its task load_input FAILED).

use integration_tests::*;
use serde_json::{json, Value};

fn items(list: &Value) -> &Vec<Value> {
    list["task_runs"].as_array().expect("task_runs array")
}

#[tokio::test]
async fn the_task_runs_of_one_flow_run_come_newest_first() {
    let s = connect().await.unwrap();
    let run = seed_run_id(&s, "seed-params").await;
    let list = call_ok(&s, "list_task_runs", json!({"flow_run_id": run})).await;
    assert_eq!(
        names(&list, "task_runs"),
        ["repeat-2", "repeat-1", "repeat-0"],
        "{list}"
    );
    assert_eq!(list["count"], 3);
    for task_run in items(&list) {
        assert_eq!(task_run["flow_run_id"], json!(run));
        assert_eq!(task_run["state"]["type"], "COMPLETED");
        assert_eq!(task_run["run_count"], 1);
        assert!(task_run["task_key"].as_str().unwrap().starts_with("repeat"));
        assert!(task_run["end_time"].is_string() && task_run["total_run_time"].is_number());
    }
}

#[tokio::test]
async fn limit_and_offset_page_through_a_flow_runs_task_runs() {
    let s = connect().await.unwrap();
    let run = seed_run_id(&s, "seed-params").await;
    let second = call_ok(
        &s,
        "list_task_runs",
        json!({"flow_run_id": run, "limit": 1, "offset": 1}),
    )
    .await;
    assert_eq!(names(&second, "task_runs"), ["repeat-1"]);
}

#[tokio::test]
async fn state_filters_apply_together_with_the_flow_run() {
    let s = connect().await.unwrap();
    let failed_run = seed_run_id(&s, "seed-fail").await;
    let failed = call_ok(
        &s,
        "list_task_runs",
        json!({"flow_run_id": failed_run, "state_type": "failed"}),
    )
    .await;
    assert_eq!(names(&failed, "task_runs"), ["load_input"], "{failed}");
    let message = failed["task_runs"][0]["state"]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(message.contains("sample failure"), "{failed}");

    let params_run = seed_run_id(&s, "seed-params").await;
    let none = call_ok(
        &s,
        "list_task_runs",
        json!({"flow_run_id": params_run, "state_type": "FAILED"}),
    )
    .await;
    assert_eq!(none["count"], 0, "{none}");

    let contradiction = call_ok(
        &s,
        "list_task_runs",
        json!({"state_type": "COMPLETED", "state_name": "Failed"}),
    )
    .await;
    assert_eq!(
        contradiction["count"], 0,
        "both filters apply: {contradiction}"
    );

    let completed = call_ok(
        &s,
        "list_task_runs",
        json!({"state_name": "Completed", "limit": 200}),
    )
    .await;
    assert!(!items(&completed).is_empty());
    assert!(items(&completed)
        .iter()
        .all(|t| t["state"]["name"] == "Completed"));
}

#[tokio::test]
async fn bad_arguments_are_rejected_with_what_is_valid() {
    let s = connect().await.unwrap();
    let err = call_err(&s, "list_task_runs", json!({"flow_run_id": "seed-fail"})).await;
    assert!(err.contains("flow_run_id must be a UUID"), "{err}");
    let err = call_err(&s, "list_task_runs", json!({"state_type": "Late"})).await;
    assert!(
        err.contains("SCHEDULED, PENDING, RUNNING, COMPLETED, FAILED"),
        "{err}"
    );
    for limit in [0, 500] {
        let err = call_err(&s, "list_task_runs", json!({"limit": limit})).await;
        assert!(err.contains("limit must be between 1 and 200"), "{err}");
    }
    let err = call_err(
        &s,
        "list_task_runs",
        json!({"flow_run_id": "00000000-0000-4000-8000-000000000004"}),
    )
    .await;
    assert!(err.contains("Not found"), "{err}");
}
