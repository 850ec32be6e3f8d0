//! create_flow_run_from_deployment: what it sends, how it waits, and what it refuses before
//! creating anything.

use serde_json::json;

use crate::fixtures::*;
use crate::harness::*;

/// The run Prefect answers a create with, in `state_type`.
fn created_run(state_type: &str, state_name: &str) -> String {
    with(
        &run_in_state(FLOW_RUN_COMPLETED, state_type, state_name),
        json!({"name": "my-run", "deployment_id": PARAMS_DEPLOYMENT_ID}),
    )
}

#[tokio::test]
async fn create_flow_run_sends_parameters_name_and_an_idempotency_key() {
    let mut h = Harness::new().await;
    h.answer(
        "GET",
        "/deployments/name/mcp-params/params",
        DEPLOYMENT_PARAMS,
    )
    .await;
    let create = body_where(
        h.mock(
            "POST",
            &format!("/deployments/{PARAMS_DEPLOYMENT_ID}/create_flow_run"),
        ),
        |body| {
            body["parameters"] == json!({"n": 3})
                && body["name"] == "my-run"
                // Says in Prefect that the run was created through MCP.
                && body["labels"] == json!({"prefect-mcp.actor": "prefect-mcp-server"})
                && body["idempotency_key"]
                    .as_str()
                    .is_some_and(|k| uuid::Uuid::parse_str(k).is_ok())
        },
    )
    .with_status(201)
    .with_body(created_run("SCHEDULED", "Scheduled"))
    .create_async()
    .await;
    let created = h
        .ok(
            "create_flow_run_from_deployment",
            json!({"deployment_id": "mcp-params/params", "parameters": {"n": 3}, "name": "my-run"}),
        )
        .await;
    create.assert_async().await;
    assert_eq!(created["wait"], "not_waited");
    assert_eq!(created["flow_run_id"], COMPLETED_RUN_ID);
    assert_eq!(created["flow_run_name"], "my-run");
    assert_eq!(created["deployment_id"], PARAMS_DEPLOYMENT_ID);
    assert_eq!(created["deployment_name"], "params");
    assert_eq!(created["flow_run"]["state"]["type"], "SCHEDULED");
}

#[tokio::test]
async fn create_flow_run_waits_until_the_run_is_final() {
    let mut h = Harness::new().await;
    h.answer(
        "GET",
        &format!("/deployments/{PARAMS_DEPLOYMENT_ID}"),
        DEPLOYMENT_PARAMS,
    )
    .await;
    h.mock(
        "POST",
        &format!("/deployments/{PARAMS_DEPLOYMENT_ID}/create_flow_run"),
    )
    .with_status(201)
    .with_body(created_run("PENDING", "Pending"))
    .create_async()
    .await;
    // Without an event stream (mockito refuses the websocket) the wait polls the watched runs
    // by ids: the first poll finds it running, the second completed.
    let running = h
        .mock("POST", "/flow_runs/filter")
        .with_body(format!("[{}]", created_run("RUNNING", "Running")))
        .expect(1)
        .create_async()
        .await;
    let completed = h
        .mock("POST", "/flow_runs/filter")
        .with_body(format!("[{FLOW_RUN_COMPLETED}]"))
        .expect(1)
        .create_async()
        .await;
    let created = h
        .ok(
            "create_flow_run_from_deployment",
            json!({"deployment_id": PARAMS_DEPLOYMENT_ID, "timeout": 60}),
        )
        .await;
    running.assert_async().await;
    completed.assert_async().await;
    assert_eq!(created["wait"], "final_state");
    assert_eq!(created["flow_run"]["state"]["type"], "COMPLETED");
    assert!(
        created["waited_seconds"].as_f64().unwrap() > 0.0,
        "{created}"
    );
}

#[tokio::test]
async fn create_flow_run_reports_a_wait_that_timed_out() {
    let mut h = Harness::new().await;
    h.answer(
        "GET",
        &format!("/deployments/{PARAMS_DEPLOYMENT_ID}"),
        DEPLOYMENT_PARAMS,
    )
    .await;
    h.mock(
        "POST",
        &format!("/deployments/{PARAMS_DEPLOYMENT_ID}/create_flow_run"),
    )
    .with_status(201)
    .with_body(created_run("PENDING", "Pending"))
    .create_async()
    .await;
    h.answer(
        "POST",
        "/flow_runs/filter",
        &format!("[{}]", created_run("RUNNING", "Running")),
    )
    .await;
    let created = h
        .ok(
            "create_flow_run_from_deployment",
            json!({"deployment_id": PARAMS_DEPLOYMENT_ID, "timeout": 1}),
        )
        .await;
    assert_eq!(created["wait"], "timed_out");
    assert_eq!(created["flow_run"]["state"]["type"], "RUNNING");
}

