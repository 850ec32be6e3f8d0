//! Typed calls against a real Prefect server with the sample world (`cargo xtask test` starts
//! one). Nothing here is skipped: without a server every test fails and says how to get one.
//!
//! Only behaviour common to every supported Prefect 3.x release is asserted (the suite also runs
//! against 3.4.25).

use std::path::PathBuf;

use prefect_api::{types, Client, PrefectCall, PrefectError};
use serde_json::Value;
use uuid::Uuid;

const HELLO_FLOW: &str = "mcp-hello";
const HELLO_DEPLOYMENT: &str = "hello";
const UNICODE_FLOW: &str = "mcp ünïcode flow";
const UNICODE_DEPLOYMENT: &str = "ünïcode deployment";

/// `PREFECT_API_URL`, else the server `cargo xtask prefect up` recorded in
/// `target/prefect/state.json`.
fn api_url() -> String {
    if let Ok(url) = std::env::var("PREFECT_API_URL") {
        if !url.trim().is_empty() {
            return url;
        }
    }
    let state = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/prefect/state.json");
    std::fs::read_to_string(&state)
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .and_then(|state| state["api_url"].as_str().map(String::from))
        .unwrap_or_else(|| {
            panic!(
                "no Prefect server to test against: PREFECT_API_URL is unset and {} has no \
                 api_url. Run the suite with `cargo xtask test`, which starts Prefect with the \
                 sample world.",
                state.display()
            )
        })
}

fn client() -> Client {
    Client::builder(api_url()).build().expect("a valid API URL")
}

async fn flow_named(client: &Client, name: &str) -> types::Flow {
    client
        .read_flow_by_name(name)
        .value()
        .await
        .unwrap_or_else(|e| panic!("flow {name:?} of the sample world: {e}"))
}

async fn hello_deployment(client: &Client) -> types::DeploymentResponse {
    client
        .read_deployment_by_name(HELLO_FLOW, HELLO_DEPLOYMENT)
        .value()
        .await
        .expect("deployment mcp-hello/hello of the sample world")
}

