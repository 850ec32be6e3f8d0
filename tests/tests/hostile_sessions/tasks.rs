//! Tasks (the tasks extension) of sessions that reach for another session's tasks, start more
//! than their share, or never answer the question a task asks.

use super::*;
use integration_tests::raw_http::TASKS;
use integration_tests::HttpServer;

/// the Limits table of docs/team-endpoint.md: 16 working tasks per session, no flag.
const CAP: usize = 16;

#[tokio::test]
async fn another_sessions_task_is_not_found_for_get_update_or_cancel() {
    let runs = ParkedRuns::make(1, "owner").await;
    let run = runs.ids[0].as_str();
    let server = HttpServer::start(&[], &[]);
    let a = RawSession::with_tasks(&server.mcp()).await;
    let b = RawSession::with_tasks(&server.mcp()).await;
    let task_id = start_wait(&a, run).await;
    let seen = task_until(&a, &task_id, |t| {
        t["statusMessage"]
            .as_str()
            .is_some_and(|m| m.contains(run) && m.contains("Scheduled"))
    })
    .await;
    assert_eq!(seen["status"], "working", "{seen}");

    for method in ["tasks/get", "tasks/update", "tasks/cancel"] {
        assert_unknown_task(&b.task(method, &task_id).await, method, run);
    }
    // B's cancel reached nothing: A's task still works, until A cancels it.
    let still = a.task("tasks/get", &task_id).await;
    assert_eq!(still["result"]["status"], "working", "{still}");
    let cancel = a.task("tasks/cancel", &task_id).await;
    assert!(cancel["result"].is_object(), "{cancel}");
    let ended = task_until(&a, &task_id, |t| t["status"] != "working").await;
    assert_eq!(ended["status"], "cancelled", "{ended}");
    let message = ended["statusMessage"].as_str().unwrap_or_default();
    assert!(
        message.contains(run) && message.contains("cancel_flow_run"),
        "the wait stopped, not the run: {ended}"
    );
}

#[tokio::test]
async fn past_16_working_tasks_a_session_is_refused_saying_so_and_others_are_not() {
    let runs = ParkedRuns::make(CAP + 2, "task-cap").await;
    let server = HttpServer::start(&[], &[]);
    let a = RawSession::with_tasks(&server.mcp()).await;
    let mut tasks = Vec::new();
    for run in &runs.ids[..CAP] {
        tasks.push(start_wait(&a, run).await);
    }
    let refused = a
        .call(
            "wait_for_flow_run",
            json!({"flow_run_id": runs.ids[CAP], "timeout": 3600}),
        )
        .await;
    assert_eq!(refused["error"]["code"], -32602, "{refused}");
    let message = refused["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&format!("already runs {CAP} tasks")) && message.contains("tasks/cancel"),
        "the refusal states the cap: {refused}"
    );

    // The cap is the session's: another one starts a task, and A's all still work.
    let b = RawSession::with_tasks(&server.mcp()).await;
    start_wait(&b, &runs.ids[CAP]).await;
    for task in &tasks {
        let reply = a.task("tasks/get", task).await;
        assert_eq!(reply["result"]["status"], "working", "{reply}");
    }
    // A task that ended makes room.
    a.task("tasks/cancel", &tasks[0]).await;
    task_until(&a, &tasks[0], |t| t["status"] == "cancelled").await;
    start_wait(&a, &runs.ids[CAP + 1]).await;
}

#[tokio::test]
async fn tasks_cancel_answers_at_once_while_the_task_waits_on_an_unanswered_question() {
    let server = HttpServer::start(&[], &[]);
    let capabilities = json!({"extensions": {TASKS: {}}, "elicitation": {"form": {}}});
    let session = RawSession::open(&server.mcp(), capabilities).await;
    let mut from_server = session.server_messages().await;
    // A deployment with required parameters and none given: the call asks for them.
    let name = format!("hostile-unanswered-{}", uuid::Uuid::new_v4().simple());
    let reply = session
        .call(
            "create_flow_run_from_deployment",
            json!({"deployment_id": "mcp-required/required", "name": name, "timeout": 600}),
        )
        .await;
    assert_eq!(reply["result"]["resultType"], "task", "{reply}");
    let task_id = reply["result"]["taskId"].as_str().expect("a task id");
    let question = from_server
        .find(SETTLES_WITHIN, |m| m["method"] == "elicitation/create")
        .await
        .expect("the task asks for the missing parameters");
    assert!(
        question["params"]["requestedSchema"]["properties"]["region"].is_object(),
        "{question}"
    );
    // The client never answers. The task waits for it (up to --question-timeout, 300 s).
    let waiting = session.task("tasks/get", task_id).await;
    assert_eq!(waiting["result"]["status"], "working", "{waiting}");

    let started = Instant::now();
    let cancel = session.task("tasks/cancel", task_id).await;
    let took = started.elapsed();
    assert!(cancel["result"].is_object(), "{cancel}");
    assert!(
        took < Duration::from_secs(5),
        "tasks/cancel took {took:?} (bound 5 s)"
    );
    let ended = task_until(&session, task_id, |t| t["status"] != "working").await;
    assert_eq!(ended["status"], "cancelled", "{ended}");
    eprintln!(
        "tasks/cancel answered in {took:?}; the task ended {:?} after it",
        started.elapsed()
    );

    // The question came first: no run was made.
    let runs: Value = reqwest::Client::new()
        .post(format!("{}/flow_runs/filter", prefect_api_url()))
        .json(&json!({"flow_runs": {"name": {"any_": [name]}}}))
        .send()
        .await
        .expect("filter runs")
        .json()
        .await
        .expect("runs");
    assert_eq!(runs, json!([]), "a run was made without its parameters");
}
