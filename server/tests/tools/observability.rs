//! get_flow_run_logs, list_task_runs, list_work_pools, get_work_pool, read_events,
//! list_automations, get_automation.

use mockito::Matcher;
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

#[tokio::test]
async fn list_task_runs_filters_by_flow_run_and_state() {
    let mut h = Harness::new().await;
    let read = body_where(h.mock("POST", "/task_runs/filter"), |body| {
        body["task_runs"]["flow_run_id"]["any_"] == json!([FAILED_RUN_ID])
            && body["task_runs"]["state"]
                == json!({"type": {"any_": ["FAILED"]}, "operator": "and_"})
            && body["sort"] == "EXPECTED_START_TIME_DESC"
            && body["limit"] == 20
    })
    .with_body(TASK_RUNS)
    .create_async()
    .await;
    let found = h
        .ok(
            "list_task_runs",
            json!({"flow_run_id": FAILED_RUN_ID, "state_type": "Failed"}),
        )
        .await;
    read.assert_async().await;
    assert_eq!(found["count"], 1);
    assert_eq!(found["task_runs"][0]["name"], "load_input");
    assert_eq!(found["task_runs"][0]["task_key"], "load_input-a6ffc5a5");
    assert_eq!(found["task_runs"][0]["state"]["type"], "FAILED");
    assert!(found["task_runs"][0].get("task_inputs").is_none());
}

#[tokio::test]
async fn list_task_runs_refuses_an_unknown_state_type() {
    let mut h = Harness::new().await;
    let err = h
        .refused("list_task_runs", json!({"state_type": "BROKEN"}))
        .await;
    assert!(
        err.contains("state_type \"BROKEN\" is not a Prefect state type"),
        "{err}"
    );
}

#[tokio::test]
async fn list_task_runs_of_an_unknown_flow_run_says_it_does_not_exist() {
    let mut h = Harness::new().await;
    h.answer("POST", "/task_runs/filter", "[]").await;
    flow_run_is_gone(&mut h, COMPLETED_RUN_ID).await;
    let err = h
        .err("list_task_runs", json!({"flow_run_id": COMPLETED_RUN_ID}))
        .await;
    assert_names_missing_run(&err, "reading", COMPLETED_RUN_ID);
}

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

#[tokio::test]
async fn read_events_shows_names_resources_and_small_payloads_newest_first() {
    let mut h = Harness::new().await;
    let read = body_where(h.mock("POST", "/events/filter"), |body| {
        body["limit"] == 3
            && body["filter"]["order"] == "DESC"
            && body["filter"]["occurred"]["since"].is_string()
            && body["filter"]["occurred"]["until"].is_string()
    })
    .with_body(EVENTS)
    .create_async()
    .await;
    let events = h.ok("read_events", json!({"limit": 3})).await;
    read.assert_async().await;
    assert_eq!(events["count"], 3);
    assert_eq!(events["total"], 81);
    assert_eq!(events["more_available"], true);
    let first = &events["events"][0];
    assert_eq!(first["event"], "prefect.automation.action.executed");
    assert_eq!(first["resource"]["name"], "mcp-notify-on-failure");
    assert_eq!(first["resource"]["labels"]["prefect.posture"], "Reactive");
    assert_eq!(first["related"][1]["role"], "triggering-event");
    assert_eq!(first["payload"]["action_type"], "do-nothing");
}

