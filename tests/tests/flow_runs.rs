//! Flow run tools against the real sample world.

use integration_tests::*;
use serde_json::json;

#[tokio::test]
async fn list_flow_runs_of_one_flow_returns_only_its_runs() {
    let s = connect().await.unwrap();
    let hello = flow_id(&s, "mcp-hello").await;
    let runs = call_ok(
        &s,
        "list_flow_runs",
        json!({"flow_id": hello, "limit": 200}),
    )
    .await;
    let items = runs["flow_runs"].as_array().unwrap();
    assert!(!items.is_empty(), "the seed ran mcp-hello");
    assert!(items.iter().all(|r| r["flow_id"] == json!(hello)), "{runs}");
    assert_eq!(runs["count"], items.len());
}

#[tokio::test]
async fn list_flow_runs_rejects_a_malformed_flow_id() {
    let s = connect().await.unwrap();
    let err = call_err(&s, "list_flow_runs", json!({"flow_id": "not-a-uuid"})).await;
    assert!(err.contains("flow_id must be a UUID"), "{err}");
}

#[tokio::test]
async fn get_flow_run_by_id_shows_the_failure_message() {
    let s = connect().await.unwrap();
    let failed = call_ok(
        &s,
        "search_flow_runs_by_state",
        json!({"state_type": "FAILED", "limit": 200}),
    )
    .await;
    let run = failed["flow_runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["tags"]
                .as_array()
                .is_some_and(|t| t.contains(&json!("seed")))
        })
        .cloned()
        .unwrap_or_else(|| panic!("the seeded failed run is missing: {failed}"));
    let read = call_ok(&s, "get_flow_run_by_id", json!({"flow_run_id": run["id"]})).await;
    assert_eq!(read["state"]["type"], "FAILED");
    let message = read["state"]["message"].as_str().unwrap_or_default();
    // The exception the sample flow raises (xtask/python/sample_flows.py).
    assert!(
        message.contains("sample failure: the input file was missing"),
        "{read}"
    );
    assert!(read["deployment_id"].is_string());
}

#[tokio::test]
async fn unknown_flow_run_is_not_found() {
    let s = connect().await.unwrap();
    let err = call_err(
        &s,
        "get_flow_run_by_id",
        json!({"flow_run_id": "00000000-0000-4000-8000-000000000001"}),
    )
    .await;
    assert!(err.contains("Not found"), "{err}");
}

#[tokio::test]
async fn search_by_state_type_is_case_insensitive_and_filters() {
    let s = connect().await.unwrap();
    let completed = call_ok(
        &s,
        "search_flow_runs_by_state",
        json!({"state_type": "completed", "limit": 200}),
    )
    .await;
    let items = completed["flow_runs"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(
        items.iter().all(|r| r["state"]["type"] == "COMPLETED"),
        "{completed}"
    );
}

#[tokio::test]
async fn search_by_state_name_is_exact_and_both_must_match() {
    let s = connect().await.unwrap();
    let by_name = call_ok(
        &s,
        "search_flow_runs_by_state",
        json!({"state_name": "Failed", "limit": 200}),
    )
    .await;
    let items = by_name["flow_runs"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(
        items.iter().all(|r| r["state"]["name"] == "Failed"),
        "{by_name}"
    );
    let contradiction = call_ok(
        &s,
        "search_flow_runs_by_state",
        json!({"state_type": "COMPLETED", "state_name": "Failed"}),
    )
    .await;
    assert_eq!(
        contradiction["count"], 0,
        "both filters apply: {contradiction}"
    );
}

#[tokio::test]
async fn unknown_state_type_lists_the_valid_ones() {
    let s = connect().await.unwrap();
    let err = call_err(
        &s,
        "search_flow_runs_by_state",
        json!({"state_type": "DONE"}),
    )
    .await;
    assert!(
        err.contains("SCHEDULED, PENDING, RUNNING, COMPLETED, FAILED"),
        "{err}"
    );
}

#[tokio::test]
async fn cancelling_a_finished_run_is_refused_with_prefects_reason() {
    let s = connect().await.unwrap();
    let completed = call_ok(
        &s,
        "search_flow_runs_by_state",
        json!({"state_type": "COMPLETED", "limit": 1}),
    )
    .await;
    let run_id = completed["flow_runs"][0]["id"].clone();
    let err = call_err(&s, "cancel_flow_run", json!({"flow_run_id": run_id})).await;
    assert!(
        err.contains("ABORT") && err.contains("terminal state"),
        "{err}"
    );
}

#[tokio::test]
async fn cancel_flow_run_rejects_malformed_and_unknown_ids() {
    let s = connect().await.unwrap();
    let err = call_err(&s, "cancel_flow_run", json!({"flow_run_id": "abc"})).await;
    assert!(err.contains("flow_run_id must be a UUID"), "{err}");
    let err = call_err(
        &s,
        "cancel_flow_run",
        json!({"flow_run_id": "00000000-0000-4000-8000-000000000002"}),
    )
    .await;
    assert!(err.contains("Not found"), "{err}");
}

#[tokio::test]
async fn a_running_run_is_cancelled_for_real() {
    let s = connect().await.unwrap();
    let created = call_ok(
        &s,
        "create_flow_run_from_deployment",
        json!({"deployment_id": "mcp-slow/slow", "name": "cancel-me", "parameters": {"seconds": 300}}),
    )
    .await;
    let run_id = created["flow_run_id"].as_str().unwrap().to_string();
    // Wait until the runner has picked it up, so that cancelling has a process to stop.
    wait_for_state(&s, &run_id, &["RUNNING"], 120).await;
    let cancelled = call_ok(&s, "cancel_flow_run", json!({"flow_run_id": run_id})).await;
    assert_eq!(cancelled["status"], "ACCEPT", "{cancelled}");
    assert_eq!(cancelled["state"]["type"], "CANCELLING");
    let last = wait_for_state(&s, &run_id, &["CANCELLED"], 120).await;
    assert_eq!(last["state"]["type"], "CANCELLED");
}

/// Poll get_flow_run_by_id until the run is in one of `types`; panics after `seconds`.
async fn wait_for_state(
    s: &Session,
    run_id: &str,
    types: &[&str],
    seconds: u64,
) -> serde_json::Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    loop {
        let run = call_ok(s, "get_flow_run_by_id", json!({"flow_run_id": run_id})).await;
        let state = run["state"]["type"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if types.contains(&state.as_str()) {
            return run;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "run {run_id} stayed {state}, expected {types:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}
