//! Deployment tools, including creating and waiting for runs, against the real sample world.

use integration_tests::*;
use serde_json::json;

#[tokio::test]
async fn get_deployment_by_name_returns_that_deployment() {
    let s = connect().await.unwrap();
    let d = call_ok(
        &s,
        "get_deployment_by_name",
        json!({"name": "mcp-hello/hello"}),
    )
    .await;
    assert_eq!(d["name"], "hello");
    assert_eq!(d["flow_name"], "mcp-hello");
    let by_id = call_ok(
        &s,
        "get_deployment_by_id",
        json!({"deployment_id": d["id"]}),
    )
    .await;
    assert_eq!(by_id["id"], d["id"]);
    assert_eq!(by_id["flow_name"], "mcp-hello");
    // Compact: no parameter schema, job variables or pull steps...
    for bulky in [
        "parameter_openapi_schema",
        "job_variables",
        "pull_steps",
        "detail",
    ] {
        assert!(d.get(bulky).is_none(), "{bulky} should not be in {d}");
    }
    // ...unless asked for.
    let detailed = call_ok(
        &s,
        "get_deployment_by_name",
        json!({"name": "mcp-params/params", "detail": true}),
    )
    .await;
    let schema = &detailed["detail"]["parameter_openapi_schema"];
    assert!(schema["properties"]["n"].is_object(), "{detailed}");
    let by_id = call_ok(
        &s,
        "get_deployment_by_id",
        json!({"deployment_id": detailed["id"], "detail": true}),
    )
    .await;
    assert_eq!(by_id["detail"]["parameter_openapi_schema"], *schema);
}

#[tokio::test]
async fn deployment_names_with_spaces_and_unicode_work() {
    let s = connect().await.unwrap();
    let d = call_ok(
        &s,
        "get_deployment_by_name",
        json!({"name": "mcp ünïcode flow/ünïcode deployment"}),
    )
    .await;
    assert_eq!(d["name"], "ünïcode deployment");
}

#[tokio::test]
async fn deployment_name_without_slash_explains_the_format() {
    let s = connect().await.unwrap();
    for bad in ["hello", "mcp-hello/", "/hello", "a/b/c"] {
        let err = call_err(&s, "get_deployment_by_name", json!({"name": bad})).await;
        assert!(err.contains("flow_name/deployment_name"), "{bad}: {err}");
    }
}

#[tokio::test]
async fn missing_deployment_is_not_found() {
    let s = connect().await.unwrap();
    let err = call_err(
        &s,
        "get_deployment_by_name",
        json!({"name": "mcp-hello/nope"}),
    )
    .await;
    assert!(
        err.contains("Not found") && err.contains("mcp-hello/nope"),
        "{err}"
    );
    let err = call_err(&s, "get_deployment_by_id", json!({"deployment_id": "nope"})).await;
    assert!(err.contains("deployment_id must be a UUID"), "{err}");
}

