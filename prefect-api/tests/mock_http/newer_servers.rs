//! Responses from newer servers (unknown fields, unknown state types) still decode.

use mockito::Server;
use prefect_api::{types, PrefectCall};
use serde_json::{json, Value};

use crate::support::fast_client;

/// A finished flow run exactly as Prefect 3.8.8 returned it from `POST /flow_runs/filter`.
const FLOW_RUN_3_8_8: &str = r#"{
    "id": "3c2deb49-16cd-4e7d-837a-6ad9384eff6f",
    "created": "2026-11-25T18:47:50.657605Z",
    "updated": "2026-11-25T18:47:54.818000Z",
    "name": "seed-hello",
    "flow_id": "d6e8a51e-a8a9-43d1-bbef-4f70221230b4",
    "state_id": "01a21409-2aba-7b2e-a6c7-c771eeec7c28",
    "deployment_id": "d7091cb8-0161-4936-af9c-54c68d85ee6e",
    "deployment_version": "7f96178ff6cd8879a2fdfd9ccc684740",
    "work_queue_id": null,
    "work_queue_name": null,
    "flow_version": "7f96178ff6cd8879a2fdfd9ccc684740",
    "parameters": {
        "who": "seed"
    },
    "idempotency_key": "xtask-seed:seed-hello",
    "context": {},
    "empirical_policy": {
        "max_retries": 0,
        "retry_delay_seconds": 0.0,
        "retries": 0,
        "retry_delay": 0,
        "pause_keys": [],
        "resuming": false,
        "retry_type": null
    },
    "tags": [
        "mcp-demo",
        "seed",
        "fast"
    ],
    "labels": {
        "prefect.flow.id": "d6e8a51e-a8a9-43d1-bbef-4f70221230b4",
        "prefect.deployment.id": "d7091cb8-0161-4936-af9c-54c68d85ee6e"
    },
    "parent_task_run_id": null,
    "state_type": "COMPLETED",
    "state_name": "Completed",
    "run_count": 1,
    "expected_start_time": "2026-11-25T18:47:50.657446Z",
    "next_scheduled_start_time": null,
    "start_time": "2026-11-25T18:47:54.674643Z",
    "end_time": "2026-11-25T18:47:54.810907Z",
    "total_run_time": 0.136264,
    "estimated_run_time": 0.136264,
    "estimated_start_time_delta": 4.017197,
    "auto_scheduled": false,
    "infrastructure_document_id": null,
    "infrastructure_pid": null,
    "created_by": null,
    "work_pool_id": null,
    "work_pool_name": null,
    "state": {
        "id": "01a21409-2aba-7b2e-a6c7-c771eeec7c28",
        "type": "COMPLETED",
        "name": "Completed",
        "timestamp": "2026-11-25T18:47:54.810907Z",
        "message": null,
        "data": null,
        "state_details": {
            "flow_run_id": "3c2deb49-16cd-4e7d-837a-6ad9384eff6f",
            "task_run_id": null,
            "child_flow_run_id": null,
            "scheduled_time": null,
            "cache_key": null,
            "cache_expiration": null,
            "deferred": null,
            "untrackable_result": false,
            "pause_timeout": null,
            "pause_reschedule": false,
            "pause_key": null,
            "run_input_keyset": null,
            "refresh_cache": null,
            "retriable": null,
            "transition_id": "c553f3da-815b-4a3f-86c7-00402f07b903",
            "task_parameters_id": null,
            "traceparent": null,
            "deployment_concurrency_lease_id": null
        }
    },
    "job_variables": {}
}"#;

fn flow_run_body() -> Value {
    serde_json::from_str(FLOW_RUN_3_8_8).expect("the fixture is JSON")
}

#[tokio::test]
async fn flow_run_with_unknown_fields_and_state_type_still_decodes() {
    let mut run = flow_run_body();
    run["state_type"] = json!("SOMETHING_NEW");
    run["state"]["type"] = json!("SOMETHING_NEW");
    run["a_field_from_prefect_4"] = json!({"nested": [1, 2, 3]});
    run["state"]["state_details"]["another_new_field"] = json!(true);
    run["empirical_policy"]["retry_type"] = json!("exponential_jitter");
    run["created_by"] = json!({"id": null, "type": "NEW_CREATOR_KIND", "display_value": "x"});

    let mut server = Server::new_async().await;
    let run_id = run["id"].as_str().unwrap().to_string();
    let mock = server
        .mock("GET", format!("/api/flow_runs/{run_id}").as_str())
        .with_header("content-type", "application/json")
        .with_body(run.to_string())
        .expect(1)
        .create_async()
        .await;
    let client = fast_client(&server).build().unwrap();

    let decoded: types::FlowRunResponse = client
        .read_flow_run(&run_id.parse().unwrap())
        .value()
        .await
        .expect("a newer server's flow run decodes");

    mock.assert_async().await;
    assert_eq!(decoded.name.as_deref(), Some("seed-hello"));
    assert_eq!(
        decoded.state_type.as_deref().map(String::as_str),
        Some("SOMETHING_NEW")
    );
    assert_eq!(decoded.state.unwrap().type_.as_str(), "SOMETHING_NEW");
}
