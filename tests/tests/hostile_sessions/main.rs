//! The hostile-sessions tier: careless and hostile clients of stateful HTTP sessions
//! (`Mcp-Session-Id`) against the real binary and the real Prefect. Each case holds the server
//! to a limit of README's Limits table (subscriptions and tasks per session, tasks owned by
//! their session and ended with it, `tasks/cancel` never held up by an unanswered question),
//! with bounds generous enough for a busy machine. Independent of the Prefect version: run it
//! once per CI run (`cargo xtask test -- --test hostile_sessions`).
//!
//! tier: once

mod closing;
mod subscriptions;
mod tasks;

use std::time::{Duration, Instant};

use integration_tests::prefect_api_url;
use integration_tests::raw_http::RawSession;
use serde_json::{json, Value};

/// How long a test waits for something the server does on its own (a poll, a task ending).
const SETTLES_WITHIN: Duration = Duration::from_secs(60);

/// Flow runs parked in the real Prefect for one test: made through Prefect's REST API for the
/// sample flow mcp-hello, scheduled in 2099 and without a deployment, so that no runner picks
/// them up and they stay SCHEDULED (unfinished) for as long as a test waits on or watches
/// them. Deleted when dropped, also when the test fails.
struct ParkedRuns {
    ids: Vec<String>,
}

impl ParkedRuns {
    async fn make(count: usize, purpose: &str) -> Self {
        let api = prefect_api_url();
        let http = reqwest::Client::new();
        let flow: Value = http
            .get(format!("{api}/flows/name/mcp-hello"))
            .send()
            .await
            .expect("read the sample flow")
            .json()
            .await
            .expect("the sample flow");
        let flow_id = flow["id"].as_str().expect("mcp-hello's id").to_string();
        let batch = uuid::Uuid::new_v4().simple().to_string();
        // One at a time: Prefect on SQLite answers concurrent writes with 503.
        let mut runs = ParkedRuns { ids: Vec::new() };
        for i in 0..count {
            let body = json!({
                "flow_id": flow_id,
                "name": format!("hostile-{purpose}-{}-{i}", &batch[..8]),
                "tags": ["hostile-sessions"],
                "state": {"type": "SCHEDULED", "name": "Scheduled",
                          "state_details": {"scheduled_time": "2099-01-01T00:00:00Z"}},
            });
            let mut tries = 0;
            let run: Value = loop {
                let response = http
                    .post(format!("{api}/flow_runs/"))
                    .json(&body)
                    .send()
                    .await
                    .expect("create a run");
                let status = response.status();
                let answer: Value = response.json().await.unwrap_or_default();
                if status.is_success() || tries == 10 {
                    break answer;
                }
                // Other tests write to Prefect at the same time.
                tries += 1;
                tokio::time::sleep(Duration::from_millis(200)).await;
            };
            let id = run["id"].as_str();
            runs.ids.push(
                id.unwrap_or_else(|| panic!("no run made: {run}"))
                    .to_string(),
            );
        }
        runs
    }
}

impl Drop for ParkedRuns {
    fn drop(&mut self) {
        let ids = std::mem::take(&mut self.ids);
        let api = prefect_api_url();
        // Dropped inside the test's runtime: delete from a thread with its own.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                let http = reqwest::Client::new();
                for id in ids {
                    for _ in 0..10 {
                        let request = http.delete(format!("{api}/flow_runs/{id}")).send();
                        if request.await.is_ok_and(|r| r.status() != 503) {
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                }
            });
        })
        .join();
    }
}

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
