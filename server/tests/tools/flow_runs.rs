//! get_flow_run_by_id, list_flow_runs, search_flow_runs_by_state, cancel_flow_run.

use serde_json::{json, Value};

use crate::fixtures::*;
use crate::harness::*;

#[tokio::test]
async fn get_flow_run_by_id_shows_a_failure_with_its_exception() {
    let mut h = Harness::new().await;
    h.answer(
        "GET",
        &format!("/flow_runs/{FAILED_RUN_ID}"),
        FLOW_RUN_FAILED,
    )
    .await;
    let run = h
        .ok("get_flow_run_by_id", json!({"flow_run_id": FAILED_RUN_ID}))
        .await;
    assert_eq!(run["name"], "seed-fail");
    assert_eq!(run["state"]["type"], "FAILED");
    assert!(
        run["state"]["message"]
            .as_str()
            .unwrap()
            .contains("ValueError: sample failure"),
        "{run}"
    );
    assert_eq!(run["deployment_id"], FAILED_RUN_DEPLOYMENT_ID);
    assert_eq!(run["tags"], json!(["seed", "mcp-demo", "failing"]));
    assert_eq!(run["run_count"], 1);
    // Prefect's bulky internals are not part of the view.
    for internal in ["empirical_policy", "labels", "job_variables", "context"] {
        assert!(run.get(internal).is_none(), "{internal} in {run}");
    }
    assert!(run["state"].get("data").is_none(), "{run}");
}

#[tokio::test]
async fn a_flow_run_view_omits_absent_fields_instead_of_sending_null() {
    let mut h = Harness::new().await;
    // The fixture has nulls: work_queue_name, work_pool_name, parent_task_run_id, ...
    assert!(has_null(&parse(FLOW_RUN_FAILED)));
    h.answer(
        "GET",
        &format!("/flow_runs/{FAILED_RUN_ID}"),
        FLOW_RUN_FAILED,
    )
    .await;
    let run = h
        .ok("get_flow_run_by_id", json!({"flow_run_id": FAILED_RUN_ID}))
        .await;
    assert!(!has_null(&run), "{run}");
    assert!(run.get("work_pool_name").is_none(), "{run}");
    assert!(run.get("parent_task_run_id").is_none(), "{run}");
}

#[tokio::test]
async fn get_flow_run_by_id_shows_a_late_run_and_its_pool() {
    let mut h = Harness::new().await;
    h.answer("GET", &format!("/flow_runs/{LATE_RUN_ID}"), FLOW_RUN_LATE)
        .await;
    let run = h
        .ok("get_flow_run_by_id", json!({"flow_run_id": LATE_RUN_ID}))
        .await;
    assert_eq!(run["state"]["type"], "SCHEDULED");
    assert_eq!(run["state"]["name"], "Late");
    assert_eq!(run["work_pool_name"], "mcp-pool");
    assert_eq!(run["work_queue_name"], "default");
    assert!(
        run.get("start_time").is_none(),
        "a late run has not started: {run}"
    );
}

#[tokio::test]
async fn get_flow_run_by_id_refuses_a_bad_uuid() {
    let mut h = Harness::new().await;
    let err = h
        .refused("get_flow_run_by_id", json!({"flow_run_id": "seed-fail"}))
        .await;
    assert!(err.contains("flow_run_id must be a UUID"), "{err}");
    assert!(err.contains("\"seed-fail\""), "{err}");
}

#[tokio::test]
async fn get_flow_run_by_id_404_names_the_run() {
    let mut h = Harness::new().await;
    flow_run_is_gone(&mut h, COMPLETED_RUN_ID).await;
    let err = h
        .err(
            "get_flow_run_by_id",
            json!({"flow_run_id": COMPLETED_RUN_ID}),
        )
        .await;
    assert_names_missing_run(&err, "reading", COMPLETED_RUN_ID);
}