fn flow_runs_named(names: &[&str]) -> types::FlowRunFilter {
    types::FlowRunFilter {
        name: Some(types::FlowRunFilterName {
            any: Some(names.iter().map(|n| n.to_string()).collect()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The seeded `seed-hello` run, which finished COMPLETED.
async fn seed_hello_run(client: &Client) -> types::FlowRunResponse {
    let body = types::BodyReadFlowRunsFlowRunsFilterPost {
        flow_runs: Some(flow_runs_named(&["seed-hello"])),
        limit: Some(1),
        ..Default::default()
    };
    let runs = client.read_flow_runs(&body).value().await.unwrap();
    runs.into_iter()
        .next()
        .expect("the sample world has a seed-hello run")
}

#[tokio::test]
async fn read_version_is_a_prefect_3_release() {
    let version = client().read_version().value().await.unwrap();
    assert!(version.starts_with("3."), "{version}");
}

#[tokio::test]
async fn server_version_is_the_rest_api_version() {
    let version = client().server_version().value().await.unwrap();
    let parts: Vec<&str> = version.split('.').collect();
    assert_eq!(parts.len(), 3, "{version}");
    assert!(parts.iter().all(|p| p.parse::<u32>().is_ok()), "{version}");
}

#[tokio::test]
async fn read_flows_filters_by_name_and_honours_limit() {
    let client = client();
    let by_name = types::BodyReadFlowsFlowsFilterPost {
        flows: Some(types::FlowFilter {
            name: Some(types::FlowFilterName {
                any: Some(vec![HELLO_FLOW.into(), "mcp-fail".into()]),
                ..Default::default()
            }),
            ..Default::default()
        }),
        sort: Some(types::FlowSort("NAME_ASC".into())),
        limit: Some(10),
        ..Default::default()
    };
    let flows = client.read_flows(&by_name).value().await.unwrap();
    let names: Vec<&str> = flows.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["mcp-fail", HELLO_FLOW]);

    let one = types::BodyReadFlowsFlowsFilterPost {
        limit: Some(1),
        ..Default::default()
    };
    assert_eq!(client.read_flows(&one).value().await.unwrap().len(), 1);
}

#[tokio::test]
async fn flow_read_by_name_is_the_flow_read_by_id() {
    let client = client();
    let by_name = flow_named(&client, HELLO_FLOW).await;
    let by_id = client.read_flow(&by_name.id).value().await.unwrap();
    assert_eq!(by_id, by_name);
    assert_eq!(by_id.name, HELLO_FLOW);
}

#[tokio::test]
async fn names_with_spaces_and_unicode_are_path_encoded() {
    let client = client();
    let flow = flow_named(&client, UNICODE_FLOW).await;
    assert_eq!(flow.name, UNICODE_FLOW);

    let deployment = client
        .read_deployment_by_name(UNICODE_FLOW, UNICODE_DEPLOYMENT)
        .value()
        .await
        .unwrap();
    assert_eq!(deployment.name, UNICODE_DEPLOYMENT);
    assert_eq!(deployment.flow_id, flow.id);
}

#[tokio::test]
async fn missing_flow_is_not_found() {
    let err = client()
        .read_flow_by_name("no-such-flow")
        .value()
        .await
        .unwrap_err();
    assert!(matches!(err, PrefectError::NotFound { .. }), "{err:?}");
    assert!(err.to_string().contains("Flow not found"), "{err}");
}

#[tokio::test]
async fn deployment_read_by_name_is_the_deployment_read_by_id() {
    let client = client();
    let flow = flow_named(&client, HELLO_FLOW).await;
    let by_name = hello_deployment(&client).await;
    assert_eq!(by_name.name, HELLO_DEPLOYMENT);
    assert_eq!(by_name.flow_id, flow.id);

    let by_id = client.read_deployment(&by_name.id).value().await.unwrap();
    assert_eq!(by_id.id, by_name.id);
    assert_eq!(by_id.name, by_name.name);
    assert_eq!(by_id.flow_id, by_name.flow_id);
}

#[tokio::test]
async fn read_deployments_filters_by_flow_name() {
    let body = types::BodyReadDeploymentsDeploymentsFilterPost {
        flows: Some(types::FlowFilter {
            name: Some(types::FlowFilterName {
                any: Some(vec!["mcp-scheduled".into()]),
                ..Default::default()
            }),
            ..Default::default()
        }),
        limit: Some(50),
        ..Default::default()
    };
    let deployments = client().read_deployments(&body).value().await.unwrap();
    let mut names: Vec<&str> = deployments.iter().map(|d| d.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["hourly", "paused-schedule"]);
    let paused = deployments
        .iter()
        .find(|d| d.name == "paused-schedule")
        .unwrap();
    assert!(paused.paused);
}

#[tokio::test]
async fn flow_run_from_filter_is_the_flow_run_read_by_id() {
    let client = client();
    let listed = seed_hello_run(&client).await;
    assert_eq!(listed.name.as_deref(), Some("seed-hello"));
    assert_eq!(
        listed.state_type.as_deref().map(String::as_str),
        Some("COMPLETED")
    );

    let read = client.read_flow_run(&listed.id).value().await.unwrap();
    assert_eq!(read.id, listed.id);
    assert_eq!(read.name, listed.name);
    assert_eq!(read.flow_id, listed.flow_id);
    assert_eq!(read.state_type, listed.state_type);
}

#[tokio::test]
async fn count_flow_runs_agrees_with_the_filtered_list() {
    let client = client();
    let seeded = flow_runs_named(&["seed-hello", "seed-fail"]);
    let count = client
        .count_flow_runs(&types::BodyCountFlowRunsFlowRunsCountPost {
            flow_runs: Some(seeded.clone()),
            ..Default::default()
        })
        .value()
        .await
        .unwrap();
    let listed = client
        .read_flow_runs(&types::BodyReadFlowRunsFlowRunsFilterPost {
            flow_runs: Some(seeded),
            limit: Some(200),
            ..Default::default()
        })
        .value()
        .await
        .unwrap();
    assert!(count >= 2, "seed-hello and seed-fail exist: {count}");
    assert_eq!(count, listed.len() as i64);
}

#[tokio::test]
async fn create_flow_run_from_deployment_decodes_the_created_run() {
    let client = client();
    let deployment = hello_deployment(&client).await;
    let name = format!("prefect-api-test-{}", Uuid::new_v4());
    let body = types::DeploymentFlowRunCreate {
        name: Some(name.clone()),
        idempotency_key: Some(name.clone()),
        tags: vec!["prefect-api-test".into()],
        ..Default::default()
    };

    let run = client
        .create_flow_run_from_deployment(&deployment.id, &body)
        .value()
        .await
        .expect("201 Created decodes as a flow run");

    assert_eq!(run.name.as_deref(), Some(name.as_str()));
    assert_eq!(run.deployment_id, Some(deployment.id));
    assert_eq!(run.flow_id, deployment.flow_id);
    assert!(run.tags.iter().any(|t| t == "prefect-api-test"), "{run:?}");
}

#[tokio::test]
async fn cancelling_a_finished_run_is_aborted_with_a_reason() {
    let client = client();
    let finished = seed_hello_run(&client).await;
    let body = types::BodySetFlowRunStateFlowRunsIdSetStatePost {
        force: false,
        state: types::StateCreate {
            type_: types::StateType("CANCELLING".into()),
            name: None,
            message: None,
            data: None,
            state_details: None,
        },
    };

    let result = client
        .set_flow_run_state(&finished.id, &body)
        .value()
        .await
        .unwrap();

    assert_eq!(result.status.as_str(), "ABORT");
    let types::OrchestrationResultDetails::AbortDetails(details) = &result.details else {
        panic!("expected abort details, got {:?}", result.details);
    };
    let reason = details.reason.as_deref().unwrap_or_default();
    assert!(
        reason.contains("terminal state"),
        "an ABORT says why: {details:?}"
    );
    let after = client.read_flow_run(&finished.id).value().await.unwrap();
    assert_eq!(
        after.state_type, finished.state_type,
        "the run is unchanged"
    );
}

#[test]
fn request_filters_reject_unknown_keys_before_sending() {
    let misspelt = r#"{"flows": {"name": {"equals": "x"}}}"#;
    let parsed = serde_json::from_str::<types::BodyReadFlowsFlowsFilterPost>(misspelt);
    let err = parsed.expect_err("`equals` is not a Prefect filter operator");
    assert!(err.to_string().contains("equals"), "{err}");

    let valid = r#"{"flows": {"name": {"any_": ["x"]}}}"#;
    serde_json::from_str::<types::BodyReadFlowsFlowsFilterPost>(valid).expect("any_ is known");
}
