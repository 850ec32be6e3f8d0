//! Every destructive tool (the router's own `destructiveHint`, not a list kept here) asks a
//! person before it changes anything, in every way a client can be: nothing is written to
//! Prefect before the last answer; a "yes" writes, a "no" or a dismissal writes nothing, and a
//! client that cannot be asked writes nothing (but cancel_flow_run, whose documented contract
//! acts). Answers nobody asked for count for nothing.

use mockito::Matcher;
use prefect_mcp_server::mcp::ServerOptions;
use serde_json::{json, Value};

use crate::fixtures::*;
use crate::harness::*;
use crate::person::{Answer, Era, Person};
use crate::writes::{params_deployment, two_late_runs};

const VARIABLE: &str = r#"{"id": "6a0c8a55-31b4-4c4a-9a0e-0cf0a3a0e1aa", "name": "limits",
    "value": {"max": 3}, "tags": ["ops"], "created": "2026-12-01T10:00:00Z",
    "updated": "2026-12-01T10:00:00Z"}"#;

/// Whether a request to Prefect changes something (filters and counts are reads sent as POST).
fn is_write(request: &str) -> bool {
    let (method, path) = request.split_once(' ').unwrap_or((request, ""));
    let path = path.split('?').next().unwrap_or(path);
    match method {
        "GET" => false,
        "POST" => !(path.ends_with("/filter") || path.ends_with("/count")),
        _ => true,
    }
}

const ARTIFACT_ID: &str = "5b1e0c2d-7a4f-4e3b-9c8d-1f2e3d4c5b6a";

const PARAMS_SCHEDULE_ID: &str = "0c5e2f1a-9b8d-4c7e-a6f5-3d2c1b0a9e8f";

/// A scripted Prefect that serves what `tool` reads, and accepts any write; the arguments.
async fn scripted(h: &mut Harness, tool: &str) -> Value {
    h.answer(
        "GET",
        &format!("/flow_runs/{FAILED_RUN_ID}"),
        FLOW_RUN_FAILED,
    )
    .await;
    h.answer("GET", &format!("/flow_runs/{LATE_RUN_ID}"), FLOW_RUN_LATE)
        .await;
    h.answer(
        "POST",
        "/flow_runs/filter",
        &list(&[FLOW_RUN_LATE.to_string()]),
    )
    .await;
    h.answer("GET", "/variables/name/limits", VARIABLE).await;
    h.answer(
        "GET",
        &format!("/artifacts/{ARTIFACT_ID}"),
        &json!({"id": ARTIFACT_ID, "key": "sales-report", "type": "markdown",
                "data": "# Sales", "description": null, "metadata_": null,
                "flow_run_id": null, "task_run_id": null,
                "created": "2026-12-01T10:00:00Z", "updated": "2026-12-01T10:00:00Z"})
        .to_string(),
    )
    .await;
    h.answer(
        "GET",
        "/v2/concurrency_limits/mcp-limit",
        &json!({"id": "3e9d2a4b-7c1f-4d8e-9a6b-2f5c8e1d7a30", "name": "mcp-limit", "limit": 1,
                "active": true, "active_slots": 1, "slot_decay_per_second": 0.0,
                "created": null, "updated": null})
        .to_string(),
    )
    .await;
    params_deployment(h).await;
    h.answer("POST", "/flow_runs/count", "3").await;
    let automation = parse(AUTOMATIONS)[0].clone();
    h.answer(
        "GET",
        &format!("/automations/{AUTOMATION_ID}"),
        &automation.to_string(),
    )
    .await;
    h.answer("POST", "/deployments/count", "1").await;
    h.answer(
        "POST",
        "/deployments/filter",
        &list(&[DEPLOYMENT_PARAMS.to_string()]),
    )
    .await;
    h.answer(
        "GET",
        &format!("/deployments/{PARAMS_DEPLOYMENT_ID}/schedules"),
        &json!([{"id": PARAMS_SCHEDULE_ID, "active": true, "schedule": {"cron": "0 2 * * *"},
                 "deployment_id": PARAMS_DEPLOYMENT_ID, "parameters": {}, "slug": null,
                 "max_scheduled_runs": null, "created": null, "updated": null}])
        .to_string(),
    )
    .await;
    let mut cancelled = parse(FLOW_RUN_LATE)["state"].clone();
    cancelled["type"] = "CANCELLED".into();
    let accepted = json!({"status": "ACCEPT", "state": cancelled,
        "details": {"type": "accept_details"}});
    h.prefect
        .mock("POST", Matcher::Regex("/set_state$".into()))
        .with_header("content-type", "application/json")
        .with_body(accepted.to_string())
        .create_async()
        .await;
    for method in ["PATCH", "PUT", "DELETE"] {
        h.prefect
            .mock(method, Matcher::Any)
            .with_status(204)
            .create_async()
            .await;
    }
    match tool {
        "cancel_flow_run" => json!({"flow_run_id": LATE_RUN_ID}),
        "cancel_flow_runs" => json!({"filter_criteria": {"tags": {"all_": ["seed"]}}}),
        "delete_flow_run" => json!({"flow_run": FAILED_RUN_ID}),
        "set_flow_run_state" => json!({"flow_run": FAILED_RUN_ID, "state": "completed"}),
        "delete_variable" => json!({"name": "limits"}),
        "delete_artifact" => json!({"artifact": ARTIFACT_ID}),
        "set_variable" => json!({"name": "limits", "value": {"max": 4}}),
        "update_deployment" => json!({"deployment": PARAMS_DEPLOYMENT_ID, "tags": ["new"]}),
        "reset_concurrency_limit" | "delete_concurrency_limit" => json!({"name": "mcp-limit"}),
        "delete_deployment" => json!({"deployment": PARAMS_DEPLOYMENT_ID}),
        "delete_automation" => json!({"automation": AUTOMATION_ID}),
        "set_automation" => json!({"automation": AUTOMATION_ID, "definition": {
            "name": "quieter", "trigger": {"type": "event", "expect": ["x.never"]},
            "actions": [{"type": "do-nothing"}]}}),
        "delete_flow" => json!({"flow": parse(DEPLOYMENT_PARAMS)["flow_id"]}),
        "delete_deployment_schedule" => {
            json!({"deployment": PARAMS_DEPLOYMENT_ID, "schedule_id": PARAMS_SCHEDULE_ID})
        }
        other => panic!(
            "{other} is annotated destructive: add the Prefect it needs and its arguments here"
        ),
    }
}