#[tokio::test]
async fn create_flow_run_refuses_unknown_parameters_before_creating_anything() {
    let mut h = Harness::new().await;
    h.answer(
        "GET",
        "/deployments/name/mcp-params/params",
        DEPLOYMENT_PARAMS,
    )
    .await;
    let create = h
        .mock(
            "POST",
            &format!("/deployments/{PARAMS_DEPLOYMENT_ID}/create_flow_run"),
        )
        .expect(0)
        .create_async()
        .await;
    let err = h
        .err(
            "create_flow_run_from_deployment",
            json!({"deployment_id": "mcp-params/params", "parameters": {"n": 1, "colour": "red"}}),
        )
        .await;
    create.assert_async().await;
    assert!(err.contains("has no parameter named colour"), "{err}");
    assert!(err.contains("its parameters are: n, who"), "{err}");
}

#[tokio::test]
async fn create_flow_run_refuses_a_timeout_outside_an_hour() {
    let mut h = Harness::new().await;
    for bad in [-1, 3601] {
        let err = h
            .refused(
                "create_flow_run_from_deployment",
                json!({"deployment_id": PARAMS_DEPLOYMENT_ID, "timeout": bad}),
            )
            .await;
        assert!(
            err.contains(&format!("timeout must be between 0 and 3600, got {bad}")),
            "{err}"
        );
    }
}

#[tokio::test]
async fn create_flow_run_refuses_what_is_neither_id_nor_full_name() {
    let mut h = Harness::new().await;
    let err = h
        .refused(
            "create_flow_run_from_deployment",
            json!({"deployment_id": "params"}),
        )
        .await;
    assert!(err.contains("neither a UUID nor a name"), "{err}");
    assert!(err.contains("\"params\""), "{err}");
}

#[tokio::test]
async fn create_flow_run_refuses_parameters_that_are_not_an_object() {
    let mut h = Harness::new().await;
    let err = h
        .refused(
            "create_flow_run_from_deployment",
            json!({"deployment_id": PARAMS_DEPLOYMENT_ID, "parameters": [1, 2]}),
        )
        .await;
    assert!(err.contains("parameters: invalid type: sequence"), "{err}");
}

#[tokio::test]
async fn create_flow_run_passes_on_prefects_rejection() {
    let mut h = Harness::new().await;
    h.answer(
        "GET",
        &format!("/deployments/{PARAMS_DEPLOYMENT_ID}"),
        DEPLOYMENT_PARAMS,
    )
    .await;
    h.mock(
        "POST",
        &format!("/deployments/{PARAMS_DEPLOYMENT_ID}/create_flow_run"),
    )
    .with_status(409)
    .with_body(r#"{"detail":"Error creating flow run: Validation failed for field 'n'. Failure reason: 'x' is not of type 'integer'"}"#)
    .create_async()
    .await;
    let err = h
        .err(
            "create_flow_run_from_deployment",
            json!({"deployment_id": PARAMS_DEPLOYMENT_ID, "parameters": {"n": "x"}}),
        )
        .await;
    assert!(
        err.contains("Prefect rejected the request while creating a flow run"),
        "{err}"
    );
    assert!(err.contains("'x' is not of type 'integer'"), "{err}");
}

#[tokio::test]
async fn create_flow_run_of_a_missing_deployment_is_not_found() {
    let mut h = Harness::new().await;
    h.fail(
        "GET",
        "/deployments/name/mcp-params/gone",
        404,
        r#"{"detail":"Deployment not found"}"#,
    )
    .await;
    // After a 404 the server looks for close names to offer; there are none.
    h.answer("POST", "/deployments/filter", "[]").await;
    let err = h
        .err(
            "create_flow_run_from_deployment",
            json!({"deployment_id": "mcp-params/gone"}),
        )
        .await;
    assert!(
        err.contains("Not found while reading deployment \"mcp-params/gone\""),
        "{err}"
    );
}
