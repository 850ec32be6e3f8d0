//! A client that closes its session (HTTP DELETE) while its tasks wait: the waits stop, and
//! nothing of another session's.

use super::*;
use integration_tests::event_proxy::{until, EventProxy};
use integration_tests::HttpServer;

#[tokio::test]
async fn closing_a_session_cancels_its_waiting_tasks_and_no_other_sessions() {
    let runs = ParkedRuns::make(4, "close").await;
    let (mine, theirs) = runs.ids.split_at(3);
    let proxy = EventProxy::start(&prefect_api_url()).await;
    let server = HttpServer::start_logged(&[], &[("PREFECT_API_URL", &proxy.api_url)]);

    let a = RawSession::with_tasks(&server.mcp()).await;
    let b = RawSession::with_tasks(&server.mcp()).await;
    let mut tasks = Vec::new();
    for run in mine {
        tasks.push(start_wait(&a, run).await);
    }
    let their_task = start_wait(&b, &theirs[0]).await;
    // The waits watch their runs over the one event stream.
    until("the event stream opens", SETTLES_WITHIN, || {
        proxy.websockets_open() == 1
    })
    .await;

    let status = a.close().await;
    assert!(status.is_success(), "DELETE of the session: {status}");
    let ping = json!({"jsonrpc": "2.0", "id": 99, "method": "ping"});
    assert_eq!(a.post(&ping).await.status(), 404, "the session is gone");

    // The other session's wait goes on, and its task still works.
    let working = b.task("tasks/get", &their_task).await;
    assert_eq!(working["result"]["status"], "working", "{working}");
    assert_eq!(proxy.websockets_open(), 1, "the other wait lost its stream");
    // Nor does another session reach the closed one's tasks.
    for (task, run) in tasks.iter().zip(mine) {
        assert_unknown_task(&b.task("tasks/get", task).await, "tasks/get", run);
    }

    // Each ended call has its line in the log (for a write, its audit record), as a wait that
    // was cancelled.
    let deadline = Instant::now() + SETTLES_WITHIN;
    loop {
        let log = server.log_text();
        let ended = log
            .lines()
            .filter(|l| {
                l.contains("tool call finished")
                    && l.contains("wait_for_flow_run")
                    && l.contains("wait_cancelled")
            })
            .count();
        if ended == mine.len() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{ended} of {} cancelled waits are logged:\n{log}",
            mine.len()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // Once the other session's wait is cancelled too nothing is watched and the stream closes,
    // which it would not if a closed session's wait had gone on.
    let cancelled = b.task("tasks/cancel", &their_task).await;
    assert!(cancelled["result"].is_object(), "{cancelled}");
    until(
        "the stream closes with the last wait",
        SETTLES_WITHIN,
        || proxy.websockets_open() == 0,
    )
    .await;
}
