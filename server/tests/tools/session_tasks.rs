//! The lines tasks log and the words they fail with. In-process tasks of a session that ends
//! (its client goes away) while they wait: the call ends as a cancelled wait and logs its line,
//! as one stopped by `tasks/cancel` does; for a write (a create that waits) that line is its
//! audit record. A call handed to a sealed task logs `outcome=task` and no failure. An id the
//! server does not hold is an unknown task in our words, however the server keeps its tasks.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::fixtures::*;
use crate::harness::{server_for, Harness};
use crate::tasks::{running_run, stateless, Client, KEY};

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

/// Log lines written on this thread, while the guard lives, into the returned buffer. A test
/// using it runs on a current-thread runtime, so the server's tasks log under its subscriber.
fn capture_logs() -> (Captured, impl Drop) {
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
    (logs, tracing::subscriber::set_default(subscriber))
}

/// Waits up to 10 s for a "tool call finished" line that contains every one of `words`.
async fn finished_line(logs: &Captured, words: &[&str]) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = logs.text();
        let found = text.lines().find(|l| {
            l.contains("tool call finished") && words.iter().all(|word| l.contains(word))
        });
        if let Some(line) = found {
            return line.to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "no finished line with {words:?}:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A scripted Prefect whose fixture run is still running, so a wait on it goes on.
async fn harness_with_a_running_run() -> Harness {
    let mut h = Harness::new().await;
    h.answer(
        "GET",
        &format!("/flow_runs/{COMPLETED_RUN_ID}"),
        &running_run(),
    )
    .await;
    h
}

#[tokio::test]
async fn a_task_whose_session_ends_logs_its_call_as_a_cancelled_wait() {
    let (logs, _logging) = capture_logs();
    let h = harness_with_a_running_run().await;
    let mut client = Client::of(h.server.clone()).await;
    let created = client.wait_for_run().await;
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
    finished_line(&logs, &["wait_for_flow_run", "wait_cancelled"]).await;
}

#[tokio::test]
async fn a_call_handed_to_a_sealed_task_logs_its_outcome_and_no_failure() {
    let (logs, _logging) = capture_logs();
    let h = harness_with_a_running_run().await;
    let mut client = Client::of(server_for(&h.api_url(), &stateless(Some(KEY)))).await;
    let created = client.wait_for_run().await;
    assert_eq!(created["resultType"], "task", "{created}");
    let line = finished_line(&logs, &["wait_for_flow_run", "outcome=\"task\""]).await;
    assert!(!line.contains("error_kind"), "a task is no failure: {line}");
}

#[tokio::test]
async fn an_id_the_server_does_not_hold_is_an_unknown_task_in_our_words() {
    let h = Harness::new().await;
    let mut in_process = Client::of(h.server.clone()).await;
    let mut sealed = Client::of(server_for(&h.api_url(), &stateless(Some(KEY)))).await;
    for client in [&mut in_process, &mut sealed] {
        for method in ["tasks/get", "tasks/update", "tasks/cancel"] {
            let reply = client.task(method, "no-such-task").await;
            let error = &reply["error"];
            assert_eq!(error["code"], -32602, "{method}: {reply}");
            assert!(
                error["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("Unknown task: no task of yours")),
                "{method}: {reply}"
            );
        }
    }
}
