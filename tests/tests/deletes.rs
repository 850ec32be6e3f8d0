//! delete_deployment and delete_flow against a real Prefect, on throwaway flows: the question
//! says what goes with each, nothing goes unasked, and what Prefect deleted (and kept) is read
//! back over REST.

mod writes_support;

use integration_tests::*;
use serde_json::{json, Value};
use writes_support::{unique, Rest};

/// A new flow with deployments named `deployments`; the flow's name and id, the deployments' ids.
async fn throwaway_flow(rest: &Rest, deployments: &[&str]) -> (String, String, Vec<String>) {
    let flow_name = unique("mcp-del-flow");
    let flow = rest
        .ok("POST", "/flows/", Some(json!({"name": flow_name})))
        .await;
    let mut ids = Vec::new();
    for name in deployments {
        let deployment = rest
            .ok(
                "POST",
                "/deployments/",
                Some(json!({"name": name, "flow_id": flow["id"]})),
            )
            .await;
        ids.push(deployment["id"].as_str().unwrap().to_string());
    }
    (flow_name, flow["id"].as_str().unwrap().to_string(), ids)
}

/// A run of the deployment created in `state` (nothing runs it: the deployment has no pool).
async fn run_in(rest: &Rest, deployment_id: &str, state: Value) -> String {
    let run = rest
        .ok(
            "POST",
            &format!("/deployments/{deployment_id}/create_flow_run"),
            Some(json!({"state": state})),
        )
        .await;
    run["id"].as_str().unwrap().to_string()
}

async fn status(rest: &Rest, path: &str) -> u16 {
    rest.send("GET", path, None).await.0
}

async fn unconfirmed() -> Session {
    connect_with(Launch::default().arg("--allow-unconfirmed-writes"))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_deployment_goes_with_its_scheduled_runs_and_its_other_runs_stay() {
    let (rest, s) = (Rest::new(), connect().await.unwrap());
    let (flow, _, ids) = throwaway_flow(&rest, &["nightly"]).await;
    let (name, id) = (format!("{flow}/nightly"), ids[0].clone());
    let scheduled = run_in(&rest, &id, json!({"type": "SCHEDULED"})).await;
    let completed = run_in(&rest, &id, json!({"type": "COMPLETED"})).await;

    let err = call_err(&s, "delete_deployment", json!({"deployment": name})).await;
    assert!(
        err.contains(&format!(
            "Delete deployment \"{name}\"? Its schedules and its 1 scheduled runs that never \
             ran go with it; its 1 other runs stay."
        )) && err.contains("nothing was changed"),
        "{err}"
    );
    assert_eq!(status(&rest, &format!("/deployments/{id}")).await, 200);

    let deleted = call_ok(
        &unconfirmed().await,
        "delete_deployment",
        json!({"deployment": name}),
    )
    .await;
    assert_eq!(
        (deleted["deleted"].clone(), deleted["id"].clone()),
        (json!(true), json!(id))
    );
    assert_eq!(status(&rest, &format!("/deployments/{id}")).await, 404);
    assert_eq!(status(&rest, &format!("/flow_runs/{scheduled}")).await, 404);
    assert_eq!(rest.flow_run(&completed).await["deployment_id"], json!(id));

    let err = call_err(&s, "delete_deployment", json!({"deployment": id})).await;
    assert!(err.contains("Not found"), "{err}");
}

#[tokio::test]
async fn a_flow_goes_with_its_deployments_and_every_run_named_in_the_question() {
    let (rest, s) = (Rest::new(), connect().await.unwrap());
    let (flow, flow_id, ids) = throwaway_flow(&rest, &["daily", "hourly"]).await;
    let run = run_in(&rest, &ids[0], json!({"type": "FAILED"})).await;

    let err = call_err(&s, "delete_flow", json!({"flow": flow})).await;
    assert!(
        err.contains(&format!(
            "Delete flow \"{flow}\"? Prefect deletes with it its deployments \"{flow}/daily\", \
             \"{flow}/hourly\" and all 1 of its flow runs with their task runs"
        )) && err.contains("nothing was changed"),
        "{err}"
    );
    assert_eq!(status(&rest, &format!("/flows/{flow_id}")).await, 200);

    let deleted = call_ok(
        &unconfirmed().await,
        "delete_flow",
        json!({"flow": flow_id}),
    )
    .await;
    assert_eq!(deleted["name"], json!(flow), "{deleted}");
    for path in [
        format!("/flows/{flow_id}"),
        format!("/deployments/{}", ids[0]),
        format!("/deployments/{}", ids[1]),
        format!("/flow_runs/{run}"),
    ] {
        assert_eq!(status(&rest, &path).await, 404, "{path}");
    }
    let err = call_err(&s, "delete_flow", json!({"flow": flow})).await;
    assert!(err.contains("Not found"), "{err}");
}