#[tokio::test]
async fn read_events_follows_the_next_page_up_to_the_limit() {
    let mut h = Harness::new().await;
    let first_page = parse(EVENTS);
    let next = first_page["next_page"].as_str().unwrap();
    let token = next.split_once("page-token=").unwrap().1.to_string();
    h.answer("POST", "/events/filter", EVENTS).await;
    let last_page = with(EVENTS, json!({"next_page": null}));
    let second = h
        .mock("GET", "/events/filter/next")
        .match_query(Matcher::UrlEncoded("page-token".into(), token))
        .with_body(last_page)
        .create_async()
        .await;
    let events = h.ok("read_events", json!({"limit": 5})).await;
    second.assert_async().await;
    assert_eq!(events["count"], 5);
    assert_eq!(events["events"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn read_events_sends_prefix_resource_and_window() {
    let mut h = Harness::new().await;
    let resource = format!("prefect.flow-run.{FAILED_RUN_ID}");
    let expected_resource = resource.clone();
    let read = body_where(h.mock("POST", "/events/filter"), move |body| {
        let filter = &body["filter"];
        filter["event"]["prefix"] == json!(["prefect.flow-run."])
            && filter["any_resource"]["id"] == json!([expected_resource])
            && filter["occurred"]["since"]
                .as_str()
                .is_some_and(|t| t.starts_with("2026-11-30T10:00:00"))
            && filter["occurred"]["until"]
                .as_str()
                .is_some_and(|t| t.starts_with("2026-11-30T12:00:00"))
    })
    .with_body(r#"{"events": [], "total": 0, "next_page": null}"#)
    .create_async()
    .await;
    let events = h
        .ok(
            "read_events",
            json!({
                "event_prefix": "prefect.flow-run.",
                "resource_id": resource,
                "since": "2026-11-30T10:00:00Z",
                "until": "2026-11-30T14:00:00+02:00"
            }),
        )
        .await;
    read.assert_async().await;
    assert_eq!(events["count"], 0);
    assert_eq!(events["more_available"], false);
}

#[tokio::test]
async fn read_events_refuses_a_time_without_a_zone() {
    let mut h = Harness::new().await;
    let err = h
        .refused("read_events", json!({"since": "2026-11-30 10:00"}))
        .await;
    assert!(err.contains("since must be an RFC 3339 timestamp"), "{err}");
    assert!(err.contains("\"2026-11-30 10:00\""), "{err}");
}

#[tokio::test]
async fn read_events_refuses_a_bare_uuid_as_resource() {
    let mut h = Harness::new().await;
    let err = h
        .refused("read_events", json!({"resource_id": FAILED_RUN_ID}))
        .await;
    assert!(
        err.contains(&format!("\"prefect.flow-run.{FAILED_RUN_ID}\"")),
        "{err}"
    );
}

#[tokio::test]
async fn read_events_refuses_a_window_that_ends_before_it_starts() {
    let mut h = Harness::new().await;
    let err = h
        .refused(
            "read_events",
            json!({"since": "2026-11-30T12:00:00Z", "until": "2026-11-30T10:00:00Z"}),
        )
        .await;
    assert!(err.contains("since must be the earlier time"), "{err}");
}

#[tokio::test]
async fn list_automations_sorts_by_name_and_compacts_triggers() {
    let mut h = Harness::new().await;
    let read = h
        .answer_to(
            "POST",
            "/automations/filter",
            json!({"sort": "NAME_ASC", "limit": 20, "offset": 0}),
            AUTOMATIONS,
        )
        .await;
    let found = h.ok("list_automations", json!({})).await;
    read.assert_async().await;
    assert_eq!(found["count"], 1);
    let automation = &found["automations"][0];
    assert_eq!(automation["name"], "mcp-notify-on-failure");
    assert_eq!(
        automation["trigger"]["expect"],
        json!(["prefect.flow-run.Failed"])
    );
    assert!(automation["trigger"].get("after").is_none(), "{automation}");
    assert_eq!(automation["actions"], json!([{"type": "do-nothing"}]));
    assert!(
        automation.get("actions_on_trigger").is_none(),
        "{automation}"
    );
}

#[tokio::test]
async fn get_automation_by_name_asks_for_that_exact_name() {
    let mut h = Harness::new().await;
    let read = body_where(h.mock("POST", "/automations/filter"), |body| {
        body["automations"]["name"] == json!({"any_": ["mcp-notify-on-failure"]})
            && body["limit"] == 2
    })
    .with_body(AUTOMATIONS)
    .create_async()
    .await;
    let automation = h
        .ok(
            "get_automation",
            json!({"automation": "mcp-notify-on-failure"}),
        )
        .await;
    read.assert_async().await;
    assert_eq!(automation["id"], AUTOMATION_ID);
    assert_eq!(automation["enabled"], true);
}

#[tokio::test]
async fn get_automation_by_id_reads_it_directly() {
    let mut h = Harness::new().await;
    let automation = parse(AUTOMATIONS)[0].to_string();
    let read = h
        .answer("GET", &format!("/automations/{AUTOMATION_ID}"), &automation)
        .await;
    let found = h
        .ok("get_automation", json!({"automation": AUTOMATION_ID}))
        .await;
    read.assert_async().await;
    assert_eq!(found["name"], "mcp-notify-on-failure");
}

#[tokio::test]
async fn get_automation_of_an_unknown_name_is_not_found() {
    let mut h = Harness::new().await;
    h.answer("POST", "/automations/filter", "[]").await;
    let err = h.err("get_automation", json!({"automation": "nope"})).await;
    assert!(
        err.contains("there is no automation named \"nope\""),
        "{err}"
    );
    assert!(err.contains("list_automations"), "{err}");
}

#[tokio::test]
async fn get_automation_of_a_shared_name_asks_for_the_id() {
    let mut h = Harness::new().await;
    let one = parse(AUTOMATIONS)[0].clone();
    let mut other = one.clone();
    other["id"] = "1bb2fabb-236f-41d4-bc7a-682cb19060a6".into();
    h.answer(
        "POST",
        "/automations/filter",
        &json!([one, other]).to_string(),
    )
    .await;
    let err = h
        .err(
            "get_automation",
            json!({"automation": "mcp-notify-on-failure"}),
        )
        .await;
    assert!(err.contains("More than one automation"), "{err}");
    assert!(
        err.contains(AUTOMATION_ID) && err.contains("1bb2fabb-236f-41d4-bc7a-682cb19060a6"),
        "{err}"
    );
}
