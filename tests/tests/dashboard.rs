//! get_dashboard against the sample world: its counts are what the filter endpoints find, and
//! the seeded late run, failed run and unhealthy work pools show up.

use std::time::Duration;

use integration_tests::*;
use serde_json::{json, Value};

const STATE_TYPES: [&str; 9] = [
    "SCHEDULED",
    "PENDING",
    "RUNNING",
    "COMPLETED",
    "FAILED",
    "CANCELLED",
    "CRASHED",
    "PAUSED",
    "CANCELLING",
];

/// How many runs filter_flow_runs finds in the dashboard's window: the page's runs plus any the
/// size bound left out. The test world is far smaller than a page of 200; a world that is not
/// fails here rather than being compared with a partial count.
async fn filtered_count(s: &Session, flow_runs: Value) -> u64 {
    let page = call_ok(
        s,
        "filter_flow_runs",
        json!({"filter_criteria": {"flow_runs": flow_runs, "limit": 200}}),
    )
    .await;
    let count = page["count"].as_u64().unwrap()
        + page["truncated"]["items_dropped"]["flow_runs"]
            .as_u64()
            .unwrap_or(0);
    assert!(
        count < 200,
        "the test world holds 200 or more matching runs; counts cannot be compared with one page"
    );
    count
}

/// Where the dashboard's counts differ from what filter_flow_runs finds over the same window.
async fn count_mismatches(s: &Session, dashboard: &Value) -> Vec<String> {
    let since = &dashboard["since"];
    let counts = &dashboard["flow_runs"]["by_state_type"];
    let mut mismatches = Vec::new();
    let mut check = |what: String, reported: u64, found: u64| {
        if found != reported {
            mismatches.push(format!("{what}: dashboard {reported}, filter {found}"))
        }
    };
    for state_type in STATE_TYPES {
        let found = filtered_count(
            s,
            json!({"state": {"type": {"any_": [state_type]}}, "expected_start_time": {"after_": since}}),
        )
        .await;
        check(
            state_type.into(),
            counts[state_type].as_u64().unwrap(),
            found,
        );
    }
    let total = filtered_count(s, json!({"expected_start_time": {"after_": since}})).await;
    check(
        "total".into(),
        dashboard["flow_runs"]["total"].as_u64().unwrap(),
        total,
    );
    let failed = filtered_count(
        s,
        json!({"state": {"type": {"any_": ["FAILED", "CRASHED"]}}, "expected_start_time": {"after_": since}}),
    )
    .await;
    check(
        "failed_runs".into(),
        dashboard["failed_runs"]["count"].as_u64().unwrap(),
        failed,
    );
    let late = filtered_count(s, json!({"state": {"name": {"any_": ["Late"]}}})).await;
    check(
        "late_runs".into(),
        dashboard["late_runs"]["count"].as_u64().unwrap(),
        late,
    );
    mismatches
}

#[tokio::test]
async fn counts_are_what_the_filter_endpoints_find_over_the_same_window() {
    let s = connect().await.unwrap();
    // Other tests may create runs between the two answers: a mismatch must persist to count.
    let mut mismatches = Vec::new();
    for _attempt in 0..5 {
        let dashboard = call_ok(&s, "get_dashboard", json!({"hours": 24})).await;
        assert_eq!(dashboard["hours"], 24);
        let counts = dashboard["flow_runs"]["by_state_type"].as_object().unwrap();
        assert_eq!(
            counts.len(),
            STATE_TYPES.len(),
            "every state type: {dashboard}"
        );
        mismatches = count_mismatches(&s, &dashboard).await;
        if mismatches.is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    panic!("dashboard counts differ from the filter endpoints: {mismatches:?}");
}

#[tokio::test]
async fn the_seeded_late_run_appears() {
    let s = connect().await.unwrap();
    let dashboard = call_ok(&s, "get_dashboard", json!({})).await;
    let late = &dashboard["late_runs"];
    let examples = late["examples"].as_array().unwrap();
    assert!(late["count"].as_u64().unwrap() >= 1, "{dashboard}");
    assert!(examples.len() <= 5);
    let late_deployment = deployment_id(&s, "mcp-late/late-deployment").await;
    assert!(
        examples.iter().any(|r| r["name"] == "seed-late"
            && r["deployment_id"] == json!(late_deployment)
            && r["expected_start_time"].is_string()),
        "{late}"
    );
}

#[tokio::test]
async fn failed_runs_appear_with_their_message() {
    let s = connect().await.unwrap();
    // The seed's failed run is a few minutes old at most on a fresh world; a week covers a
    // long-lived test server too.
    let dashboard = call_ok(&s, "get_dashboard", json!({"hours": 168})).await;
    let failed = &dashboard["failed_runs"];
    let newest = failed["newest"].as_array().unwrap();
    assert!(!newest.is_empty(), "{dashboard}");
    assert!(newest.len() <= 5);
    assert!(failed["count"].as_u64().unwrap() >= newest.len() as u64);
    assert!(newest
        .iter()
        .all(|r| r["state_type"] == "FAILED" || r["state_type"] == "CRASHED"));
    // Every mcp-fail run fails the same way, and tests start more of them: one is among the newest.
    assert!(
        newest.iter().any(|r| r["message"]
            .as_str()
            .is_some_and(|m| m.contains("sample failure"))),
        "{failed}"
    );
}

#[tokio::test]
async fn unhealthy_work_pools_are_listed_with_their_problems() {
    let s = connect().await.unwrap();
    let dashboard = call_ok(&s, "get_dashboard", json!({})).await;
    let pools = &dashboard["work_pools"];
    assert!(pools["count"].as_u64().unwrap() >= 2, "{pools}");
    let unhealthy = pools["unhealthy"].as_array().unwrap();
    let problems_of = |name: &str| -> String {
        unhealthy
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} is not listed as unhealthy: {pools}"))["problems"]
            .to_string()
    };
    assert!(problems_of("mcp-paused-pool").contains("work pool is paused"));
    let problems = problems_of("mcp-pool");
    assert!(
        problems.contains("mcp-paused-queue") && problems.contains("no worker"),
        "{problems}"
    );
}

#[tokio::test]
async fn totals_come_from_the_count_endpoints() {
    let s = connect().await.unwrap();
    let dashboard = call_ok(&s, "get_dashboard", json!({})).await;
    let flows = call_ok(&s, "list_flows", json!({"limit": 200})).await;
    let deployments = call_ok(&s, "list_deployments", json!({"limit": 200})).await;
    assert_eq!(dashboard["flows"], flows["count"]);
    assert_eq!(dashboard["deployments"], deployments["count"]);
    // Compact whatever the size of the server: counts and at most a few examples.
    let size = serde_json::to_string(&dashboard).unwrap().len();
    assert!(size < 8_000, "{size} bytes: {dashboard}");
}

#[tokio::test]
async fn hours_outside_1_to_720_are_rejected() {
    let s = connect().await.unwrap();
    for hours in [0, -5, 721] {
        let err = call_err(&s, "get_dashboard", json!({"hours": hours})).await;
        assert!(err.contains("hours must be between 1 and 720"), "{err}");
    }
    let err = call_err(&s, "get_dashboard", json!({"hours": "24"})).await;
    assert!(err.contains("hours"), "{err}");
}
