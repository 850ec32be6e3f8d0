//! set_deployment_schedule and delete_deployment_schedule against a real Prefect, on a
//! throwaway deployment; every effect is read back over REST.

mod writes_support;

use integration_tests::*;
use serde_json::{json, Value};
use writes_support::{unique, Rest};

/// A deployment of a new flow, with no schedule; its full name and id.
async fn throwaway_deployment(rest: &Rest) -> (String, String) {
    let flow_name = unique("mcp-sched-flow");
    let flow = rest
        .ok("POST", "/flows/", Some(json!({"name": flow_name})))
        .await;
    let deployment = rest
        .ok(
            "POST",
            "/deployments/",
            Some(json!({"name": "nightly", "flow_id": flow["id"]})),
        )
        .await;
    (
        format!("{flow_name}/nightly"),
        deployment["id"].as_str().unwrap().to_string(),
    )
}

async fn schedules(rest: &Rest, id: &str) -> Vec<Value> {
    rest.get(&format!("/deployments/{id}/schedules"))
        .await
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn a_schedule_is_added_moved_paused_and_removed() {
    let (rest, s) = (Rest::new(), connect().await.unwrap());
    let (name, id) = throwaway_deployment(&rest).await;

    let added = call_ok(
        &s,
        "set_deployment_schedule",
        json!({"deployment": name, "cron": "0 2 * * *", "timezone": "America/Chicago"}),
    )
    .await;
    assert_eq!(added["added"], true, "{added}");
    let schedule_id = added["schedule"]["id"].as_str().unwrap().to_string();
    let stored = schedules(&rest, &id).await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0]["schedule"]["cron"], "0 2 * * *");

    // "Move it to 3am": the timezone stays, though Prefect's PATCH would drop it.
    let moved = call_ok(
        &s,
        "set_deployment_schedule",
        json!({"deployment": name, "schedule_id": schedule_id, "cron": "0 3 * * *"}),
    )
    .await;
    assert_eq!(moved["previous"]["cron"], "0 2 * * *", "{moved}");
    let stored = schedules(&rest, &id).await;
    assert_eq!(stored[0]["schedule"]["cron"], "0 3 * * *");
    assert_eq!(stored[0]["schedule"]["timezone"], "America/Chicago");

    let paused = call_ok(
        &s,
        "set_deployment_schedule",
        json!({"deployment": id, "schedule_id": schedule_id, "active": false}),
    )
    .await;
    assert_eq!(paused["schedule"]["active"], false, "{paused}");
    let stored = schedules(&rest, &id).await;
    assert_eq!(stored[0]["active"], false);
    assert_eq!(stored[0]["schedule"]["cron"], "0 3 * * *");

    // Removing asks a person: unasked, the schedule stays.
    let err = call_err(
        &s,
        "delete_deployment_schedule",
        json!({"deployment": name, "schedule_id": schedule_id}),
    )
    .await;
    assert!(
        err.contains("Remove the schedule cron \"0 3 * * *\" in \"America/Chicago\", paused")
            && err.contains("nothing was changed"),
        "{err}"
    );
    assert_eq!(schedules(&rest, &id).await.len(), 1);
    let allowed = connect_with(Launch::default().arg("--allow-unconfirmed-writes"))
        .await
        .unwrap();
    let removed = call_ok(
        &allowed,
        "delete_deployment_schedule",
        json!({"deployment": name, "schedule_id": schedule_id}),
    )
    .await;
    assert_eq!(removed["schedules"], json!([]), "{removed}");
    assert!(schedules(&rest, &id).await.is_empty());

    let err = call_err(
        &s,
        "set_deployment_schedule",
        json!({"deployment": name, "schedule_id": schedule_id, "active": true}),
    )
    .await;
    assert!(err.contains("no schedule"), "{err}");
    rest.ok("DELETE", &format!("/deployments/{id}"), None).await;
}