#[tokio::test]
async fn list_deployments_of_one_flow_returns_only_its_deployments() {
    let s = connect().await.unwrap();
    let scheduled = flow_id(&s, "mcp-scheduled").await;
    let list = call_ok(&s, "list_deployments", json!({"flow_id": scheduled})).await;
    assert_eq!(
        names(&list, "deployments"),
        vec!["hourly", "paused-schedule"]
    );
    assert!(list["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["flow_name"] == "mcp-scheduled"));
    let all = call_ok(&s, "list_deployments", json!({"limit": 200})).await;
    assert!(all["count"].as_u64().unwrap() >= 7, "{all}");
}

#[tokio::test]
async fn schedule_status_maps_to_paused() {
    let s = connect().await.unwrap();
    let active = call_ok(
        &s,
        "search_deployments_by_status",
        json!({"is_schedule_active": true, "limit": 200}),
    )
    .await;
    let paused = call_ok(
        &s,
        "search_deployments_by_status",
        json!({"is_schedule_active": false, "limit": 200}),
    )
    .await;
    let all = call_ok(&s, "search_deployments_by_status", json!({"limit": 200})).await;
    assert!(paused["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["paused"] == true));
    assert!(active["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["paused"] == false));
    assert!(names(&paused, "deployments").contains(&"paused-schedule".to_string()));
    assert!(names(&active, "deployments").contains(&"hourly".to_string()));
    assert_eq!(
        active["count"].as_u64().unwrap() + paused["count"].as_u64().unwrap(),
        all["count"].as_u64().unwrap(),
        "omitted means all"
    );
}

#[tokio::test]
async fn create_and_wait_until_completed_with_progress() {
    let s = connect().await.unwrap();
    let created = call_ok(
        &s,
        "create_flow_run_from_deployment",
        json!({"deployment_id": "mcp-params/params", "parameters": {"n": 2, "who": "tests"}, "name": "e2e-params", "timeout": 120}),
    )
    .await;
    assert_eq!(created["wait"], "final_state", "{created}");
    assert_eq!(created["flow_run_name"], "e2e-params");
    assert_eq!(created["deployment_name"], "params");
    assert_eq!(created["flow_run"]["state"]["type"], "COMPLETED");
    assert_eq!(
        created["flow_run"]["parameters"],
        json!({"n": 2, "who": "tests"})
    );
    let progress = s.service().progress.lock().unwrap().len();
    assert!(
        progress > 0,
        "progress notifications were sent while waiting"
    );
}

#[tokio::test]
async fn create_by_id_without_waiting_returns_at_once() {
    let s = connect().await.unwrap();
    let id = deployment_id(&s, "mcp-hello/hello").await;
    let created = call_ok(
        &s,
        "create_flow_run_from_deployment",
        json!({"deployment_id": id}),
    )
    .await;
    assert_eq!(created["wait"], "not_waited");
    assert_eq!(created["deployment_id"], json!(id));
    assert!(created["flow_run_id"].is_string());
    assert!(created["flow_run"]["state"]["type"].is_string());
}

#[tokio::test]
async fn a_short_timeout_reports_that_it_timed_out() {
    let s = connect().await.unwrap();
    let created = call_ok(
        &s,
        "create_flow_run_from_deployment",
        json!({"deployment_id": "mcp-slow/slow", "parameters": {"seconds": 30}, "timeout": 2}),
    )
    .await;
    assert_eq!(created["wait"], "timed_out", "{created}");
    assert!(created["waited_seconds"].as_f64().unwrap() >= 2.0);
    // Leave nothing running.
    let _ = call(
        &s,
        "cancel_flow_run",
        json!({"flow_run_id": created["flow_run_id"]}),
    )
    .await;
}

#[tokio::test]
async fn waiting_for_a_failing_run_returns_the_failure() {
    let s = connect().await.unwrap();
    let created = call_ok(
        &s,
        "create_flow_run_from_deployment",
        json!({"deployment_id": "mcp-fail/fail", "timeout": 120}),
    )
    .await;
    assert_eq!(created["wait"], "final_state");
    assert_eq!(created["flow_run"]["state"]["type"], "FAILED");
}

#[tokio::test]
async fn parameters_the_deployment_rejects_come_back_with_prefects_explanation() {
    let s = connect().await.unwrap();
    let err = call_err(
        &s,
        "create_flow_run_from_deployment",
        json!({"deployment_id": "mcp-params/params", "parameters": {"n": "three"}}),
    )
    .await;
    assert!(err.contains("409") && err.contains("three"), "{err}");
}

#[tokio::test]
async fn parameters_the_flow_does_not_take_are_rejected_before_a_run_is_created() {
    let s = connect().await.unwrap();
    let err = call_err(
        &s,
        "create_flow_run_from_deployment",
        json!({"deployment_id": "mcp-hello/hello", "parameters": {"nope": 1}, "name": "must-not-exist"}),
    )
    .await;
    assert!(
        err.contains("no parameter named nope") && err.contains("who"),
        "{err}"
    );
    let runs = call_ok(
        &s,
        "filter_flow_runs",
        json!({"filter_criteria": {"name": {"any_": ["must-not-exist"]}}}),
    )
    .await;
    assert_eq!(runs["count"], 0, "no run was created");
}

#[tokio::test]
async fn unknown_deployment_and_bad_arguments_are_rejected() {
    let s = connect().await.unwrap();
    let err = call_err(
        &s,
        "create_flow_run_from_deployment",
        json!({"deployment_id": "mcp-hello/nope"}),
    )
    .await;
    assert!(err.contains("Not found"), "{err}");
    let err = call_err(
        &s,
        "create_flow_run_from_deployment",
        json!({"deployment_id": "nope"}),
    )
    .await;
    assert!(err.contains("neither a UUID nor a name"), "{err}");
    let err = call_err(
        &s,
        "create_flow_run_from_deployment",
        json!({"deployment_id": "mcp-hello/hello", "timeout": -1}),
    )
    .await;
    assert!(err.contains("timeout must be between 0"), "{err}");
}

/// A client cancels a waiting create (`notifications/cancelled`): the call ends at once as a
/// cancelled wait (the server's log says so), the run goes on, and the session keeps serving.
#[test]
fn cancelling_the_request_stops_the_wait_and_the_server_carries_on() {
    let mut server = RawStdioServer::start();
    server.send(
        r#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"create_flow_run_from_deployment","arguments":{"deployment_id":"mcp-slow/slow","name":"abandoned-wait","parameters":{"seconds":30},"timeout":600},"_meta":{"progressToken":"wait"}}}"#,
    );
    // The first progress notification says the run exists and the wait has begun.
    loop {
        let line = server.read_line().expect("the server exited");
        assert!(!line.contains("\"id\":7"), "the call ended early: {line}");
        if line.contains("notifications/progress") {
            break;
        }
    }
    server.send(
        r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7,"reason":"the user stopped waiting"}}"#,
    );
    let ended = server.wait_for_log(|line| {
        line.contains("tool call finished") && line.contains("create_flow_run_from_deployment")
    });
    assert!(ended.contains("wait_cancelled"), "{ended}");
    // The session still answers, and the run it created goes on.
    let runs = server.request(
        8,
        "tools/call",
        json!({"name": "filter_flow_runs", "arguments": {"filter_criteria": {"name": {"any_": ["abandoned-wait"]}}}}),
    );
    let runs = &runs["result"]["structuredContent"]["flow_runs"];
    let run = runs
        .as_array()
        .and_then(|r| r.first())
        .expect("the run exists");
    assert!(
        !["CANCELLED", "CANCELLING"].contains(&run["state"]["type"].as_str().unwrap_or("")),
        "{run}"
    );
    let cancelled = server.request(
        9,
        "tools/call",
        json!({"name": "cancel_flow_run", "arguments": {"flow_run_id": run["id"]}}),
    );
    assert_ne!(cancelled["result"]["isError"], json!(true), "{cancelled}");
}
