//! retry_flow_run, set_flow_run_state, delete_flow_run, resume_flow_run, cancel_flow_runs: what
//! reaches Prefect, what a client that cannot be asked gets, and the operator's flag.

use mockito::Mock;
use serde_json::{json, Value};

use crate::fixtures::*;
use crate::harness::*;

fn result(status: &str, state: Value) -> String {
    let kind = format!("{}_details", status.to_lowercase());
    json!({"status": status, "details": {"type": kind, "reason": "a reason"}, "state": state})
        .to_string()
}

fn state_of(fixture: &str, type_: &str, name: &str) -> Value {
    parse(&run_in_state(fixture, type_, name))["state"].clone()
}

/// The failed run, readable and labelled.
async fn failed_run(h: &mut Harness) -> Mock {
    h.answer(
        "GET",
        &format!("/flow_runs/{FAILED_RUN_ID}"),
        FLOW_RUN_FAILED,
    )
    .await;
    h.mock("PATCH", &format!("/flow_runs/{FAILED_RUN_ID}/labels"))
        .match_body(mockito::Matcher::Json(
            json!({"prefect-mcp.actor": "prefect-mcp-server"}),
        ))
        .with_status(204)
        .create_async()
        .await
}

#[tokio::test]
async fn retry_sends_awaiting_retry_unforced_after_labelling_the_run() {
    let mut h = Harness::new().await;
    let labelled = failed_run(&mut h).await;
    let set_state = h
        .answer_to(
            "POST",
            &format!("/flow_runs/{FAILED_RUN_ID}/set_state"),
            json!({"state": {"type": "SCHEDULED", "name": "AwaitingRetry"}, "force": false}),
            &result(
                "ACCEPT",
                state_of(FLOW_RUN_FAILED, "SCHEDULED", "AwaitingRetry"),
            ),
        )
        .await;
    let done = h
        .ok("retry_flow_run", json!({"flow_run": FAILED_RUN_ID}))
        .await;
    labelled.assert_async().await;
    set_state.assert_async().await;
    assert_eq!(done["state"]["name"], "AwaitingRetry", "{done}");
    assert!(
        done["message"].as_str().unwrap().contains("FAILED"),
        "{done}"
    );
}

#[tokio::test]
async fn retry_of_an_unfinished_run_is_refused_and_a_rejection_is_explained() {
    let mut h = Harness::new().await;
    h.answer("GET", &format!("/flow_runs/{LATE_RUN_ID}"), FLOW_RUN_LATE)
        .await;
    let err = h
        .err("retry_flow_run", json!({"flow_run": LATE_RUN_ID}))
        .await;
    assert!(err.contains("only a finished run"), "{err}");

    let mut h = Harness::new().await;
    failed_run(&mut h).await;
    h.answer(
        "POST",
        &format!("/flow_runs/{FAILED_RUN_ID}/set_state"),
        &result("REJECT", Value::Null),
    )
    .await;
    let err = h
        .err("retry_flow_run", json!({"flow_run": FAILED_RUN_ID}))
        .await;
    assert!(
        err.contains("REJECT: a reason") && err.contains("Nothing was changed"),
        "{err}"
    );
}

#[tokio::test]
async fn forcing_a_state_needs_confirmation_or_the_flag() {
    let mut h = Harness::new().await;
    h.answer(
        "GET",
        &format!("/flow_runs/{FAILED_RUN_ID}"),
        FLOW_RUN_FAILED,
    )
    .await;
    let untouched = h
        .mock("POST", &format!("/flow_runs/{FAILED_RUN_ID}/set_state"))
        .expect(0)
        .create_async()
        .await;
    let err = h
        .err(
            "set_flow_run_state",
            json!({"flow_run": FAILED_RUN_ID, "state": "completed", "message": "fixed by hand"}),
        )
        .await;
    untouched.assert_async().await;
    assert!(
        err.contains("Force flow run \"seed-fail\" (FAILED")
            && err.contains("into COMPLETED with the message \"fixed by hand\"")
            && err.contains("--allow-unconfirmed-writes")
            && err.contains("nothing was changed"),
        "{err}"
    );

    let mut h = unconfirmed().await;
    failed_run(&mut h).await;
    let forced = h
        .answer_to(
            "POST",
            &format!("/flow_runs/{FAILED_RUN_ID}/set_state"),
            json!({"state": {"type": "COMPLETED", "message": "fixed by hand"}, "force": true}),
            &result(
                "ACCEPT",
                state_of(FLOW_RUN_FAILED, "COMPLETED", "Completed"),
            ),
        )
        .await;
    let done = h
        .ok(
            "set_flow_run_state",
            json!({"flow_run": FAILED_RUN_ID, "state": "completed", "message": "fixed by hand"}),
        )
        .await;
    forced.assert_async().await;
    assert_eq!(done["state"]["type"], "COMPLETED");
}

