//! get_deployment_by_id, get_deployment_by_name, list_deployments, search_deployments_by_status,
//! create_flow_run_from_deployment.

use serde_json::json;

use crate::fixtures::*;
use crate::harness::*;

const PARAMS_FLOW_ID: &str = "33e28295-92e6-4e60-8201-ccf1a84b6ba2";

fn flow(id: &str, name: &str) -> String {
    with(FLOW, json!({"id": id, "name": name}))
}

#[tokio::test]
async fn get_deployment_by_id_adds_its_flows_name_and_leaves_out_the_detail() {
    let mut h = Harness::new().await;
    h.answer("GET", &format!("/deployments/{DEPLOYMENT_ID}"), DEPLOYMENT)
        .await;
    let read_flow = h.answer("GET", &format!("/flows/{FLOW_ID}"), FLOW).await;
    let d = h
        .ok(
            "get_deployment_by_id",
            json!({"deployment_id": DEPLOYMENT_ID}),
        )
        .await;
    read_flow.assert_async().await;
    assert_eq!(d["name"], "hello");
    assert_eq!(d["flow_name"], "mcp-hello");
    assert_eq!(d["status"], "READY");
    assert_eq!(d["paused"], false);
    assert!(d.get("detail").is_none(), "{d}");
    assert!(d.get("parameter_openapi_schema").is_none(), "{d}");
    assert!(!has_null(&d), "{d}");
}

#[tokio::test]
async fn get_deployment_by_id_with_detail_shows_the_parameter_schema() {
    let mut h = Harness::new().await;
    h.answer(
        "GET",
        &format!("/deployments/{PARAMS_DEPLOYMENT_ID}"),
        DEPLOYMENT_PARAMS,
    )
    .await;
    h.answer(
        "GET",
        &format!("/flows/{PARAMS_FLOW_ID}"),
        &flow(PARAMS_FLOW_ID, "mcp-params"),
    )
    .await;
    let d = h
        .ok(
            "get_deployment_by_id",
            json!({"deployment_id": PARAMS_DEPLOYMENT_ID, "detail": true}),
        )
        .await;
    let schema = &d["detail"]["parameter_openapi_schema"];
    assert_eq!(schema["properties"]["n"]["type"], "integer");
    assert_eq!(schema["properties"]["who"]["default"], "world");
    assert_eq!(d["detail"]["enforce_parameter_schema"], true);
    assert_eq!(d["flow_name"], "mcp-params");
}

#[tokio::test]
async fn get_deployment_by_id_refuses_a_name_and_points_at_the_by_name_tool() {
    let mut h = Harness::new().await;
    let err = h
        .refused(
            "get_deployment_by_id",
            json!({"deployment_id": "mcp-hello/hello"}),
        )
        .await;
    assert!(err.contains("deployment_id must be a UUID"), "{err}");
    assert!(err.contains("get_deployment_by_name"), "{err}");
}

#[tokio::test]
async fn get_deployment_by_id_refuses_detail_given_as_text() {
    let mut h = Harness::new().await;
    let err = h
        .refused(
            "get_deployment_by_id",
            json!({"deployment_id": DEPLOYMENT_ID, "detail": "yes"}),
        )
        .await;
    assert!(
        err.contains("detail: invalid type: string \"yes\""),
        "{err}"
    );
}

#[tokio::test]
async fn get_deployment_by_id_404_names_the_deployment() {
    let mut h = Harness::new().await;
    h.fail(
        "GET",
        &format!("/deployments/{DEPLOYMENT_ID}"),
        404,
        r#"{"detail":"Deployment not found"}"#,
    )
    .await;
    let err = h
        .err(
            "get_deployment_by_id",
            json!({"deployment_id": DEPLOYMENT_ID}),
        )
        .await;
    assert!(err.contains("Not found while reading deployment"), "{err}");
    assert!(
        err.contains(DEPLOYMENT_ID) && err.contains("Deployment not found"),
        "{err}"
    );
}

#[tokio::test]
async fn get_deployment_by_name_reads_the_flow_and_deployment_path() {
    let mut h = Harness::new().await;
    let read = h
        .answer("GET", "/deployments/name/mcp-hello/hello", DEPLOYMENT)
        .await;
    let d = h
        .ok("get_deployment_by_name", json!({"name": "mcp-hello/hello"}))
        .await;
    read.assert_async().await;
    assert_eq!(d["id"], DEPLOYMENT_ID);
    assert_eq!(d["flow_name"], "mcp-hello");
}

#[tokio::test]
async fn get_deployment_by_name_refuses_a_name_without_its_flow() {
    let mut h = Harness::new().await;
    for bad in ["hello", "a/b/c", "/hello"] {
        let err = h
            .refused("get_deployment_by_name", json!({"name": bad}))
            .await;
        assert!(err.contains("\"flow_name/deployment_name\""), "{err}");
        assert!(err.contains(&format!("{bad:?}")), "{err}");
    }
}

