//! cancel_flow_runs and the deployment writes (pause, resume, update).

use mockito::Matcher;
use serde_json::json;

use crate::fixtures::*;
use crate::harness::*;

/// Two unfinished runs of the late deployment, as /flow_runs/filter answers them.
pub(crate) async fn two_late_runs(h: &mut Harness) {
    let second = with(
        FLOW_RUN_LATE,
        json!({"id": "cb1e27fc-20a6-4a79-8e9f-cc8eb0486059", "name": "seed-late-2"}),
    );
    h.answer(
        "POST",
        "/flow_runs/filter",
        &list(&[FLOW_RUN_LATE.to_string(), second]),
    )
    .await;
}

#[tokio::test]
async fn cancel_flow_runs_states_the_count_and_changes_nothing_unconfirmed() {
    let mut h = Harness::new().await;
    two_late_runs(&mut h).await;
    let untouched = h
        .prefect
        .mock("POST", Matcher::Regex("/set_state$".into()))
        .expect(0)
        .create_async()
        .await;
    let err = h
        .err(
            "cancel_flow_runs",
            json!({"state": "scheduled", "filter_criteria": {"tags": {"all_": ["seed"]}}}),
        )
        .await;
    untouched.assert_async().await;
    assert!(
        err.contains("Cancel 2 SCHEDULED runs: \"seed-late\", \"seed-late-2\"?")
            && err.contains("nothing was changed"),
        "{err}"
    );
}

#[tokio::test]
async fn cancel_flow_runs_with_the_flag_cancels_each_run() {
    let mut h = unconfirmed().await;
    two_late_runs(&mut h).await;
    h.prefect
        .mock("PATCH", Matcher::Regex("/labels$".into()))
        .with_status(204)
        .expect(2)
        .create_async()
        .await;
    let mut cancelled = parse(FLOW_RUN_LATE)["state"].clone();
    cancelled["type"] = "CANCELLED".into();
    let answer = json!({"status": "REJECT", "state": cancelled,
        "details": {"type": "reject_details", "reason": "cancelled before it started"}});
    let set_state = h
        .prefect
        .mock("POST", Matcher::Regex("/set_state$".into()))
        .match_body(Matcher::PartialJson(
            json!({"state": {"type": "CANCELLING"}}),
        ))
        .with_header("content-type", "application/json")
        .with_body(answer.to_string())
        .expect(2)
        .create_async()
        .await;
    let done = h
        .ok(
            "cancel_flow_runs",
            json!({"filter_criteria": {"tags": {"all_": ["seed"]}}}),
        )
        .await;
    set_state.assert_async().await;
    assert_eq!(
        (done["matched"].clone(), done["cancelled"].clone()),
        (json!(2), json!(2))
    );
    assert_eq!(done["runs"][0]["outcome"], "CANCELLED", "{done}");
}

#[tokio::test]
async fn cancel_flow_runs_arguments_are_checked_first() {
    let mut h = Harness::new().await;
    let err = h.refused("cancel_flow_runs", json!({})).await;
    assert!(
        err.contains("deployment, state or filter_criteria"),
        "{err}"
    );
    let err = h
        .refused("cancel_flow_runs", json!({"state": "COMPLETED"}))
        .await;
    assert!(err.contains("finished runs cannot be cancelled"), "{err}");
    let err = h
        .refused(
            "cancel_flow_runs",
            json!({"filter_criteria": {"name": {"equals": "x"}}}),
        )
        .await;
    assert!(err.contains("filter_criteria.flow_runs.name"), "{err}");
}

#[tokio::test]
async fn nothing_to_cancel_asks_nothing() {
    let mut h = Harness::new().await;
    h.answer("POST", "/flow_runs/filter", "[]").await;
    let done = h.ok("cancel_flow_runs", json!({"state": "RUNNING"})).await;
    assert_eq!(done["matched"], 0, "{done}");
}

pub(crate) async fn params_deployment(h: &mut Harness) {
    let deployment = with(
        DEPLOYMENT_PARAMS,
        json!({"parameters": {"n": 2}, "paused": true}),
    );
    h.answer(
        "GET",
        &format!("/deployments/{PARAMS_DEPLOYMENT_ID}"),
        &deployment,
    )
    .await;
    let flow_id = parse(DEPLOYMENT_PARAMS)["flow_id"].clone();
    h.answer(
        "GET",
        &format!("/flows/{}", flow_id.as_str().unwrap()),
        &with(FLOW, json!({"id": flow_id, "name": "mcp-params"})),
    )
    .await;
}

