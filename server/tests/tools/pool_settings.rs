//! update_work_pool and update_work_queue: only the changed fields reach Prefect (never
//! `is_paused`, so a paused pool or queue stays paused), 0 removes a limit, and the answer
//! carries each old value.

use serde_json::json;

use crate::fixtures::*;
use crate::harness::*;

#[tokio::test]
async fn a_pool_update_sends_only_what_changes_and_reports_the_old_values() {
    let mut h = Harness::new().await;
    let mut pool = parse(WORK_POOL);
    pool["concurrency_limit"] = json!(3);
    h.answer("GET", "/work_pools/mcp-pool", &pool.to_string())
        .await;
    let patch = body_where(h.mock("PATCH", "/work_pools/mcp-pool"), |b| {
        b == &json!({"concurrency_limit": null, "description": "nightly loads"})
    })
    .with_status(204)
    .create_async()
    .await;
    let done = h
        .ok(
            "update_work_pool",
            json!({"name": "mcp-pool", "concurrency_limit": 0, "description": "nightly loads"}),
        )
        .await;
    patch.assert_async().await;
    assert_eq!(
        done["changed"],
        json!([
            {"field": "concurrency_limit", "old": 3, "new": null},
            {"field": "description", "old": null, "new": "nightly loads"}
        ]),
        "{done}"
    );

    // Values it already has: nothing is sent.
    let mut h = Harness::new().await;
    h.answer("GET", "/work_pools/mcp-pool", &pool.to_string())
        .await;
    let untouched = h
        .mock("PATCH", "/work_pools/mcp-pool")
        .expect(0)
        .create_async()
        .await;
    let done = h
        .ok(
            "update_work_pool",
            json!({"name": "mcp-pool", "concurrency_limit": 3}),
        )
        .await;
    untouched.assert_async().await;
    assert!(
        done["message"].as_str().unwrap().contains("unchanged"),
        "{done}"
    );
}

#[tokio::test]
async fn a_queue_update_goes_through_its_pool_and_keeps_it_paused() {
    let mut h = Harness::new().await;
    let queue = parse(WORK_QUEUES)[1].clone();
    h.answer(
        "GET",
        "/work_pools/mcp-pool/queues/mcp-paused-queue",
        &queue.to_string(),
    )
    .await;
    let patch = body_where(
        h.mock("PATCH", "/work_pools/mcp-pool/queues/mcp-paused-queue"),
        |b| b == &json!({"concurrency_limit": 2, "priority": 1}),
    )
    .with_status(204)
    .create_async()
    .await;
    let done = h
        .ok(
            "update_work_queue",
            json!({"work_pool": "mcp-pool", "name": "mcp-paused-queue",
                   "concurrency_limit": 2, "priority": 1}),
        )
        .await;
    patch.assert_async().await;
    assert_eq!(done["name"], "mcp-pool/mcp-paused-queue");
    assert!(
        done["message"]
            .as_str()
            .unwrap()
            .contains("renumbers the pool's other queues"),
        "{done}"
    );
}

#[tokio::test]
async fn settings_arguments_are_checked_before_prefect_is_asked() {
    let mut h = Harness::new().await;
    let watch = h.watch_for_requests().await;
    let err = h
        .refused("update_work_pool", json!({"name": "mcp-pool"}))
        .await;
    assert!(
        err.contains("nothing to change: give at least one of concurrency_limit or description"),
        "{err}"
    );
    let err = h
        .refused(
            "update_work_pool",
            json!({"name": "mcp-pool", "concurrency_limit": -1}),
        )
        .await;
    assert!(
        err.contains("concurrency_limit must be between 0 and") && err.contains("0 removes"),
        "{err}"
    );
    let err = h
        .refused(
            "update_work_queue",
            json!({"work_pool": "mcp-pool", "name": "default", "priority": 0}),
        )
        .await;
    assert!(
        err.contains("priority must be between 1 and") && err.contains("1 is served first"),
        "{err}"
    );
    assert!(watch.sent().is_empty(), "{:?}", watch.sent());
}
