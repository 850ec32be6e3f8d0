//! set_deployment_schedule and delete_deployment_schedule: a schedule is added as the list
//! Prefect wants; a change sends the old timezone along with a new timing (Prefect's PATCH
//! replaces the whole schedule) and only the fields given; removing one asks first.

use serde_json::{json, Value};

use crate::fixtures::*;
use crate::harness::*;

const SCHEDULE_ID: &str = "0c5e2f1a-9b8d-4c7e-a6f5-3d2c1b0a9e8f";

fn schedules() -> String {
    json!([{
        "id": SCHEDULE_ID, "active": true, "max_scheduled_runs": null, "parameters": {},
        "slug": null, "deployment_id": DEPLOYMENT_ID,
        "schedule": {"cron": "0 2 * * *", "timezone": "America/Chicago", "day_or": true},
        "created": null, "updated": null
    }])
    .to_string()
}

async fn deployment(h: &mut Harness) {
    h.answer("GET", &format!("/deployments/{DEPLOYMENT_ID}"), DEPLOYMENT)
        .await;
    h.answer("GET", &format!("/flows/{FLOW_ID}"), FLOW).await;
    h.answer(
        "GET",
        &format!("/deployments/{DEPLOYMENT_ID}/schedules"),
        &schedules(),
    )
    .await;
}

#[tokio::test]
async fn a_new_schedule_is_posted_as_a_list() {
    let mut h = Harness::new().await;
    deployment(&mut h).await;
    let add = body_where(
        h.mock("POST", &format!("/deployments/{DEPLOYMENT_ID}/schedules")),
        |b| {
            b == &json!([{"active": true,
                          "schedule": {"interval": 900.0, "timezone": "UTC"}}])
        },
    )
    .with_status(201)
    .with_body(
        json!([{"id": SCHEDULE_ID, "active": true, "deployment_id": DEPLOYMENT_ID,
                "schedule": {"interval": 900.0, "timezone": "UTC",
                             "anchor_date": "2026-12-01T00:00:00Z"},
                "created": null, "updated": null, "parameters": {}, "slug": null,
                "max_scheduled_runs": null}])
        .to_string(),
    )
    .create_async()
    .await;
    let set = h
        .ok(
            "set_deployment_schedule",
            json!({"deployment": DEPLOYMENT_ID, "interval_seconds": 900, "timezone": "UTC"}),
        )
        .await;
    add.assert_async().await;
    assert_eq!(set["added"], true);
    assert_eq!(set["schedule"]["interval_seconds"], 900.0);
}

#[tokio::test]
async fn a_new_cron_keeps_the_old_timezone_and_active_alone_sends_only_active() {
    let mut h = Harness::new().await;
    deployment(&mut h).await;
    let path = format!("/deployments/{DEPLOYMENT_ID}/schedules/{SCHEDULE_ID}");
    let patch = body_where(h.mock("PATCH", &path), |b: &Value| {
        b == &json!({"schedule": {"cron": "0 3 * * *", "timezone": "America/Chicago",
                                  "day_or": true}})
    })
    .with_status(204)
    .create_async()
    .await;
    let set = h
        .ok(
            "set_deployment_schedule",
            json!({"deployment": DEPLOYMENT_ID, "schedule_id": SCHEDULE_ID, "cron": "0 3 * * *"}),
        )
        .await;
    patch.assert_async().await;
    assert_eq!(set["added"], false);
    assert_eq!(set["previous"]["cron"], "0 2 * * *");

    let mut h = Harness::new().await;
    deployment(&mut h).await;
    let patch = body_where(h.mock("PATCH", &path), |b: &Value| {
        b == &json!({"active": false})
    })
    .with_status(204)
    .create_async()
    .await;
    h.ok(
        "set_deployment_schedule",
        json!({"deployment": DEPLOYMENT_ID, "schedule_id": SCHEDULE_ID, "active": false}),
    )
    .await;
    patch.assert_async().await;
}

#[tokio::test]
async fn bad_timings_and_unknown_schedules_are_explained() {
    let mut h = Harness::new().await;
    let watch = h.watch_for_requests().await;
    for (arguments, expected) in [
        (json!({"cron": "3am"}), "5 fields"),
        (
            json!({"cron": "0 3 * * *", "rrule": "FREQ=DAILY"}),
            "only one of",
        ),
        (json!({"interval_seconds": 0}), "1 second or more"),
        (json!({"timezone": "UTC"}), "needs one of cron"),
        (
            json!({"cron": "0 3 * * *", "timezone": "Paris; x"}),
            "IANA timezone",
        ),
    ] {
        let mut arguments = arguments;
        arguments["deployment"] = json!(DEPLOYMENT_ID);
        let err = h.err("set_deployment_schedule", arguments.clone()).await;
        assert!(err.contains(expected), "{arguments}: {err}");
    }
    watch.assert_nothing_sent();

    let mut h = Harness::new().await;
    deployment(&mut h).await;
    let err = h
        .err(
            "delete_deployment_schedule",
            json!({"deployment": DEPLOYMENT_ID, "schedule_id": DEPLOYMENT_ID}),
        )
        .await;
    assert!(
        err.contains("no schedule") && err.contains("get_deployment_by_name"),
        "{err}"
    );
    let err = h
        .err(
            "delete_deployment_schedule",
            json!({"deployment": DEPLOYMENT_ID, "schedule_id": SCHEDULE_ID}),
        )
        .await;
    assert!(
        err.contains("Remove the schedule cron \"0 2 * * *\" in \"America/Chicago\"")
            && err.contains("--allow-unconfirmed-writes"),
        "{err}"
    );
}
