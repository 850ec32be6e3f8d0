//! get_flow_run_logs against the seeded failed run "seed-fail": newest lines by default, paging
//! back, level filter, the flow's own lines, bounded messages, bad arguments.

use integration_tests::*;
use serde_json::{json, Value};

async fn logs(s: &Session, args: Value) -> Value {
    call_ok(s, "get_flow_run_logs", args).await
}

fn lines(result: &Value) -> &Vec<Value> {
    result["logs"].as_array().expect("logs array")
}

fn messages(result: &Value) -> Vec<&str> {
    lines(result)
        .iter()
        .map(|l| l["message"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn the_newest_lines_come_oldest_first_with_the_failure_at_the_end() {
    let s = connect().await.unwrap();
    let run = seed_run_id(&s, "seed-fail").await;
    let result = logs(&s, json!({"flow_run_id": run})).await;
    assert_eq!(result["flow_run_id"], json!(run));
    assert_eq!(result["count"], lines(&result).len());
    assert_eq!(result["older_lines_available"], false, "{result}");
    assert!(result.get("next_offset").is_none(), "{result}");
    let stamps: Vec<&str> = lines(&result)
        .iter()
        .map(|l| l["timestamp"].as_str().unwrap())
        .collect();
    assert!(
        stamps.windows(2).all(|w| w[0] <= w[1]),
        "not chronological: {stamps:?}"
    );
    let text = messages(&result);
    let position = |needle: &str| {
        text.iter()
            .position(|m| m.contains(needle))
            .unwrap_or_else(|| panic!("no line contains {needle:?}: {text:#?}"))
    };
    assert!(position("Starting the import") < position("does not exist"));
    // The end of the run is the failure: the newest lines carry the exception (Prefect 3.4
    // adds the runner's "Process ... exited" line after it, 3.8 does not).
    let newest = &text[text.len().saturating_sub(3)..];
    assert!(
        newest.iter().any(|m| m.contains("sample failure")),
        "the exception is among the newest lines: {newest:#?}"
    );
    assert!(
        lines(&result)
            .iter()
            .rev()
            .take(3)
            .any(|l| l["level"] == "ERROR"),
        "{result}"
    );
}

#[tokio::test]
async fn limit_counts_back_from_the_newest_line_and_offset_pages_further_back() {
    let s = connect().await.unwrap();
    let run = seed_run_id(&s, "seed-fail").await;
    let all = logs(&s, json!({"flow_run_id": run, "limit": 200})).await;
    let all = lines(&all).clone();
    assert!(
        all.len() >= 6,
        "seed-fail logs at least six lines: {all:#?}"
    );
    let n = all.len();

    let newest = logs(&s, json!({"flow_run_id": run, "limit": 3})).await;
    assert_eq!(lines(&newest)[..], all[n - 3..]);
    assert_eq!(newest["older_lines_available"], true);
    assert_eq!(newest["next_offset"], 3);

    let before = logs(&s, json!({"flow_run_id": run, "limit": 3, "offset": 3})).await;
    assert_eq!(lines(&before)[..], all[n - 6..n - 3]);

    // The oldest page says that nothing older exists.
    let oldest = logs(&s, json!({"flow_run_id": run, "limit": 3, "offset": n - 3})).await;
    assert_eq!(lines(&oldest)[..], all[..3]);
    assert_eq!(oldest["older_lines_available"], false);
    assert!(oldest.get("next_offset").is_none());

    // Past the beginning: no lines, and the run still exists (no error).
    let past = logs(&s, json!({"flow_run_id": run, "offset": n + 10})).await;
    assert_eq!(past["count"], 0);
}

#[tokio::test]
async fn level_is_a_case_insensitive_minimum() {
    let s = connect().await.unwrap();
    let run = seed_run_id(&s, "seed-fail").await;
    let result = logs(&s, json!({"flow_run_id": run, "level": "warning"})).await;
    let levels: Vec<&str> = lines(&result)
        .iter()
        .map(|l| l["level"].as_str().unwrap())
        .collect();
    assert!(
        levels.contains(&"WARNING") && levels.contains(&"ERROR"),
        "{levels:?}"
    );
    assert!(
        levels
            .iter()
            .all(|l| ["WARNING", "ERROR", "CRITICAL"].contains(l)),
        "{levels:?}"
    );
    assert!(messages(&result)
        .iter()
        .any(|m| m.contains("does not exist")));
}

#[tokio::test]
async fn without_task_runs_only_the_flows_own_lines_remain() {
    let s = connect().await.unwrap();
    let run = seed_run_id(&s, "seed-fail").await;
    let with = logs(&s, json!({"flow_run_id": run, "limit": 200})).await;
    assert!(
        lines(&with).iter().any(|l| l["task_run_id"].is_string()),
        "load_input logs from its task run: {with}"
    );
    let without = logs(
        &s,
        json!({"flow_run_id": run, "limit": 200, "include_task_runs": false}),
    )
    .await;
    assert!(lines(&without)
        .iter()
        .all(|l| l.get("task_run_id").is_none()));
    let text = messages(&without);
    assert!(
        text.iter().any(|m| m.contains("Starting the import")),
        "{text:#?}"
    );
    assert!(
        !text
            .iter()
            .any(|m| m.contains("Looking for the input file")),
        "{text:#?}"
    );
}

#[tokio::test]
async fn long_messages_are_capped_with_a_visible_marker() {
    let s = connect().await.unwrap();
    let run = seed_run_id(&s, "seed-fail").await;
    let result = logs(&s, json!({"flow_run_id": run, "limit": 200})).await;
    for message in messages(&result) {
        // 2000 characters of text plus the marker line.
        assert!(message.chars().count() <= 2100, "{message}");
        if message.chars().count() > 2000 {
            assert!(message.contains("chars omitted)…"), "{message}");
        }
    }
}

#[tokio::test]
async fn bad_arguments_are_rejected_before_prefect_is_asked() {
    let s = connect().await.unwrap();
    let run = seed_run_id(&s, "seed-fail").await;
    let err = call_err(&s, "get_flow_run_logs", json!({"flow_run_id": "seed-fail"})).await;
    assert!(err.contains("flow_run_id must be a UUID"), "{err}");
    for limit in [0, 500] {
        let err = call_err(
            &s,
            "get_flow_run_logs",
            json!({"flow_run_id": run, "limit": limit}),
        )
        .await;
        assert!(err.contains("limit must be between 1 and 200"), "{err}");
    }
    let err = call_err(
        &s,
        "get_flow_run_logs",
        json!({"flow_run_id": run, "level": "LOUD"}),
    )
    .await;
    assert!(
        err.contains("DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        "{err}"
    );
    let err = call_err(
        &s,
        "get_flow_run_logs",
        json!({"flow_run_id": run, "offset": -1}),
    )
    .await;
    assert!(err.contains("offset must be 0 or more"), "{err}");
}

#[tokio::test]
async fn an_unknown_flow_run_is_not_found_rather_than_silent() {
    let s = connect().await.unwrap();
    let err = call_err(
        &s,
        "get_flow_run_logs",
        json!({"flow_run_id": "00000000-0000-4000-8000-000000000003"}),
    )
    .await;
    assert!(
        err.contains("Not found") && err.contains("00000000-0000-4000-8000-000000000003"),
        "{err}"
    );
}
