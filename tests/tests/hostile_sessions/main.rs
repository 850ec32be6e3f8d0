//! The hostile-sessions tier: careless and hostile clients of stateful HTTP sessions
//! (`Mcp-Session-Id`) against the real binary and the real Prefect. Each case holds the server
//! to a limit of the Limits table of docs/team-endpoint.md (subscriptions and tasks per session, tasks owned by
//! their session and ended with it, `tasks/cancel` never held up by an unanswered question),
//! with bounds generous enough for a busy machine. Independent of the Prefect version: run it
//! once per CI run (`cargo xtask test -- --test hostile_sessions`).
//!
//! tier: once

mod closing;
mod subscriptions;
mod tasks;

use std::time::{Duration, Instant};

use integration_tests::raw_http::RawSession;
use integration_tests::{prefect_api_url, ParkedRuns};
use serde_json::{json, Value};

/// How long a test waits for something the server does on its own (a poll, a task ending).
const SETTLES_WITHIN: Duration = Duration::from_secs(60);

fn run_uri(id: &str) -> String {
    format!("prefect://flow-runs/{id}")
}

/// Start `wait_for_flow_run` on `run` in `session` (which declared the tasks extension): the
/// call is answered with a working task at once; its id.
async fn start_wait(session: &RawSession, run: &str) -> String {
    let reply = session
        .call(
            "wait_for_flow_run",
            json!({"flow_run_id": run, "timeout": 3600}),
        )
        .await;
    let created = &reply["result"];
    assert_eq!(created["resultType"], "task", "not a task: {reply}");
    assert_eq!(created["status"], "working", "{reply}");
    created["taskId"].as_str().expect("a task id").to_string()
}

/// `tasks/get` until `done` accepts the task (within [`SETTLES_WITHIN`]); the task.
async fn task_until(session: &RawSession, task_id: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + SETTLES_WITHIN;
    loop {
        let reply = session.task("tasks/get", task_id).await;
        let task = &reply["result"];
        assert!(task.is_object(), "tasks/get {task_id}: {reply}");
        if done(task) {
            return task.clone();
        }
        assert!(
            Instant::now() < deadline,
            "task {task_id} did not get there within {SETTLES_WITHIN:?}: {task}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// That `reply` (to tasks/get, tasks/update or tasks/cancel) says the task is unknown to this
/// session, as an invalid-params error, and says no more about it.
fn assert_unknown_task(reply: &Value, method: &str, run: &str) {
    assert_eq!(reply["error"]["code"], -32602, "{method}: {reply}");
    let message = reply["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.to_ascii_lowercase().contains("unknown task"),
        "{method}: {reply}"
    );
    assert!(!message.contains(run), "{method} names the run: {reply}");
}
