//! In-process tasks of a session that ends (its client goes away) while they wait: the call
//! ends as a cancelled wait and logs its line, as one stopped by `tasks/cancel` does; for a
//! write (a create that waits) that line is its audit record.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::fixtures::*;
use crate::harness::Harness;
use crate::tasks::{running_run, Client};

/// What the test's log subscriber wrote.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_task_whose_session_ends_logs_its_call_as_a_cancelled_wait() {
    // A current-thread runtime: the server's tasks run on this thread, under this subscriber.
    let logs = Captured::default();
    let writer = logs.clone();
    // tracing caches whether a callsite is wanted once for the process. With exactly one
    // dispatcher registered it asks the registering thread's default (tracing#3611), so a
    // sibling test, which has no subscriber, reaching "tool call finished" first turned the
    // line off for this test too (seen once in CI). A second live dispatcher, registered
    // before ours, makes tracing ask every registered one.
    let _second_dispatcher = tracing::Dispatch::new(tracing_subscriber::registry());
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _logging = tracing::subscriber::set_default(subscriber);
    let mut h = Harness::new().await;
    h.answer(
        "GET",
        &format!("/flow_runs/{COMPLETED_RUN_ID}"),
        &running_run(),
    )
    .await;
    let mut client = Client::of(h.server.clone()).await;
    let created = client
        .call(
            "wait_for_flow_run",
            json!({"flow_run_id": COMPLETED_RUN_ID, "timeout": 600}),
        )
        .await;
    let task_id = created["taskId"].as_str().expect("a task").to_string();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let task = client.task("tasks/get", &task_id).await["result"].clone();
        if task["statusMessage"]
            .as_str()
            .is_some_and(|m| m.ends_with("is Running"))
        {
            break;
        }
        assert!(Instant::now() < deadline, "the wait never started: {task}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    drop(client);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = logs.text();
        if text.lines().any(|l| {
            l.contains("tool call finished")
                && l.contains("wait_for_flow_run")
                && l.contains("wait_cancelled")
        }) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the call ended without its line:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