#[tokio::test]
async fn list_flow_runs_asks_newest_first_for_one_flow() {
    let mut h = Harness::new().await;
    let runs = list(&[FLOW_RUN_LATE.into(), FLOW_RUN_COMPLETED.into()]);
    let read = h
        .answer_to(
            "POST",
            "/flow_runs/filter",
            json!({
                "flows": {"id": {"any_": [FLOW_ID]}},
                "sort": "EXPECTED_START_TIME_DESC",
                "limit": 2,
                "offset": 4
            }),
            &runs,
        )
        .await;
    let found = h
        .ok(
            "list_flow_runs",
            json!({"flow_id": FLOW_ID, "limit": 2, "offset": 4}),
        )
        .await;
    read.assert_async().await;
    assert_eq!(found["count"], 2);
    assert_eq!(found["flow_runs"][0]["name"], "seed-late");
    assert_eq!(found["flow_runs"][1]["name"], "seed-hello");
    assert_eq!(found["flow_runs"][1]["parameters"], json!({"who": "seed"}));
}

#[tokio::test]
async fn list_flow_runs_refuses_a_flow_name_as_flow_id() {
    let mut h = Harness::new().await;
    let err = h
        .refused("list_flow_runs", json!({"flow_id": "mcp-hello"}))
        .await;
    assert!(err.contains("flow_id must be a UUID"), "{err}");
    assert!(err.contains("get_flow_by_name"), "{err}");
}

#[tokio::test]
async fn search_flow_runs_by_state_sends_the_type_in_prefects_spelling() {
    let mut h = Harness::new().await;
    let read = body_where(h.mock("POST", "/flow_runs/filter"), |body| {
        body["flow_runs"]["state"] == json!({"type": {"any_": ["FAILED"]}, "operator": "and_"})
            && body["sort"] == "EXPECTED_START_TIME_DESC"
            && body["limit"] == 20
    })
    .with_body(list(&[FLOW_RUN_FAILED.into()]))
    .create_async()
    .await;
    let found = h
        .ok("search_flow_runs_by_state", json!({"state_type": "failed"}))
        .await;
    read.assert_async().await;
    assert_eq!(found["flow_runs"][0]["state"]["type"], "FAILED");
}

#[tokio::test]
async fn search_flow_runs_by_state_sends_an_exact_state_name() {
    let mut h = Harness::new().await;
    let read = body_where(h.mock("POST", "/flow_runs/filter"), |body| {
        body["flow_runs"]["state"] == json!({"name": {"any_": ["Late"]}, "operator": "and_"})
    })
    .with_body(list(&[FLOW_RUN_LATE.into()]))
    .create_async()
    .await;
    let found = h
        .ok(
            "search_flow_runs_by_state",
            json!({"state_name": "Late", "limit": 5}),
        )
        .await;
    read.assert_async().await;
    assert_eq!(found["count"], 1);
    assert_eq!(found["flow_runs"][0]["state"]["name"], "Late");
}

#[tokio::test]
async fn search_flow_runs_by_state_refuses_a_state_name_given_as_type() {
    let mut h = Harness::new().await;
    let err = h
        .refused("search_flow_runs_by_state", json!({"state_type": "Late"}))
        .await;
    assert!(
        err.contains("state_type \"Late\" is not a Prefect state type"),
        "{err}"
    );
    assert!(err.contains("SCHEDULED, PENDING, RUNNING"), "{err}");
    assert!(err.contains("use state_name"), "{err}");
}

#[tokio::test]
async fn search_flow_runs_by_state_refuses_a_limit_over_200() {
    let mut h = Harness::new().await;
    let err = h
        .refused("search_flow_runs_by_state", json!({"limit": 1000}))
        .await;
    assert!(err.contains("between 1 and 200, got 1000"), "{err}");
}

fn cancelling_state() -> Value {
    let mut state = parse(FLOW_RUN_LATE)["state"].clone();
    state["type"] = "CANCELLING".into();
    state["name"] = "Cancelling".into();
    state
}