#[tokio::test]
async fn set_state_arguments_are_checked_first() {
    let mut h = Harness::new().await;
    let err = h
        .refused(
            "set_flow_run_state",
            json!({"flow_run": FAILED_RUN_ID, "state": "DONE"}),
        )
        .await;
    assert!(err.contains("not a Prefect state type"), "{err}");
    let err = h
        .refused(
            "set_flow_run_state",
            json!({"flow_run": FAILED_RUN_ID, "state": "cancelling"}),
        )
        .await;
    assert!(err.contains("cancel_flow_run"), "{err}");
}

#[tokio::test]
async fn delete_is_refused_without_confirmation_and_sent_with_the_flag() {
    let mut h = Harness::new().await;
    h.answer(
        "GET",
        &format!("/flow_runs/{FAILED_RUN_ID}"),
        FLOW_RUN_FAILED,
    )
    .await;
    let untouched = h
        .mock("DELETE", &format!("/flow_runs/{FAILED_RUN_ID}"))
        .expect(0)
        .create_async()
        .await;
    let err = h
        .err("delete_flow_run", json!({"flow_run": FAILED_RUN_ID}))
        .await;
    untouched.assert_async().await;
    assert!(
        err.contains("Delete flow run \"seed-fail\" (FAILED, ")
            && err.contains("UTC)? This cannot be undone."),
        "{err}"
    );

    let mut h = unconfirmed().await;
    h.answer(
        "GET",
        &format!("/flow_runs/{FAILED_RUN_ID}"),
        FLOW_RUN_FAILED,
    )
    .await;
    let deleted = h
        .mock("DELETE", &format!("/flow_runs/{FAILED_RUN_ID}"))
        .with_status(204)
        .create_async()
        .await;
    let done = h
        .ok("delete_flow_run", json!({"flow_run": FAILED_RUN_ID}))
        .await;
    deleted.assert_async().await;
    assert_eq!(
        (done["deleted"].clone(), done["name"].clone()),
        (json!(true), json!("seed-fail"))
    );
}