#[tokio::test]
async fn get_deployment_by_name_404_names_the_deployment() {
    let mut h = Harness::new().await;
    h.fail(
        "GET",
        "/deployments/name/mcp-hello/nope",
        404,
        r#"{"detail":"Deployment not found"}"#,
    )
    .await;
    // After a 404 the server looks for close names to offer; there are none.
    h.answer("POST", "/deployments/filter", "[]").await;
    let err = h
        .err("get_deployment_by_name", json!({"name": "mcp-hello/nope"}))
        .await;
    assert!(
        err.contains("Not found while reading deployment \"mcp-hello/nope\""),
        "{err}"
    );
}

#[tokio::test]
async fn list_deployments_names_each_ones_flow_with_one_extra_request() {
    let mut h = Harness::new().await;
    let read = h
        .answer_to(
            "POST",
            "/deployments/filter",
            json!({"sort": "NAME_ASC", "limit": 3, "offset": 1}),
            DEPLOYMENTS,
        )
        .await;
    let flows = list(&[
        flow("3c22e8ff-17e7-4a1c-8758-5d65b69885ee", "mcp-scheduled"),
        flow("c3bce0ad-bd4b-45f7-854f-9a9f087034b2", "mcp-late"),
        FLOW.into(),
    ]);
    let names = body_where(h.mock("POST", "/flows/filter"), |body| {
        body["flows"]["id"]["any_"]
            == json!([
                "3c22e8ff-17e7-4a1c-8758-5d65b69885ee",
                "c3bce0ad-bd4b-45f7-854f-9a9f087034b2",
                FLOW_ID
            ])
    })
    .with_body(flows)
    .create_async()
    .await;
    let found = h
        .ok("list_deployments", json!({"limit": 3, "offset": 1}))
        .await;
    read.assert_async().await;
    names.assert_async().await;
    assert_eq!(found["count"], 3);
    let full_names: Vec<String> = found["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}/{}",
                d["flow_name"].as_str().unwrap(),
                d["name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        full_names,
        [
            "mcp-hello/hello",
            "mcp-scheduled/hourly",
            "mcp-late/late-deployment"
        ]
    );
    assert_eq!(
        found["deployments"][1]["schedules"][0]["interval_seconds"],
        3600.0
    );
    assert_eq!(found["deployments"][2]["concurrency_limit"], 1);
}

#[tokio::test]
async fn list_deployments_of_one_flow_filters_by_its_id() {
    let mut h = Harness::new().await;
    let read = h
        .answer_to(
            "POST",
            "/deployments/filter",
            json!({"flows": {"id": {"any_": [FLOW_ID]}}}),
            "[]",
        )
        .await;
    let found = h.ok("list_deployments", json!({"flow_id": FLOW_ID})).await;
    read.assert_async().await;
    assert_eq!(found, json!({"deployments": [], "count": 0}));
}

#[tokio::test]
async fn list_deployments_refuses_a_bad_flow_id() {
    let mut h = Harness::new().await;
    let err = h
        .refused("list_deployments", json!({"flow_id": "hello"}))
        .await;
    assert!(err.contains("flow_id must be a UUID"), "{err}");
}

#[tokio::test]
async fn search_deployments_by_status_active_means_not_paused() {
    let mut h = Harness::new().await;
    let read = h
        .answer_to(
            "POST",
            "/deployments/filter",
            json!({"deployments": {"paused": {"eq_": false}}, "sort": "NAME_ASC"}),
            "[]",
        )
        .await;
    h.ok(
        "search_deployments_by_status",
        json!({"is_schedule_active": true}),
    )
    .await;
    read.assert_async().await;
}

#[tokio::test]
async fn search_deployments_by_status_inactive_means_paused() {
    let mut h = Harness::new().await;
    let paused = with(DEPLOYMENT, json!({"paused": true}));
    let read = h
        .answer_to(
            "POST",
            "/deployments/filter",
            json!({"deployments": {"paused": {"eq_": true}}}),
            &list(&[paused]),
        )
        .await;
    h.answer("POST", "/flows/filter", &list(&[FLOW.into()]))
        .await;
    let found = h
        .ok(
            "search_deployments_by_status",
            json!({"is_schedule_active": false}),
        )
        .await;
    read.assert_async().await;
    assert_eq!(found["deployments"][0]["paused"], true);
}

#[tokio::test]
async fn search_deployments_by_status_refuses_text_for_a_boolean() {
    let mut h = Harness::new().await;
    let err = h
        .refused(
            "search_deployments_by_status",
            json!({"is_schedule_active": "yes"}),
        )
        .await;
    assert!(err.contains("is_schedule_active: invalid type"), "{err}");
}

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
    // The first read finds it running, the second completed.
    let path = format!("/flow_runs/{COMPLETED_RUN_ID}");
    let running = h
        .mock("GET", &path)
        .with_body(created_run("RUNNING", "Running"))
        .expect(1)
        .create_async()
        .await;
    let completed = h
        .mock("GET", &path)
        .with_body(FLOW_RUN_COMPLETED)
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
        "GET",
        &format!("/flow_runs/{COMPLETED_RUN_ID}"),
        &created_run("RUNNING", "Running"),
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
