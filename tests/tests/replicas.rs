//! Two stateless replicas behind nginx, sharing `--request-state-key`, against real Prefect:
//! a task made on one replica is polled to its end on the other, with the blocking call's
//! result; a `tasks/cancel` sent to one is seen by the other (it is recorded in Prefect's
//! flow-run input API, so this file runs on every Prefect release); another caller's credential
//! finds no task; and `subscriptions/listen` through nginx delivers updates on either replica.

use std::time::{Duration, Instant};

use integration_tests::replicas::{listen_2026, request_2026, Replicas};
use serde_json::{json, Value};

const FINAL: [&str; 4] = ["COMPLETED", "FAILED", "CANCELLED", "CRASHED"];

async fn call(
    url: &str,
    tool: &str,
    arguments: Value,
    tasks: bool,
    extra: &[(&str, &str)],
) -> Value {
    let reply = request_2026(
        url,
        "tools/call",
        json!({"name": tool, "arguments": arguments}),
        tasks,
        extra,
    )
    .await;
    reply["result"].clone()
}

/// A task from a waiting tool, as `tools/call` answered it.
async fn start_task(url: &str, tool: &str, arguments: Value, extra: &[(&str, &str)]) -> String {
    let created = call(url, tool, arguments, true, extra).await;
    assert_eq!(created["resultType"], "task", "{tool}: {created}");
    created["taskId"].as_str().expect("taskId").to_string()
}

/// `tasks/get` at `url`.
async fn get(url: &str, task_id: &str, extra: &[(&str, &str)]) -> Value {
    request_2026(url, "tasks/get", json!({"taskId": task_id}), true, extra).await
}

/// Poll `tasks/get` at `urls` in turn until `done`; the last answer and every status message.
async fn poll(
    urls: &[String],
    task_id: &str,
    done: impl Fn(&Value) -> bool,
) -> (Value, Vec<String>) {
    let deadline = Instant::now() + Duration::from_secs(180);
    let mut messages = Vec::new();
    for url in urls.iter().cycle() {
        let task = get(url, task_id, &[]).await["result"].clone();
        assert!(task.is_object(), "tasks/get at {url}: {task}");
        if let Some(message) = task["statusMessage"].as_str() {
            messages.push(message.to_string());
        }
        if done(&task) {
            return (task, messages);
        }
        assert!(Instant::now() < deadline, "task never got there: {task}");
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    unreachable!()
}

fn terminal(task: &Value) -> bool {
    ["completed", "failed", "cancelled"].contains(&task["status"].as_str().unwrap_or_default())
}

/// The structured result and its text twin, without `waited_seconds` (when the blocking call
/// looked).
fn without_waited_seconds(result: &Value) -> (Value, Value) {
    let mut structured = result["structuredContent"].clone();
    structured
        .as_object_mut()
        .map(|o| o.remove("waited_seconds"));
    let mut text: Value =
        serde_json::from_str(result["content"][0]["text"].as_str().unwrap_or("{}")).unwrap();
    text.as_object_mut().map(|o| o.remove("waited_seconds"));
    (structured, text)
}

#[tokio::test]
async fn a_task_made_on_one_replica_is_polled_to_its_end_on_the_other() {
    let r = Replicas::start(&[]);
    let name = format!("replica-task-{}", uuid::Uuid::new_v4().simple());
    let task_id = start_task(
        &r.a.mcp(),
        "create_flow_run_from_deployment",
        json!({"deployment_id": "mcp-slow/slow", "name": name, "parameters": {"seconds": 3},
               "timeout": 240}),
        &[],
    )
    .await;
    // B alone, then nginx, which alternates between the two.
    let (task, messages) = poll(&[r.b.mcp(), r.front()], &task_id, terminal).await;
    assert_eq!(task["status"], "completed", "{task}");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("flow run") && m.contains(" is ")),
        "the status never showed the run's state: {messages:?}"
    );
    let created = &task["result"]["structuredContent"];
    assert_eq!(created["flow_run_name"], name.as_str(), "{task}");
    assert_eq!(created["deployment_name"], "slow", "{task}");
    assert_eq!(created["wait"], "final_state", "{task}");
    assert_eq!(created["flow_run"]["state"]["type"], "COMPLETED", "{task}");
    let run_id = created["flow_run_id"].as_str().unwrap().to_string();

    // A wait on the finished run, as a task through A and read on B, against the same call
    // made blocking (no tasks extension) through nginx.
    let wait = json!({"flow_run_id": run_id, "timeout": 60});
    let task_id = start_task(&r.a.mcp(), "wait_for_flow_run", wait.clone(), &[]).await;
    let (task, _) = poll(&[r.b.mcp()], &task_id, terminal).await;
    assert_eq!(task["status"], "completed", "{task}");
    let blocking = call(&r.front(), "wait_for_flow_run", wait, false, &[]).await;
    assert_eq!(
        blocking["structuredContent"]["wait"], "final_state",
        "{blocking}"
    );
    assert_eq!(
        without_waited_seconds(&task["result"]),
        without_waited_seconds(&blocking),
        "the task's result is the blocking call's"
    );
    assert_eq!(task["result"]["isError"], blocking["isError"]);
}