#[tokio::test]
async fn cancel_flow_run_moves_the_run_to_cancelling() {
    let mut h = Harness::new().await;
    // A client that cannot ask its user: cancel_flow_run acts, as documented.
    h.answer("GET", &format!("/flow_runs/{LATE_RUN_ID}"), FLOW_RUN_LATE)
        .await;
    let answer = json!({
        "status": "ACCEPT",
        "details": {"type": "accept_details"},
        "state": cancelling_state()
    });
    let set_state = h
        .answer_to(
            "POST",
            &format!("/flow_runs/{LATE_RUN_ID}/set_state"),
            json!({"state": {"type": "CANCELLING"}, "force": false}),
            &answer.to_string(),
        )
        .await;
    let done = h
        .ok("cancel_flow_run", json!({"flow_run_id": LATE_RUN_ID}))
        .await;
    set_state.assert_async().await;
    assert_eq!(done["status"], "ACCEPT");
    assert_eq!(done["flow_run_id"], LATE_RUN_ID);
    assert_eq!(done["state"]["type"], "CANCELLING");
    assert!(
        done["message"].as_str().unwrap().contains("CANCELLED"),
        "{done}"
    );
}

#[tokio::test]
async fn cancel_flow_run_of_a_finished_run_carries_prefects_reason() {
    let mut h = Harness::new().await;
    h.answer(
        "GET",
        &format!("/flow_runs/{COMPLETED_RUN_ID}"),
        FLOW_RUN_COMPLETED,
    )
    .await;
    let answer = json!({
        "status": "ABORT",
        "details": {"type": "abort_details", "reason": "This run has already terminated."},
        "state": null
    });
    h.answer(
        "POST",
        &format!("/flow_runs/{COMPLETED_RUN_ID}/set_state"),
        &answer.to_string(),
    )
    .await;
    let err = h
        .err("cancel_flow_run", json!({"flow_run_id": COMPLETED_RUN_ID}))
        .await;
    assert!(
        err.contains(&format!("Flow run {COMPLETED_RUN_ID} was not cancelled")),
        "{err}"
    );
    assert!(
        err.contains("ABORT: This run has already terminated."),
        "{err}"
    );
}

#[tokio::test]
async fn cancel_flow_run_of_a_run_that_never_started_is_cancelled_at_once() {
    let mut h = Harness::new().await;
    h.answer("GET", &format!("/flow_runs/{LATE_RUN_ID}"), FLOW_RUN_LATE)
        .await;
    let mut cancelled = cancelling_state();
    cancelled["type"] = "CANCELLED".into();
    cancelled["name"] = "Cancelled".into();
    let answer = json!({
        "status": "REJECT",
        "details": {"type": "reject_details", "reason": "The flow run was cancelled before it started."},
        "state": cancelled
    });
    h.answer(
        "POST",
        &format!("/flow_runs/{LATE_RUN_ID}/set_state"),
        &answer.to_string(),
    )
    .await;
    let done = h
        .ok("cancel_flow_run", json!({"flow_run_id": LATE_RUN_ID}))
        .await;
    assert_eq!(done["status"], "CANCELLED");
    assert_eq!(done["state"]["type"], "CANCELLED");
    assert!(
        done["message"]
            .as_str()
            .unwrap()
            .contains("cancelled before it started"),
        "{done}"
    );
}

#[tokio::test]
async fn cancel_flow_run_refuses_a_bad_uuid() {
    let mut h = Harness::new().await;
    let err = h
        .refused("cancel_flow_run", json!({"flow_run_id": "42"}))
        .await;
    assert!(err.contains("flow_run_id must be a UUID"), "{err}");
}

#[tokio::test]
async fn cancel_flow_run_of_an_unknown_run_is_not_found() {
    let mut h = Harness::new().await;
    flow_run_is_gone(&mut h, COMPLETED_RUN_ID).await;
    let err = h
        .err("cancel_flow_run", json!({"flow_run_id": COMPLETED_RUN_ID}))
        .await;
    assert_names_missing_run(&err, "reading", COMPLETED_RUN_ID);
}
