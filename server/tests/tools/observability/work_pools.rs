//! list_work_pools and get_work_pool: why runs cannot start (paused pools and queues, no worker).

use serde_json::json;

use crate::fixtures::*;
use crate::harness::*;

/// Queues and workers of the two sample pools: mcp-pool (a paused queue, no worker) and
/// mcp-paused-pool (paused, no queue, no worker).
pub(crate) async fn mock_pool_members(h: &mut Harness) {
    h.answer("POST", "/work_pools/mcp-pool/queues/filter", WORK_QUEUES)
        .await;
    h.answer("POST", "/work_pools/mcp-pool/workers/filter", WORKERS)
        .await;
    h.answer("POST", "/work_pools/mcp-paused-pool/queues/filter", "[]")
        .await;
    h.answer("POST", "/work_pools/mcp-paused-pool/workers/filter", "[]")
        .await;
}

#[tokio::test]
async fn list_work_pools_explains_why_runs_cannot_start() {
    let mut h = Harness::new().await;
    let read = h
        .answer_to(
            "POST",
            "/work_pools/filter",
            json!({"limit": 20, "offset": 0}),
            WORK_POOLS,
        )
        .await;
    mock_pool_members(&mut h).await;
    let found = h.ok("list_work_pools", json!({})).await;
    read.assert_async().await;
    assert_eq!(found["count"], 2);
    let paused = &found["work_pools"][0];
    assert_eq!(paused["name"], "mcp-paused-pool");
    assert_eq!(paused["healthy"], false);
    assert!(paused["problems"][0]
        .as_str()
        .unwrap()
        .contains("the work pool is paused"));
    let pool = &found["work_pools"][1];
    assert_eq!(pool["default_queue"], "default");
    assert_eq!(pool["queues"].as_array().unwrap().len(), 2);
    let problems: Vec<&str> = pool["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(
        problems[0].contains("queue \"mcp-paused-queue\" is paused"),
        "{problems:?}"
    );
    assert!(
        problems[1].contains("prefect worker start --pool \"mcp-pool\""),
        "{problems:?}"
    );
}

#[tokio::test]
async fn get_work_pool_with_an_online_worker_reports_only_the_paused_queue() {
    let mut h = Harness::new().await;
    h.answer(
        "GET",
        "/work_pools/mcp-pool",
        &with(WORK_POOL, json!({"status": "READY"})),
    )
    .await;
    h.answer("POST", "/work_pools/mcp-pool/queues/filter", WORK_QUEUES)
        .await;
    // Written after Prefect's WorkerResponse: the sample world has no workers to capture.
    let worker = json!([{
        "id": "5b0c7f4e-2d7e-4a43-9d1b-6f0f3c1f2a10",
        "created": "2026-11-30T10:55:00Z", "updated": "2026-11-30T11:00:00Z",
        "name": "ProcessWorker 1", "work_pool_id": "18b33d00-8c04-43a7-93b1-adb3706e57c1",
        "last_heartbeat_time": "2026-11-30T11:00:00Z", "heartbeat_interval_seconds": 30,
        "status": "ONLINE"
    }]);
    h.answer_to(
        "POST",
        "/work_pools/mcp-pool/workers/filter",
        json!({"limit": 10}),
        &worker.to_string(),
    )
    .await;
    let pool = h.ok("get_work_pool", json!({"name": "mcp-pool"})).await;
    assert_eq!(pool["workers"][0]["status"], "ONLINE");
    assert_eq!(pool["type"], "process");
    assert_eq!(pool["problems"].as_array().unwrap().len(), 1, "{pool}");
    assert!(pool["problems"][0]
        .as_str()
        .unwrap()
        .contains("mcp-paused-queue"));
}

#[tokio::test]
async fn get_work_pool_404_names_the_pool() {
    let mut h = Harness::new().await;
    h.fail(
        "GET",
        "/work_pools/nope",
        404,
        r#"{"detail":"Work pool not found."}"#,
    )
    .await;
    let err = h.err("get_work_pool", json!({"name": "nope"})).await;
    assert!(
        err.contains("Not found while reading work pool \"nope\""),
        "{err}"
    );
}

#[tokio::test]
async fn get_work_pool_refuses_a_blank_name() {
    let mut h = Harness::new().await;
    let err = h.refused("get_work_pool", json!({"name": ""})).await;
    assert!(err.contains("name must not be empty"), "{err}");
}
