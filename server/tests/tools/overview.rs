//! get_server_info, get_dashboard, diagnose_flow_run: the tools that combine several reads.

use serde_json::{json, Value};

use crate::fixtures::*;
use crate::harness::*;

#[tokio::test]
async fn get_server_info_reports_release_api_version_and_health() {
    let mut h = Harness::new().await;
    let release = h.answer("GET", "/admin/version", r#""3.8.8""#).await;
    let api = h.answer("GET", "/version", r#""0.8.4""#).await;
    let health = h.answer("GET", "/health", "true").await;
    let info = h.ok("get_server_info", json!({})).await;
    release.assert_async().await;
    api.assert_async().await;
    health.assert_async().await;
    assert_eq!(info["api_url"], h.api_url());
    assert_eq!(info["server_type"], "self-hosted Prefect server");
    assert_eq!(info["is_cloud"], false);
    assert_eq!(info["auth"], "none");
    assert_eq!(info["prefect_version"], "3.8.8");
    assert_eq!(info["api_version"], "0.8.4");
    assert_eq!(info["client_api_version"], "0.8.4");
    assert_eq!(info["healthy"], true);
    assert!(info.get("cloud_account_id").is_none(), "{info}");
}

#[tokio::test]
async fn get_server_info_leaves_out_what_the_server_does_not_offer() {
    let mut h = Harness::new().await;
    h.answer("GET", "/version", r#""0.8.4""#).await;
    for path in ["/admin/version", "/health"] {
        h.fail("GET", path, 404, r#"{"detail":"Not Found"}"#).await;
    }
    let info = h.ok("get_server_info", json!({})).await;
    assert_eq!(info["api_version"], "0.8.4");
    assert!(info.get("prefect_version").is_none(), "{info}");
    assert!(info.get("healthy").is_none(), "{info}");
}

#[tokio::test]
async fn get_server_info_with_refused_credentials_names_the_setting() {
    let mut h = Harness::new().await;
    for path in ["/admin/version", "/version", "/health"] {
        h.fail("GET", path, 401, r#"{"exception_message":"Unauthorized"}"#)
            .await;
    }
    let err = h.err("get_server_info", json!({})).await;
    assert!(err.contains("Prefect refused the credentials"), "{err}");
    assert!(
        err.contains("PREFECT_API_KEY") && err.contains("PREFECT_API_AUTH_STRING"),
        "{err}"
    );
}

#[tokio::test]
async fn get_server_info_refuses_arguments_it_does_not_take() {
    let mut h = Harness::new().await;
    let err = h.refused("get_server_info", json!({"verbose": true})).await;
    assert!(err.contains("unknown field `verbose`"), "{err}");
}

/// A flow run count request: `check` picks it by its filter.
async fn count(h: &mut Harness, check: fn(&Value) -> bool, answer: &str) -> mockito::Mock {
    body_where(h.mock("POST", "/flow_runs/count"), move |body| {
        check(&body["flow_runs"])
    })
    .with_body(answer)
    .create_async()
    .await
}

fn state_types_are(filter: &Value, types: Value) -> bool {
    filter["state"]["type"]["any_"] == types
}

#[tokio::test]
async fn get_dashboard_counts_with_prefects_count_endpoints() {
    let mut h = Harness::new().await;
    // Every other count (the other state types) answers 0.
    h.mock("POST", "/flow_runs/count")
        .with_body("0")
        .expect_at_least(0)
        .create_async()
        .await;
    let total = count(
        &mut h,
        |f| f.get("state").is_none() && f["expected_start_time"]["after_"].is_string(),
        "8",
    )
    .await;
    let failed = count(&mut h, |f| state_types_are(f, json!(["FAILED"])), "2").await;
    let failed_or_crashed = count(
        &mut h,
        |f| state_types_are(f, json!(["FAILED", "CRASHED"])),
        "3",
    )
    .await;
    let late = count(
        &mut h,
        |f| f["state"]["name"]["any_"] == json!(["Late"]) && f.get("expected_start_time").is_none(),
        "1",
    )
    .await;
    body_where(h.mock("POST", "/flow_runs/filter"), |body| {
        body["flow_runs"]["state"]["name"]["any_"] == json!(["Late"]) && body["limit"] == 5
    })
    .with_body(list(&[FLOW_RUN_LATE.into()]))
    .create_async()
    .await;
    body_where(h.mock("POST", "/flow_runs/filter"), |body| {
        state_types_are(&body["flow_runs"], json!(["FAILED", "CRASHED"]))
    })
    .with_body(list(&[FLOW_RUN_FAILED.into()]))
    .create_async()
    .await;
    h.answer("POST", "/work_pools/count", "2").await;
    h.answer_to(
        "POST",
        "/work_pools/filter",
        json!({"limit": 200}),
        WORK_POOLS,
    )
    .await;
    crate::observability::work_pools::mock_pool_members(&mut h).await;
    h.answer("POST", "/flows/count", "7").await;
    h.answer("POST", "/deployments/count", "8").await;

    let dashboard = h.ok("get_dashboard", json!({})).await;
    for mock in [total, failed, failed_or_crashed, late] {
        mock.assert_async().await;
    }
    assert_eq!(dashboard["hours"], 24);
    assert_eq!(dashboard["flow_runs"]["total"], 8);
    let by_type = dashboard["flow_runs"]["by_state_type"].as_object().unwrap();
    assert_eq!(by_type.len(), 9, "every state type, zeros included");
    assert_eq!(by_type["FAILED"], 2);
    assert_eq!(by_type["COMPLETED"], 0);
    assert_eq!(dashboard["late_runs"]["count"], 1);
    assert_eq!(dashboard["late_runs"]["examples"][0]["name"], "seed-late");
    assert_eq!(dashboard["failed_runs"]["count"], 3);
    let newest = &dashboard["failed_runs"]["newest"][0];
    assert_eq!(newest["name"], "seed-fail");
    assert!(
        newest["message"].as_str().unwrap().contains("ValueError"),
        "{newest}"
    );
    assert_eq!(dashboard["work_pools"]["count"], 2);
    let unhealthy: Vec<&str> = dashboard["work_pools"]["unhealthy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(unhealthy, ["mcp-paused-pool", "mcp-pool"]);
    assert_eq!(dashboard["flows"], 7);
    assert_eq!(dashboard["deployments"], 8);
}

#[tokio::test]
async fn get_dashboard_refuses_hours_beyond_thirty_days() {
    let mut h = Harness::new().await;
    for bad in [0, 721] {
        let err = h.refused("get_dashboard", json!({"hours": bad})).await;
        assert!(
            err.contains(&format!("hours must be between 1 and 720, got {bad}")),
            "{err}"
        );
    }
}

#[tokio::test]
async fn get_dashboard_reports_a_failing_prefect() {
    let mut h = Harness::new().await;
    h.prefect
        .mock("POST", mockito::Matcher::Any)
        .with_status(500)
        .with_body(r#"{"exception_message":"database is locked"}"#)
        .create_async()
        .await;
    let err = h.err("get_dashboard", json!({"hours": 1})).await;
    assert!(err.contains("(500): database is locked"), "{err}");
    assert!(err.contains("server-side problem"), "{err}");
}

/// The concurrency limits of the sample world, `mcp-limit` full or not.
fn limits(mcp_limit_full: bool) -> String {
    let mut limits = parse(CONCURRENCY_LIMITS);
    if mcp_limit_full {
        limits[1]["active_slots"] = 1.into();
    }
    limits.to_string()
}

#[tokio::test]
async fn diagnose_flow_run_explains_a_failure_by_its_exception_and_task() {
    let mut h = Harness::new().await;
    h.answer(
        "GET",
        &format!("/flow_runs/{FAILED_RUN_ID}"),
        FLOW_RUN_FAILED,
    )
    .await;
    let tasks = body_where(h.mock("POST", "/task_runs/filter"), |body| {
        body["flow_runs"]["id"]["any_"] == json!([FAILED_RUN_ID])
            && body["task_runs"]["state"]["type"]["any_"] == json!(["FAILED", "CRASHED"])
    })
    .with_body(TASK_RUNS)
    .create_async()
    .await;
    let logs = h
        .answer_to(
            "POST",
            "/logs/filter",
            json!({"logs": {"level": {"ge_": 30}}, "limit": 20, "sort": "TIMESTAMP_DESC"}),
            LOGS,
        )
        .await;
    // The run's deployment was deleted since: a finding, not a failure.
    h.fail(
        "GET",
        &format!("/deployments/{FAILED_RUN_DEPLOYMENT_ID}"),
        404,
        r#"{"detail":"Deployment not found"}"#,
    )
    .await;
    h.answer("POST", "/v2/concurrency_limits/filter", &limits(false))
        .await;
    let diagnosis = h
        .ok("diagnose_flow_run", json!({"flow_run": FAILED_RUN_ID}))
        .await;
    tasks.assert_async().await;
    logs.assert_async().await;
    let summary = diagnosis["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("Flow run \"seed-fail\" is FAILED."),
        "{summary}"
    );
    let causes: Vec<&str> = diagnosis["likely_causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(
        causes[0].contains("The run ended FAILED: Flow run encountered an exception: ValueError"),
        "{causes:?}"
    );
    assert!(
        causes[1].starts_with("Task run \"load_input\" failed"),
        "{causes:?}"
    );
    assert!(
        causes.last().unwrap().starts_with("Last ERROR logged"),
        "{causes:?}"
    );
    assert_eq!(diagnosis["failed_task_runs"].as_array().unwrap().len(), 1);
    assert_eq!(diagnosis["error_logs"].as_array().unwrap().len(), 5);
    assert!(diagnosis.get("deployment").is_none(), "{diagnosis}");
    assert!(diagnosis.get("work_pool").is_none(), "{diagnosis}");
}

#[tokio::test]
async fn diagnose_flow_run_finds_a_late_run_by_name_and_says_what_blocks_it() {
    let mut h = Harness::new().await;
    let by_name = body_where(h.mock("POST", "/flow_runs/filter"), |body| {
        body["flow_runs"]["name"]["any_"] == json!(["seed-late"])
    })
    .with_body(list(&[FLOW_RUN_LATE.into()]))
    .create_async()
    .await;
    h.answer("POST", "/task_runs/filter", "[]").await;
    h.answer("POST", "/logs/filter", "[]").await;
    h.answer(
        "GET",
        &format!("/deployments/{LATE_DEPLOYMENT_ID}"),
        DEPLOYMENT_LATE,
    )
    .await;
    let active = h
        .answer_to(
            "POST",
            "/flow_runs/count",
            json!({"flow_runs": {"deployment_id": {"any_": [LATE_DEPLOYMENT_ID]}}}),
            "0",
        )
        .await;
    h.answer("POST", "/v2/concurrency_limits/filter", &limits(true))
        .await;
    h.answer("GET", "/work_pools/mcp-pool", WORK_POOL).await;
    h.answer("POST", "/work_pools/mcp-pool/queues/filter", WORK_QUEUES)
        .await;
    h.answer("POST", "/work_pools/mcp-pool/workers/filter", WORKERS)
        .await;
    let diagnosis = h
        .ok("diagnose_flow_run", json!({"flow_run": "seed-late"}))
        .await;
    by_name.assert_async().await;
    active.assert_async().await;
    let summary = diagnosis["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("Flow run \"seed-late\" is SCHEDULED (Late)."),
        "{summary}"
    );
    let causes: Vec<&str> = diagnosis["likely_causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(
        causes[0].contains("no worker has ever polled this pool"),
        "{causes:?}"
    );
    assert!(
        causes
            .iter()
            .any(|c| c.contains("Global concurrency limit \"mcp-limit\" is full (1/1 slots)")),
        "{causes:?}"
    );
    // The paused queue is not the run's queue, so it is not a cause.
    assert!(
        !causes.iter().any(|c| c.contains("mcp-paused-queue")),
        "{causes:?}"
    );
    assert_eq!(diagnosis["deployment"]["name"], "late-deployment");
    assert_eq!(diagnosis["deployment"]["active_runs"], 0);
    assert_eq!(diagnosis["work_pool"]["name"], "mcp-pool");
    assert_eq!(diagnosis["full_concurrency_limits"][0]["name"], "mcp-limit");
}

#[tokio::test]
async fn diagnose_flow_run_of_an_unknown_name_is_not_found() {
    let mut h = Harness::new().await;
    h.answer("POST", "/flow_runs/filter", "[]").await;
    let err = h
        .err("diagnose_flow_run", json!({"flow_run": "nope"}))
        .await;
    assert!(err.contains("there is no flow run named \"nope\""), "{err}");
    assert!(err.contains("list_flow_runs"), "{err}");
}

#[tokio::test]
async fn diagnose_flow_run_refuses_a_blank_run() {
    let mut h = Harness::new().await;
    let err = h
        .refused("diagnose_flow_run", json!({"flow_run": " "}))
        .await;
    assert!(err.contains("flow_run must not be empty"), "{err}");
}