fn destructive_tools(h: &Harness) -> Vec<String> {
    h.server
        .tools()
        .into_iter()
        .filter(|t| t.annotations.as_ref().and_then(|a| a.destructive_hint) == Some(true))
        .map(|t| t.name.to_string())
        .collect()
}

#[tokio::test]
async fn every_destructive_tool_writes_only_after_a_yes() {
    let tools = destructive_tools(&Harness::new().await);
    assert!(tools.len() >= 7, "{tools:?}");
    for tool in &tools {
        for era in [Era::Asks2025, Era::Asks2026, Era::CannotAsk] {
            let answers: &[Answer] = if era == Era::CannotAsk {
                &[Answer::Accept]
            } else {
                &[Answer::Accept, Answer::Decline, Answer::Cancel]
            };
            for &answer in answers {
                let mut h = Harness::new().await;
                let arguments = scripted(&mut h, tool).await;
                let watch = h.watch_for_requests().await;
                let mut person = Person::of(h.server.clone(), era, answer).await;
                let case = format!("{tool} {era:?} {answer:?}");
                let reply = person
                    .call(tool, arguments, |question| {
                        let early: Vec<String> =
                            watch.sent().into_iter().filter(|r| is_write(r)).collect();
                        assert!(
                            early.is_empty(),
                            "{case}: written before {question:?}: {early:?}"
                        );
                    })
                    .await;
                let result = &reply["result"];
                let writes: Vec<String> =
                    watch.sent().into_iter().filter(|r| is_write(r)).collect();
                let acts = match era {
                    Era::CannotAsk => tool == "cancel_flow_run",
                    _ => answer == Answer::Accept,
                };
                if acts {
                    assert_ne!(result["isError"], true, "{case}: {reply}");
                    assert!(!writes.is_empty(), "{case}: nothing written: {reply}");
                } else {
                    assert_eq!(result["isError"], true, "{case}: {reply}");
                    assert!(writes.is_empty(), "{case}: written {writes:?}");
                    let text = result["content"][0]["text"].as_str().unwrap_or_default();
                    assert!(text.contains("nothing was changed"), "{case}: {text}");
                }
                assert_eq!(
                    person.questions.len(),
                    usize::from(era != Era::CannotAsk),
                    "{case}: {:?}",
                    person.questions
                );
            }
        }
    }
}

