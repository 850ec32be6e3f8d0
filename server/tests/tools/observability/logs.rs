//! get_flow_run_logs: the newest lines oldest first, paging back, levels, and a run that is not
//! there.

use serde_json::{json, Value};

use crate::fixtures::*;
use crate::harness::*;

fn messages(logs: &Value) -> Vec<String> {
    logs["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            l["message"]
                .as_str()
                .unwrap()
                .lines()
                .next()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn get_flow_run_logs_asks_for_the_newest_lines_and_returns_them_oldest_first() {
    let mut h = Harness::new().await;
    let read = body_where(h.mock("POST", "/logs/filter"), |body| {
        body["logs"]["flow_run_id"] == json!({"any_": [FAILED_RUN_ID]})
            && body["sort"] == "TIMESTAMP_DESC"
            && body["limit"] == 51
            && body["offset"] == 0
            && body["logs"].get("level").is_none()
    })
    .with_body(LOGS)
    .create_async()
    .await;
    let logs = h
        .ok("get_flow_run_logs", json!({"flow_run_id": FAILED_RUN_ID}))
        .await;
    read.assert_async().await;
    assert_eq!(logs["count"], 5);
    assert_eq!(logs["older_lines_available"], false);
    assert!(logs.get("next_offset").is_none(), "{logs}");
    let lines = messages(&logs);
    assert!(
        lines[0].starts_with("Task run failed with exception"),
        "{lines:?}"
    );
    assert!(lines[4].starts_with("Engine execution exited"), "{lines:?}");
    assert_eq!(logs["logs"][0]["level"], "ERROR");
    assert_eq!(logs["logs"][3]["level"], "INFO");
    assert_eq!(
        logs["logs"][0]["task_run_id"],
        "01a22c13-fc1b-773a-8688-7e88d9a7477c"
    );
    assert!(
        logs["logs"][4].get("task_run_id").is_none(),
        "flow lines have none"
    );
}

#[tokio::test]
async fn get_flow_run_logs_pages_back_with_next_offset() {
    let mut h = Harness::new().await;
    let read = h
        .answer_to(
            "POST",
            "/logs/filter",
            json!({"limit": 3, "offset": 0}),
            LOGS,
        )
        .await;
    let logs = h
        .ok(
            "get_flow_run_logs",
            json!({"flow_run_id": FAILED_RUN_ID, "limit": 2}),
        )
        .await;
    read.assert_async().await;
    assert_eq!(logs["count"], 2);
    assert_eq!(logs["older_lines_available"], true);
    assert_eq!(logs["next_offset"], 2);
    let lines = messages(&logs);
    assert!(
        lines[0].starts_with("Finished in state Failed"),
        "{lines:?}"
    );
    assert!(lines[1].starts_with("Engine execution exited"), "{lines:?}");
}

#[tokio::test]
async fn get_flow_run_logs_filters_by_minimum_level_and_flow_lines_only() {
    let mut h = Harness::new().await;
    let read = h
        .answer_to(
            "POST",
            "/logs/filter",
            json!({"logs": {"level": {"ge_": 30}, "task_run_id": {"is_null_": true}}}),
            &list(&[parse(LOGS)[0].to_string()]),
        )
        .await;
    let logs = h
        .ok(
            "get_flow_run_logs",
            json!({"flow_run_id": FAILED_RUN_ID, "level": "warning", "include_task_runs": false}),
        )
        .await;
    read.assert_async().await;
    assert_eq!(logs["count"], 1);
}

#[tokio::test]
async fn get_flow_run_logs_refuses_an_unknown_level() {
    let mut h = Harness::new().await;
    let err = h
        .refused(
            "get_flow_run_logs",
            json!({"flow_run_id": FAILED_RUN_ID, "level": "LOUD"}),
        )
        .await;
    assert!(err.contains("level \"LOUD\" is not a log level"), "{err}");
    assert!(
        err.contains("DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        "{err}"
    );
}

#[tokio::test]
async fn get_flow_run_logs_refuses_a_bad_uuid() {
    let mut h = Harness::new().await;
    let err = h
        .refused("get_flow_run_logs", json!({"flow_run_id": "seed-fail"}))
        .await;
    assert!(err.contains("flow_run_id must be a UUID"), "{err}");
}

#[tokio::test]
async fn get_flow_run_logs_of_an_unknown_run_says_it_does_not_exist() {
    let mut h = Harness::new().await;
    h.answer("POST", "/logs/filter", "[]").await;
    flow_run_is_gone(&mut h, COMPLETED_RUN_ID).await;
    let err = h
        .err(
            "get_flow_run_logs",
            json!({"flow_run_id": COMPLETED_RUN_ID}),
        )
        .await;
    assert_names_missing_run(&err, "reading", COMPLETED_RUN_ID);
}