#[tokio::test]
async fn update_deployment_sends_only_the_changed_fields() {
    // Unasked, nothing is sent; the question shows each old and new value.
    let mut h = Harness::new().await;
    params_deployment(&mut h).await;
    let watch = h.watch_for_requests().await;
    let err = h
        .err(
            "update_deployment",
            json!({"deployment": PARAMS_DEPLOYMENT_ID, "parameters": {"who": "mcp"},
                   "tags": [], "concurrency_limit": 0}),
        )
        .await;
    assert!(
        watch.sent().iter().all(|r| r.starts_with("GET")),
        "{:?}",
        watch.sent()
    );
    assert!(
        err.contains(r#"Change deployment "mcp-params/params": parameters: {"n":2} -> {"n":2,"who":"mcp"}; tags: ["mcp-demo","params"] -> []?"#),
        "{err}"
    );

    // Allowed: the fields that change, and only those (it had no limit to remove).
    let mut h = unconfirmed().await;
    params_deployment(&mut h).await;
    let patch = body_where(
        h.mock("PATCH", &format!("/deployments/{PARAMS_DEPLOYMENT_ID}")),
        |body| body == &json!({"parameters": {"n": 2, "who": "mcp"}, "tags": []}),
    )
    .with_status(204)
    .create_async()
    .await;
    let done = h
        .ok(
            "update_deployment",
            json!({"deployment": PARAMS_DEPLOYMENT_ID, "parameters": {"who": "mcp"},
                   "tags": [], "concurrency_limit": 0}),
        )
        .await;
    patch.assert_async().await;
    assert_eq!(done["deployment_name"], "mcp-params/params");
    assert_eq!(done["paused"], true, "{done}");
    assert_eq!(done["changed"], json!(["parameters", "tags"]));
}

#[tokio::test]
async fn update_deployment_checks_its_arguments_and_the_flows_parameters() {
    let mut h = Harness::new().await;
    let err = h
        .refused(
            "update_deployment",
            json!({"deployment": PARAMS_DEPLOYMENT_ID}),
        )
        .await;
    assert!(err.contains("nothing to change"), "{err}");
    let err = h
        .refused(
            "update_deployment",
            json!({"deployment": PARAMS_DEPLOYMENT_ID, "concurrency_limit": -1}),
        )
        .await;
    assert!(err.contains("concurrency_limit must be between 0"), "{err}");
    params_deployment(&mut h).await;
    let untouched = h
        .mock("PATCH", &format!("/deployments/{PARAMS_DEPLOYMENT_ID}"))
        .expect(0)
        .create_async()
        .await;
    let err = h
        .err(
            "update_deployment",
            json!({"deployment": PARAMS_DEPLOYMENT_ID, "parameters": {"n": "three"}}),
        )
        .await;
    assert!(err.contains("n (integer)"), "{err}");
    let err = h
        .err(
            "update_deployment",
            json!({"deployment": PARAMS_DEPLOYMENT_ID, "parameters": {"bogus": 1}}),
        )
        .await;
    untouched.assert_async().await;
    assert!(err.contains("no parameter named bogus"), "{err}");
}

#[tokio::test]
async fn pause_deployment_by_name_posts_pause() {
    let mut h = Harness::new().await;
    h.answer("GET", "/deployments/name/mcp-hello/hello", DEPLOYMENT)
        .await;
    h.answer("GET", &format!("/flows/{FLOW_ID}"), FLOW).await;
    let paused = h
        .answer(
            "POST",
            &format!("/deployments/{DEPLOYMENT_ID}/pause_deployment"),
            "null",
        )
        .await;
    let done = h
        .ok("pause_deployment", json!({"deployment": "mcp-hello/hello"}))
        .await;
    paused.assert_async().await;
    assert_eq!(
        (done["paused"].clone(), done["deployment_name"].clone()),
        (json!(true), json!("mcp-hello/hello"))
    );
    let err = h
        .refused("resume_deployment", json!({"deployment": "no-slash"}))
        .await;
    assert!(err.contains("neither a UUID nor a name"), "{err}");
}