#[tokio::test]
async fn answers_nobody_asked_for_are_no_yes() {
    let yes = json!({"confirm": {"action": "accept", "content": {"confirm": true}}});
    for era in [Era::CannotAsk, Era::Asks2025, Era::Asks2026] {
        let mut h = Harness::new().await;
        let arguments = scripted(&mut h, "delete_variable").await;
        let watch = h.watch_for_requests().await;
        let mut person = Person::of(h.server.clone(), era, Answer::Decline).await;
        let params = json!({"name": "delete_variable", "arguments": arguments,
                            "inputResponses": yes});
        let reply = if era == Era::Asks2025 {
            // Asked for real: the pre-answer did not skip the question, and the "no" holds.
            let reply = person.call_raw_answering(params).await;
            assert_eq!(person.questions.len(), 1, "{era:?}: {reply}");
            reply
        } else {
            person.call_raw(params).await
        };
        let writes: Vec<String> = watch.sent().into_iter().filter(|r| is_write(r)).collect();
        assert!(writes.is_empty(), "{era:?}: {writes:?} after {reply}");
        if era == Era::Asks2026 {
            // A question, not a deletion: the answer rode in without a state of ours.
            assert_eq!(reply["result"]["resultType"], "input_required", "{reply}");
        } else {
            assert_eq!(reply["result"]["isError"], true, "{era:?}: {reply}");
        }
    }
}

#[tokio::test]
async fn a_yes_covers_what_was_shown_and_no_more() {
    // Asked about one run; a second appears before the retry: the retry asks again about two.
    let mut h = Harness::new().await;
    let arguments = scripted(&mut h, "cancel_flow_runs").await;
    let mut person = Person::of(h.server.clone(), Era::Asks2026, Answer::Accept).await;
    let first = person
        .call_raw(json!({"name": "cancel_flow_runs", "arguments": arguments}))
        .await;
    assert_eq!(first["result"]["resultType"], "input_required", "{first}");
    let state = first["result"]["requestState"].clone();
    two_late_runs(&mut h).await;
    let watch = h.watch_for_requests().await;
    let retried = person
        .call_raw(json!({"name": "cancel_flow_runs", "arguments": arguments,
            "requestState": state,
            "inputResponses": {"confirm": {"action": "accept", "content": {"confirm": true}}}}))
        .await;
    let writes: Vec<String> = watch.sent().into_iter().filter(|r| is_write(r)).collect();
    assert!(writes.is_empty(), "{writes:?}");
    let again = &retried["result"];
    assert_eq!(again["resultType"], "input_required", "{retried}");
    let message = again["inputRequests"]["confirm"]["params"]["message"]
        .as_str()
        .unwrap();
    assert!(message.starts_with("Cancel 2 "), "{message}");

    // Another caller's state, or a state for other arguments, opens for nothing.
    let other = person
        .call_raw(json!({"name": "cancel_flow_runs",
            "arguments": {"filter_criteria": {"tags": {"all_": ["other"]}}},
            "requestState": state,
            "inputResponses": {"confirm": {"action": "accept", "content": {"confirm": true}}}}))
        .await;
    let text = other["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_default();
    assert!(text.contains("integrity check"), "{other}");
}

#[tokio::test]
async fn the_operators_flag_lets_a_client_that_cannot_ask_act() {
    let options = ServerOptions {
        allow_unconfirmed_writes: true,
        ..every_toolset()
    };
    let mut h = Harness::with_options(options).await;
    let arguments = scripted(&mut h, "delete_variable").await;
    let mut person = Person::of(h.server.clone(), Era::CannotAsk, Answer::Decline).await;
    let reply = person.call("delete_variable", arguments, |_| {}).await;
    assert_ne!(reply["result"]["isError"], true, "{reply}");
}

#[tokio::test]
async fn questions_and_their_answers_are_counted_when_metrics_are_on() {
    let metrics = prefect_mcp_server::telemetry::enable_metrics();
    let count = |outcome: &str| {
        let text = prefect_mcp_server::telemetry::encode_metrics(metrics);
        let series = format!("mcp_server_questions_total{{outcome=\"{outcome}\"}} ");
        text.lines()
            .find_map(|line| line.strip_prefix(&series))
            .map_or(0.0, |n| n.parse::<f64>().unwrap())
    };
    let (asked, declined) = (count("asked"), count("declined"));
    for era in [Era::Asks2025, Era::Asks2026] {
        let mut h = Harness::new().await;
        let arguments = scripted(&mut h, "delete_variable").await;
        let mut person = Person::of(h.server.clone(), era, Answer::Decline).await;
        person.call("delete_variable", arguments, |_| {}).await;
    }
    // Other tests ask too, at the same time: at least these two, each asked and declined once.
    assert!(count("asked") >= asked + 2.0, "{}", count("asked"));
    assert!(count("declined") >= declined + 2.0, "{}", count("declined"));
}