/// The failed run as PAUSED waiting for an Approval, and its schema as Prefect answers it
/// (plain text holding JSON).
async fn paused_for_input(h: &mut Harness) {
    paused_before_its_form_is_stored(h).await;
    h.prefect
        .mock(
            "GET",
            format!("/api/flow_runs/{FAILED_RUN_ID}/input/paused-1-schema").as_str(),
        )
        .with_header("content-type", "text/plain; charset=utf-8")
        .with_body(r#"{"additionalProperties":false,"properties":{"approved":{"description":"Whether the load may go ahead.","title":"Approved","type":"boolean"},"note":{"default":"no note","title":"Note","type":"string"}},"required":["approved"],"title":"Approval","type":"object"}"#)
        .create_async()
        .await;
}

/// The failed run as PAUSED waiting for an Approval whose form is not stored: a flow pauses
/// first and stores its form a moment later.
async fn paused_before_its_form_is_stored(h: &mut Harness) {
    let mut run = parse(FLOW_RUN_FAILED);
    run["state"]["type"] = "PAUSED".into();
    run["state"]["name"] = "Paused".into();
    run["state"]["state_details"]["run_input_keyset"] = json!({
        "schema": "paused-1-schema", "response": "paused-1-response",
        "description": "paused-1-description"
    });
    h.answer(
        "GET",
        &format!("/flow_runs/{FAILED_RUN_ID}"),
        &run.to_string(),
    )
    .await;
}

#[tokio::test]
async fn resume_waits_briefly_for_a_form_still_being_stored_then_says_to_try_again() {
    let mut h = Harness::new().await;
    paused_before_its_form_is_stored(&mut h).await;
    let tries = h
        .prefect
        .mock(
            "GET",
            format!("/api/flow_runs/{FAILED_RUN_ID}/input/paused-1-schema").as_str(),
        )
        .with_status(404)
        .with_body(r#"{"detail":"Flow run input not found"}"#)
        .expect_at_least(2)
        .create_async()
        .await;
    let untouched = h
        .mock("POST", &format!("/flow_runs/{FAILED_RUN_ID}/resume"))
        .expect(0)
        .create_async()
        .await;
    let err = h
        .err("resume_flow_run", json!({"flow_run": FAILED_RUN_ID}))
        .await;
    tries.assert_async().await;
    untouched.assert_async().await;
    assert!(
        err.contains("has just paused and has not stored the form")
            && err.contains("call resume_flow_run again in a few seconds"),
        "{err}"
    );
}

#[tokio::test]
async fn resume_names_each_input_field_when_it_cannot_ask_and_checks_run_input() {
    let mut h = Harness::new().await;
    paused_for_input(&mut h).await;
    let untouched = h
        .mock("POST", &format!("/flow_runs/{FAILED_RUN_ID}/resume"))
        .expect(0)
        .create_async()
        .await;
    let err = h
        .err("resume_flow_run", json!({"flow_run": FAILED_RUN_ID}))
        .await;
    assert!(
        err.contains("approved (boolean, required: Whether the load may go ahead.)")
            && err.contains("note (string, default \"no note\")"),
        "{err}"
    );
    let err = h
        .err(
            "resume_flow_run",
            json!({"flow_run": FAILED_RUN_ID, "run_input": {"approved": "yes", "extra": 1}}),
        )
        .await;
    untouched.assert_async().await;
    assert!(
        err.contains("extra is not one of its fields") && err.contains("approved must be boolean"),
        "{err}"
    );
}

#[tokio::test]
async fn resume_with_run_input_needs_a_person_or_the_flag() {
    // Pausing for input is Prefect's human gate: the model's values alone do not pass it.
    let mut h = Harness::new().await;
    paused_for_input(&mut h).await;
    let untouched = h
        .mock("POST", &format!("/flow_runs/{FAILED_RUN_ID}/resume"))
        .expect(0)
        .create_async()
        .await;
    let err = h
        .err(
            "resume_flow_run",
            json!({"flow_run": FAILED_RUN_ID, "run_input": {"approved": true}}),
        )
        .await;
    untouched.assert_async().await;
    assert!(
        err.contains(r#"with the input {"approved":true}"#)
            && err.contains("--allow-unconfirmed-writes"),
        "{err}"
    );

    let mut h = unconfirmed().await;
    paused_for_input(&mut h).await;
    h.mock("PATCH", &format!("/flow_runs/{FAILED_RUN_ID}/labels"))
        .with_status(204)
        .create_async()
        .await;
    let resumed = h
        .answer_to(
            "POST",
            &format!("/flow_runs/{FAILED_RUN_ID}/resume"),
            json!({"run_input": {"approved": true}}),
            &result("ACCEPT", state_of(FLOW_RUN_FAILED, "RUNNING", "Running")),
        )
        .await;
    let done = h
        .ok(
            "resume_flow_run",
            json!({"flow_run": FAILED_RUN_ID, "run_input": {"approved": true}}),
        )
        .await;
    resumed.assert_async().await;
    assert_eq!(done["run_input"], json!({"approved": true}));
}

#[tokio::test]
async fn resume_of_a_run_that_is_not_paused_is_refused() {
    let mut h = Harness::new().await;
    h.answer(
        "GET",
        &format!("/flow_runs/{FAILED_RUN_ID}"),
        FLOW_RUN_FAILED,
    )
    .await;
    let err = h
        .err("resume_flow_run", json!({"flow_run": FAILED_RUN_ID}))
        .await;
    assert!(err.contains("is not paused (it is FAILED)"), "{err}");
}
