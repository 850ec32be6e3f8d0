//! list_task_runs: the filter it sends, the state types it accepts, and a flow run that is not
//! there.

use serde_json::json;

use crate::fixtures::*;
use crate::harness::*;

#[tokio::test]
async fn list_task_runs_filters_by_flow_run_and_state() {
    let mut h = Harness::new().await;
    let read = body_where(h.mock("POST", "/task_runs/filter"), |body| {
        body["task_runs"]["flow_run_id"]["any_"] == json!([FAILED_RUN_ID])
            && body["task_runs"]["state"]
                == json!({"type": {"any_": ["FAILED"]}, "operator": "and_"})
            && body["sort"] == "EXPECTED_START_TIME_DESC"
            && body["limit"] == 20
    })
    .with_body(TASK_RUNS)
    .create_async()
    .await;
    let found = h
        .ok(
            "list_task_runs",
            json!({"flow_run_id": FAILED_RUN_ID, "state_type": "Failed"}),
        )
        .await;
    read.assert_async().await;
    assert_eq!(found["count"], 1);
    assert_eq!(found["task_runs"][0]["name"], "load_input");
    assert_eq!(found["task_runs"][0]["task_key"], "load_input-a6ffc5a5");
    assert_eq!(found["task_runs"][0]["state"]["type"], "FAILED");
    assert!(found["task_runs"][0].get("task_inputs").is_none());
}

#[tokio::test]
async fn list_task_runs_refuses_an_unknown_state_type() {
    let mut h = Harness::new().await;
    let err = h
        .refused("list_task_runs", json!({"state_type": "BROKEN"}))
        .await;
    assert!(
        err.contains("state_type \"BROKEN\" is not a Prefect state type"),
        "{err}"
    );
}

#[tokio::test]
async fn list_task_runs_of_an_unknown_flow_run_says_it_does_not_exist() {
    let mut h = Harness::new().await;
    h.answer("POST", "/task_runs/filter", "[]").await;
    flow_run_is_gone(&mut h, COMPLETED_RUN_ID).await;
    let err = h
        .err("list_task_runs", json!({"flow_run_id": COMPLETED_RUN_ID}))
        .await;
    assert_names_missing_run(&err, "reading", COMPLETED_RUN_ID);
}
