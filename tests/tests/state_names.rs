//! A search naming a state that never occurred ("late", "Faild") is an error suggesting the
//! exact names, instead of an empty list. Prefect 3.9+ answers GET /observed-states with the
//! names in its run history; older servers do not have it, and the server falls back to
//! Prefect's standard names. Each test expects what the server under test can do.

use integration_tests::*;
use serde_json::json;

/// Whether the Prefect under test serves GET /observed-states (3.9+), asked directly.
async fn has_observed_states() -> bool {
    let url = format!(
        "{}/observed-states?limit=1",
        prefect_api_url().trim_end_matches('/')
    );
    let status = reqwest::get(&url)
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
        .status()
        .as_u16();
    match status {
        200 => true,
        404 | 405 => false,
        other => panic!("GET {url} answered {other}"),
    }
}

/// The part of the message that says where the names came from.
async fn expected_source() -> &'static str {
    if has_observed_states().await {
        "GET /observed-states"
    } else {
        "Prefect's standard names"
    }
}

#[tokio::test]
async fn a_state_name_in_the_wrong_case_suggests_the_exact_one() {
    let s = connect().await.unwrap();
    let err = call_err(
        &s,
        "search_flow_runs_by_state",
        json!({"state_name": "late"}),
    )
    .await;
    assert!(err.contains("\"late\""), "{err}");
    assert!(err.contains("Did you mean \"Late\""), "{err}");
    assert!(err.contains(expected_source().await), "{err}");
    assert!(err.contains("case-sensitive"), "{err}");
}

#[tokio::test]
async fn a_misspelt_task_run_state_suggests_failed() {
    let s = connect().await.unwrap();
    let err = call_err(&s, "list_task_runs", json!({"state_name": "Faild"})).await;
    assert!(err.contains("Did you mean \"Failed\""), "{err}");
    assert!(err.contains(expected_source().await), "{err}");
}

#[tokio::test]
async fn a_filter_naming_a_misspelt_state_suggests_the_exact_one() {
    let s = connect().await.unwrap();
    let err = call_err(
        &s,
        "filter_flow_runs",
        json!({"filter_criteria": {"state": {"name": {"any_": ["Completed", "Faild"]}, "type": {"any_": ["CRASHED"]}}}}),
    )
    .await;
    // "Completed" exists; the error is about the other name.
    assert!(err.contains("\"Faild\""), "{err}");
    assert!(err.contains("Did you mean \"Failed\""), "{err}");
}

#[tokio::test]
async fn existing_names_that_match_nothing_still_give_an_empty_list() {
    let s = connect().await.unwrap();
    // The seed has both Failed and Completed runs, never one run in both.
    let none = call_ok(
        &s,
        "filter_flow_runs",
        json!({"filter_criteria": {"state": {"name": {"any_": ["Failed"]}, "type": {"any_": ["COMPLETED"]}}}}),
    )
    .await;
    assert_eq!(none["count"], 0, "{none}");
    let seed_params = seed_run_id(&s, "seed-params").await;
    let none = call_ok(
        &s,
        "list_task_runs",
        json!({"flow_run_id": seed_params, "state_name": "Failed"}),
    )
    .await;
    assert_eq!(none["count"], 0, "{none}");
}

#[tokio::test]
async fn an_unrelated_name_lists_the_observed_names_or_is_an_empty_answer_without_them() {
    let s = connect().await.unwrap();
    let args = json!({"state_name": "Nightly backfill"});
    if has_observed_states().await {
        // The history is known: the name never occurred, and the names that did are listed.
        let err = call_err(&s, "search_flow_runs_by_state", args).await;
        assert!(
            err.contains("No flow or task run has been in a state named \"Nightly backfill\""),
            "{err}"
        );
        assert!(!err.contains("Did you mean"), "{err}");
        for seen in ["\"Completed\"", "\"Failed\"", "\"Late\"", "\"Scheduled\""] {
            assert!(err.contains(seen), "{seen} is in the seed's history: {err}");
        }
    } else {
        // Without the history, a custom name cannot be told from a mistake: an empty answer.
        let none = call_ok(&s, "search_flow_runs_by_state", args).await;
        assert_eq!(none["count"], 0, "{none}");
    }
}
