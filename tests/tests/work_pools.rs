//! Work pool tools against the sample world: "mcp-pool" (no worker, a paused queue) and
//! "mcp-paused-pool" (paused).

use integration_tests::*;
use serde_json::{json, Value};

fn problems(pool: &Value) -> Vec<String> {
    pool["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("problems missing in {pool}"))
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_pool_without_worker_and_with_a_paused_queue_reports_both() {
    let s = connect().await.unwrap();
    let pool = call_ok(&s, "get_work_pool", json!({"name": "mcp-pool"})).await;
    assert_eq!(pool["type"], "process");
    assert_eq!(pool["status"], "NOT_READY", "{pool}");
    assert_eq!(pool["is_paused"], false);
    assert_eq!(pool["default_queue"], "default");
    assert_eq!(pool["workers"], json!([]));
    let queues = pool["queues"].as_array().unwrap();
    let paused: Vec<&Value> = queues.iter().filter(|q| q["is_paused"] == true).collect();
    assert_eq!(paused.len(), 1, "{pool}");
    assert_eq!(paused[0]["name"], "mcp-paused-queue");
    assert!(queues
        .iter()
        .any(|q| q["name"] == "default" && q["is_paused"] == false));

    assert_eq!(pool["healthy"], false);
    let problems = problems(&pool);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("\"mcp-paused-queue\" is paused")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("no worker") && p.contains("prefect worker start --pool")),
        "{problems:?}"
    );
    assert!(
        !problems.iter().any(|p| p.contains("work pool is paused")),
        "{problems:?}"
    );
}

#[tokio::test]
async fn a_paused_pool_is_reported_as_paused() {
    let s = connect().await.unwrap();
    let pool = call_ok(&s, "get_work_pool", json!({"name": "mcp-paused-pool"})).await;
    assert_eq!(pool["is_paused"], true);
    assert_eq!(pool["status"], "PAUSED", "{pool}");
    assert_eq!(pool["healthy"], false);
    let problems = problems(&pool);
    assert!(
        problems.iter().any(|p| p.contains("work pool is paused")),
        "{problems:?}"
    );
}

#[tokio::test]
async fn list_work_pools_pages_in_name_order_with_health() {
    let s = connect().await.unwrap();
    let all = call_ok(&s, "list_work_pools", json!({"limit": 200})).await;
    let all_names = names(&all, "work_pools");
    assert_eq!(all["count"], all_names.len());
    for seeded in ["mcp-paused-pool", "mcp-pool"] {
        assert!(all_names.contains(&seeded.to_string()), "{all_names:?}");
    }
    let mut sorted = all_names.clone();
    sorted.sort();
    assert_eq!(all_names, sorted, "work pools come sorted by name");
    // The list carries the same assembly as get_work_pool.
    let listed = all["work_pools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "mcp-pool")
        .unwrap();
    let single = call_ok(&s, "get_work_pool", json!({"name": "mcp-pool"})).await;
    assert_eq!(listed, &single);

    let page = call_ok(&s, "list_work_pools", json!({"limit": 1, "offset": 1})).await;
    assert_eq!(names(&page, "work_pools"), all_names[1..2].to_vec());
}

#[tokio::test]
async fn unknown_pool_is_not_found_naming_it() {
    let s = connect().await.unwrap();
    let err = call_err(&s, "get_work_pool", json!({"name": "no-such-pool"})).await;
    assert!(
        err.contains("Not found") && err.contains("no-such-pool"),
        "{err}"
    );
}

#[tokio::test]
async fn bad_arguments_are_rejected_with_what_is_valid() {
    let s = connect().await.unwrap();
    for limit in [0, 500] {
        let err = call_err(&s, "list_work_pools", json!({"limit": limit})).await;
        assert!(err.contains("limit must be between 1 and 200"), "{err}");
    }
    let err = call_err(&s, "list_work_pools", json!({"offset": -1})).await;
    assert!(err.contains("offset must be 0 or more"), "{err}");
    let err = call_err(&s, "get_work_pool", json!({"name": " "})).await;
    assert!(err.contains("name must not be empty"), "{err}");
    let err = call_err(&s, "get_work_pool", json!({"pool": "mcp-pool"})).await;
    assert!(err.contains("pool") && err.contains("name"), "{err}");
}
