//! A client that closes its session (HTTP DELETE) while its tasks wait: the waits stop, and
//! nothing of another session's.

use super::*;
use integration_tests::oauth::RecordingProxy;
use integration_tests::HttpServer;

/// How long no read of a run shows that nothing waits on it: a wait reads its run at least
/// every 4 s.
const QUIET: Duration = Duration::from_secs(10);

#[tokio::test]
async fn closing_a_session_cancels_its_waiting_tasks_and_no_other_sessions() {
    let runs = ParkedRuns::make(4, "close").await;
    let (mine, theirs) = runs.ids.split_at(3);
    let proxy = RecordingProxy::start(&prefect_api_url()).await;
    let server = HttpServer::start_logged(&[], &[("PREFECT_API_URL", &proxy.api_url)]);
    let reads = |run: &str| {
        let line = format!("GET /api/flow_runs/{run} ");
        proxy
            .heads()
            .iter()
            .filter(|h| h.starts_with(&line))
            .count()
    };
    let reads_of = |runs: &[String]| runs.iter().map(|r| reads(r)).collect::<Vec<_>>();

    let a = RawSession::with_tasks(&server.mcp()).await;
    let b = RawSession::with_tasks(&server.mcp()).await;
    let mut tasks = Vec::new();
    for run in mine {
        tasks.push(start_wait(&a, run).await);
    }
    let their_task = start_wait(&b, &theirs[0]).await;
    // Every wait polls its run (the first read is the call's own, before it waits).
    let deadline = Instant::now() + SETTLES_WITHIN;
    while reads_of(&runs.ids).iter().any(|&n| n < 2) {
        assert!(
            Instant::now() < deadline,
            "the waits do not poll: {:?}",
            reads_of(&runs.ids)
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    let status = a.close().await;
    assert!(status.is_success(), "DELETE of the session: {status}");
    let ping = json!({"jsonrpc": "2.0", "id": 99, "method": "ping"});
    assert_eq!(a.post(&ping).await.status(), 404, "the session is gone");

    // Its waits stop: a quiet spell without a read of its runs.
    let deadline = Instant::now() + SETTLES_WITHIN + QUIET;
    let stopped = loop {
        let before = reads_of(mine);
        tokio::time::sleep(QUIET).await;
        if reads_of(mine) == before {
            break before;
        }
        assert!(
            Instant::now() < deadline,
            "the closed session's runs are still polled: {:?}",
            reads_of(mine)
        );
    };
    // The other session's wait goes on, and its task still works.
    let theirs_before = reads(&theirs[0]);
    let deadline = Instant::now() + SETTLES_WITHIN;
    while reads(&theirs[0]) < theirs_before + 2 {
        assert!(
            Instant::now() < deadline,
            "the other session's wait stopped too"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(reads_of(mine), stopped, "a closed session's wait woke up");
    let working = b.task("tasks/get", &their_task).await;
    assert_eq!(working["result"]["status"], "working", "{working}");
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
}
