//! diagnose_flow_run against the sample world: a failed run, a late run in a pool without a
//! worker, a completed run, and bad inputs.

use integration_tests::*;
use serde_json::json;

fn causes(d: &serde_json::Value) -> String {
    d["likely_causes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn a_failed_run_is_explained_by_its_exception_failing_task_and_error_logs() {
    let s = connect().await.unwrap();
    let d = call_ok(&s, "diagnose_flow_run", json!({"flow_run": "seed-fail"})).await;
    let text = causes(&d);
    assert!(
        text.contains("sample failure: the input file was missing"),
        "{text}"
    );
    assert!(text.contains("Task run \"load_input\" failed"), "{text}");
    assert_eq!(d["flow_run"]["state"]["type"], "FAILED");
    assert_eq!(d["failed_task_runs"][0]["name"], "load_input");
    assert!(!d["error_logs"].as_array().unwrap().is_empty());
    assert_eq!(d["deployment"]["name"], "fail");
    assert!(
        d["summary"]
            .as_str()
            .unwrap()
            .starts_with("Flow run \"seed-fail\" is FAILED"),
        "{d}"
    );
}

#[tokio::test]
async fn a_late_run_in_a_pool_without_a_worker_says_so() {
    let s = connect().await.unwrap();
    let d = call_ok(&s, "diagnose_flow_run", json!({"flow_run": "seed-late"})).await;
    let text = causes(&d);
    assert!(
        text.contains("no worker") && text.contains("prefect worker start --pool \"mcp-pool\""),
        "{text}"
    );
    assert_eq!(d["work_pool"]["name"], "mcp-pool");
    assert_eq!(d["deployment"]["name"], "late-deployment");
    assert_eq!(d["deployment"]["concurrency_limit"], 1);
    assert!(
        !text.contains("mcp-paused-queue"),
        "another queue's pause does not concern this run: {text}"
    );
}

#[tokio::test]
async fn by_id_and_by_name_agree_and_a_completed_run_is_fine() {
    let s = connect().await.unwrap();
    let id = seed_run_id(&s, "seed-hello").await;
    let by_id = call_ok(&s, "diagnose_flow_run", json!({"flow_run": id})).await;
    assert_eq!(by_id["flow_run"]["id"], json!(id));
    assert!(causes(&by_id).contains("completed"), "{by_id}");
    assert!(by_id["failed_task_runs"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn unknown_runs_and_bad_arguments_are_rejected() {
    let s = connect().await.unwrap();
    let err = call_err(
        &s,
        "diagnose_flow_run",
        json!({"flow_run": "no-such-run-name"}),
    )
    .await;
    assert!(
        err.contains("Not found") && err.contains("no-such-run-name"),
        "{err}"
    );
    let err = call_err(
        &s,
        "diagnose_flow_run",
        json!({"flow_run": "00000000-0000-4000-8000-000000000009"}),
    )
    .await;
    assert!(err.contains("Not found"), "{err}");
    let err = call_err(&s, "diagnose_flow_run", json!({"flow_run": "  "})).await;
    assert!(err.contains("must not be empty"), "{err}");
    let err = call_err(&s, "diagnose_flow_run", json!({"flow_run_id": "x"})).await;
    assert!(err.contains("unknown field"), "{err}");
}