#[tokio::test]
async fn a_cancel_sent_to_one_replica_is_seen_by_the_other_and_other_callers_find_no_task() {
    let r = Replicas::start(&["--per-request-auth"]);
    let alice = [("x-prefect-api-key", "alice-key")];
    let name = format!("replica-cancel-{}", uuid::Uuid::new_v4().simple());
    let created = call(
        &r.front(),
        "create_flow_run_from_deployment",
        json!({"deployment_id": "mcp-slow/slow", "name": name, "parameters": {"seconds": 600}}),
        true,
        &alice,
    )
    .await;
    // timeout 0 does not wait: a plain answer, even for a client with the tasks extension.
    let run_id = created["structuredContent"]["flow_run_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"))
        .to_string();
    let task_id = start_task(
        &r.a.mcp(),
        "wait_for_flow_run",
        json!({"flow_run_id": run_id, "timeout": 600}),
        &alice,
    )
    .await;

    // Another caller's credential, or none, finds no such task on either replica.
    for (url, extra) in [
        (r.b.mcp(), &[("x-prefect-api-key", "bob-key")][..]),
        (r.a.mcp(), &[][..]),
    ] {
        for method in ["tasks/get", "tasks/cancel"] {
            let reply = request_2026(&url, method, json!({"taskId": task_id}), true, extra).await;
            assert_eq!(reply["error"]["code"], -32602, "{method}: {reply}");
            let message = reply["error"]["message"].as_str().unwrap_or_default();
            assert!(message.starts_with("Unknown task"), "{method}: {reply}");
        }
    }

    // Alice's, mid-wait on A, once the runner started the run.
    let working = |t: &Value| {
        t["status"] == "working"
            && t["statusMessage"]
                .as_str()
                .is_some_and(|m| m.contains(&run_id) && m.contains("Running"))
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let task = get(&r.a.mcp(), &task_id, &alice).await["result"].clone();
        if working(&task) {
            break;
        }
        assert!(Instant::now() < deadline, "never running: {task}");
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    let cancelled = request_2026(
        &r.b.mcp(),
        "tasks/cancel",
        json!({"taskId": task_id}),
        true,
        &alice,
    )
    .await;
    assert!(cancelled["result"].is_object(), "{cancelled}");
    for url in [r.a.mcp(), r.front(), r.front()] {
        let task = get(&url, &task_id, &alice).await["result"].clone();
        assert_eq!(task["status"], "cancelled", "{url}: {task}");
        assert_eq!(
            task["statusMessage"],
            format!(
                "Stopped waiting for flow run {run_id}: the request was cancelled. The run \
                 goes on; cancel_flow_run stops it."
            ),
            "{task}"
        );
    }
    // The wait stopped, not the run; then cancel it for real, to free the runner.
    let run = call(
        &r.front(),
        "get_flow_run_by_id",
        json!({"flow_run_id": run_id}),
        false,
        &alice,
    )
    .await;
    let state = run["structuredContent"]["state"]["type"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(!FINAL.contains(&state.as_str()), "{run}");
    let stopped = call(
        &r.front(),
        "cancel_flow_run",
        json!({"flow_run_id": run_id}),
        false,
        &alice,
    )
    .await;
    assert_ne!(stopped["isError"], true, "{stopped}");
}

#[tokio::test]
async fn subscriptions_listen_through_nginx_delivers_updates_on_either_replica() {
    let r = Replicas::start(&[]);
    for round in 0..2 {
        // nginx alternates: one listen reaches A, the other B.
        let name = format!("replica-listen-{round}-{}", uuid::Uuid::new_v4().simple());
        let created = call(
            &r.front(),
            "create_flow_run_from_deployment",
            json!({"deployment_id": "mcp-slow/slow", "name": name, "parameters": {"seconds": 4}}),
            false,
            &[],
        )
        .await;
        let run_id = created["structuredContent"]["flow_run_id"]
            .as_str()
            .unwrap_or_else(|| panic!("{created}"))
            .to_string();
        let uri = format!("prefect://flow-runs/{run_id}");
        let updated = |m: &Value| {
            m["method"] == "notifications/resources/updated" && m["params"]["uri"] == uri.as_str()
        };
        let messages = listen_2026(
            &r.front(),
            std::slice::from_ref(&uri),
            Duration::from_secs(150),
            |m| m.iter().any(updated),
        )
        .await;
        let acknowledged = messages
            .iter()
            .find(|m| m["method"] == "notifications/subscriptions/acknowledged")
            .unwrap_or_else(|| panic!("no acknowledgement: {messages:?}"));
        assert!(
            acknowledged.to_string().contains(&uri),
            "the run's updates were not honoured: {acknowledged}"
        );
    }
}
