//! The write tools against a real Prefect with a runner serving the deployments, through a client
//! that cannot be asked (no elicitation): what each tool does is read back from Prefect's REST
//! API; destructive calls do nothing unless the operator allowed unconfirmed writes; a retried
//! failed run really runs again; a paused run resumed with `run_input` completes with it.
//! The questions themselves are answered by real SDK clients in writes_clients.rs.

mod writes_support;

use integration_tests::*;
use serde_json::{json, Value};
use writes_support::{unique, Rest, FINAL};

/// The label every run created or changed through the server carries.
const ACTOR_LABEL: &str = "prefect-mcp.actor";

async fn unconfirmed() -> Session {
    connect_with(Launch::default().arg("--allow-unconfirmed-writes"))
        .await
        .unwrap()
}

/// A throwaway deployment of mcp-params (its schema: n: int, who: str), paused or not; no
/// runner serves it, so nothing runs.
async fn scratch_deployment(rest: &Rest, paused: bool) -> (String, String) {
    let params = rest.deployment("mcp-params/params").await;
    let name = unique("writes-dep");
    let created = rest
        .ok(
            "POST",
            "/deployments/",
            Some(json!({
                "name": name,
                "flow_id": params["flow_id"],
                "parameter_openapi_schema": params["parameter_openapi_schema"],
                "parameters": {"n": 2},
                "tags": ["writes"],
                "paused": paused,
                "enforce_parameter_schema": true,
            })),
        )
        .await;
    (
        created["id"].as_str().unwrap().to_string(),
        format!("mcp-params/{name}"),
    )
}

#[tokio::test]
async fn pause_and_resume_a_deployment_by_name() {
    let (rest, s) = (Rest::new(), connect().await.unwrap());
    let (id, name) = scratch_deployment(&rest, false).await;
    let paused = call_ok(&s, "pause_deployment", json!({"deployment": name})).await;
    assert_eq!(paused["paused"], true, "{paused}");
    assert_eq!(
        rest.get(&format!("/deployments/{id}")).await["paused"],
        true
    );
    // Idempotent: pausing again changes nothing and says so.
    let again = call_ok(&s, "pause_deployment", json!({"deployment": id})).await;
    assert_eq!(again["paused"], true, "{again}");
    let resumed = call_ok(&s, "resume_deployment", json!({"deployment": name})).await;
    assert_eq!(resumed["paused"], false, "{resumed}");
    assert_eq!(
        rest.get(&format!("/deployments/{id}")).await["paused"],
        false
    );
    rest.ok("DELETE", &format!("/deployments/{id}"), None).await;
}

#[tokio::test]
async fn update_a_deployment_merges_parameters_and_keeps_it_paused() {
    let rest = Rest::new();
    let (id, name) = scratch_deployment(&rest, true).await;
    // Overwriting needs a person: a client that cannot ask changes nothing, and is told what
    // would have changed.
    let plain = connect().await.unwrap();
    let err = call_err(
        &plain,
        "update_deployment",
        json!({"deployment": name, "description": "changed"}),
    )
    .await;
    assert!(
        err.contains("description: null -> \"changed\"") && err.contains("nothing was changed"),
        "{err}"
    );
    assert!(rest.get(&format!("/deployments/{id}")).await["description"].is_null());
    let s = unconfirmed().await;
    let updated = call_ok(
        &s,
        "update_deployment",
        json!({"deployment": name, "parameters": {"who": "mcp"}, "description": "changed",
               "tags": ["writes", "updated"], "concurrency_limit": 2}),
    )
    .await;
    assert_eq!(
        updated["changed"],
        json!(["parameters", "description", "tags", "concurrency_limit"]),
        "{updated}"
    );
    let read = rest.get(&format!("/deployments/{id}")).await;
    assert_eq!(read["parameters"], json!({"n": 2, "who": "mcp"}), "{read}");
    assert_eq!(read["description"], "changed");
    assert_eq!(read["tags"], json!(["writes", "updated"]));
    assert_eq!(read["global_concurrency_limit"]["limit"], 2, "{read}");
    assert_eq!(read["paused"], true, "an update must not resume it: {read}");

    // Checked against the flow's schema before anything is sent.
    let err = call_err(
        &s,
        "update_deployment",
        json!({"deployment": name, "parameters": {"n": "three"}}),
    )
    .await;
    assert!(err.contains("n") && err.contains("integer"), "{err}");
    let err = call_err(
        &s,
        "update_deployment",
        json!({"deployment": name, "parameters": {"bogus": 1}}),
    )
    .await;
    assert!(err.contains("bogus") && err.contains("who"), "{err}");
    let err = call_err(&s, "update_deployment", json!({"deployment": name})).await;
    assert!(err.contains("nothing to change"), "{err}");
    // Clearing: no tags, no limit.
    call_ok(
        &s,
        "update_deployment",
        json!({"deployment": id, "tags": [], "concurrency_limit": 0}),
    )
    .await;
    let read = rest.get(&format!("/deployments/{id}")).await;
    assert_eq!(read["tags"], json!([]), "{read}");
    assert!(read["global_concurrency_limit"].is_null(), "{read}");
    rest.ok("DELETE", &format!("/deployments/{id}"), None).await;
}

#[tokio::test]
async fn a_retried_failed_run_runs_again() {
    let (rest, s) = (Rest::new(), connect().await.unwrap());
    let name = unique("writes-retry");
    let id = rest.start_run("mcp-fail/fail", &name).await;
    // A flow that raises ends FAILED; on older Prefect releases its runner may report the
    // process's exit as CRASHED instead. Both are finished failures that Retry runs again.
    let failed_or_crashed =
        |r: &Value| matches!(r["state"]["type"].as_str(), Some("FAILED" | "CRASHED"));
    let failed = rest.wait_run(&id, 120, failed_or_crashed).await;
    assert_eq!(failed["run_count"], 1);
    let retried = call_ok(&s, "retry_flow_run", json!({"flow_run": name})).await;
    assert_eq!(retried["state"]["name"], "AwaitingRetry", "{retried}");
    // The runner runs an AwaitingRetry run again on Prefect 3.9 (verified: run_count 1 -> 2).
    // On 3.4.25 a run whose process crashed stays as it was after the state change; README
    // (Versions, pins and differences) says so. The state change itself is checked above.
    if runner_reruns_retried_runs() {
        let again = rest
            .wait_run(&id, 120, |r| {
                r["run_count"].as_u64() >= Some(2)
                    && FINAL.contains(&r["state"]["type"].as_str().unwrap_or(""))
            })
            .await;
        assert!(failed_or_crashed(&again), "{again}");
        assert_eq!(
            again["labels"][ACTOR_LABEL], "prefect-mcp-server",
            "{again}"
        );
    }
    // A run that has not finished cannot be retried.
    let running = rest
        .start_run("mcp-slow/slow", &unique("writes-running"))
        .await;
    let err = call_err(&s, "retry_flow_run", json!({"flow_run": running})).await;
    assert!(err.contains("only a finished run"), "{err}");
    rest.ok(
        "POST",
        &format!("/flow_runs/{running}/set_state"),
        Some(json!({"state": {"type": "CANCELLED"}, "force": true})),
    )
    .await;
}

#[tokio::test]
async fn destructive_calls_need_a_person_or_the_operators_flag() {
    let (rest, s) = (Rest::new(), connect().await.unwrap());
    let name = unique("writes-delete");
    let id = rest.start_run("mcp-hello/hello", &name).await;
    rest.wait_run(&id, 120, |r| r["state"]["type"] == "COMPLETED")
        .await;
    let err = call_err(&s, "delete_flow_run", json!({"flow_run": name})).await;
    assert!(
        err.contains(&format!("Delete flow run \"{name}\" (COMPLETED"))
            && err.contains("cannot be undone")
            && err.contains("nothing was changed")
            && err.contains("--allow-unconfirmed-writes"),
        "{err}"
    );
    let err = call_err(
        &s,
        "set_flow_run_state",
        json!({"flow_run": id, "state": "FAILED", "message": "no"}),
    )
    .await;
    assert!(err.contains("--allow-unconfirmed-writes"), "{err}");
    assert_eq!(rest.flow_run(&id).await["state"]["type"], "COMPLETED");

    let allowed = unconfirmed().await;
    let forced = call_ok(
        &allowed,
        "set_flow_run_state",
        json!({"flow_run": id, "state": "failed", "message": "forced by a test"}),
    )
    .await;
    assert_eq!(forced["state"]["type"], "FAILED", "{forced}");
    let read = rest.flow_run(&id).await;
    assert_eq!(read["state"]["message"], "forced by a test", "{read}");
    assert_eq!(read["labels"][ACTOR_LABEL], "prefect-mcp-server", "{read}");
    let deleted = call_ok(&allowed, "delete_flow_run", json!({"flow_run": id})).await;
    assert_eq!(deleted["deleted"], true, "{deleted}");
    let (status, _) = rest.send("GET", &format!("/flow_runs/{id}"), None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn bulk_cancel_states_the_count_and_cancels_only_when_allowed() {
    let (rest, s) = (Rest::new(), connect().await.unwrap());
    let tag = unique("writes-bulk");
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(
            rest.future_run("mcp-slow/slow", &format!("{tag}-{i}"), &tag)
                .await,
        );
    }
    let arguments = json!({"deployment": "mcp-slow/slow", "state": "scheduled",
                           "filter_criteria": {"tags": {"all_": [tag]}}});
    let err = call_err(&s, "cancel_flow_runs", arguments.clone()).await;
    assert!(
        err.contains("Cancel 4 SCHEDULED runs of deployment \"mcp-slow/slow\"")
            && err.contains(&format!("{tag}-0"))
            && err.contains("nothing was changed"),
        "{err}"
    );
    for id in &ids {
        assert_eq!(rest.flow_run(id).await["state"]["type"], "SCHEDULED");
    }
    let done = call_ok(&unconfirmed().await, "cancel_flow_runs", arguments).await;
    assert_eq!(
        (done["matched"].clone(), done["cancelled"].clone()),
        (json!(4), json!(4)),
        "{done}"
    );
    for id in &ids {
        let run = rest.flow_run(id).await;
        assert_eq!(run["state"]["type"], "CANCELLED", "{run}");
    }
    let err = call_err(&s, "cancel_flow_runs", json!({})).await;
    assert!(
        err.contains("deployment, state or filter_criteria"),
        "{err}"
    );
}

#[tokio::test]
async fn a_paused_run_resumed_with_run_input_completes_with_it() {
    let (rest, s) = (Rest::new(), connect().await.unwrap());
    let id = rest
        .start_run("mcp-approval/approval", &unique("writes-approval"))
        .await;
    rest.wait_run(&id, 120, |r| r["state"]["type"] == "PAUSED")
        .await;
    // Without elicitation and without run_input: every field and its type is named.
    let err = call_err(&s, "resume_flow_run", json!({"flow_run": id})).await;
    assert!(
        err.contains("approved (boolean, required")
            && err.contains("note (string, default \"no note\"")
            && err.contains("stays paused"),
        "{err}"
    );
    let err = call_err(
        &s,
        "resume_flow_run",
        json!({"flow_run": id, "run_input": {"approved": "maybe"}}),
    )
    .await;
    assert!(err.contains("approved"), "{err}");
    assert_eq!(rest.flow_run(&id).await["state"]["type"], "PAUSED");
    // Valid values from the model alone do not pass Prefect's human gate.
    let err = call_err(
        &s,
        "resume_flow_run",
        json!({"flow_run": id, "run_input": {"approved": true}}),
    )
    .await;
    assert!(err.contains("needs a person's confirmation"), "{err}");
    assert_eq!(rest.flow_run(&id).await["state"]["type"], "PAUSED");
    let resumed = call_ok(
        &unconfirmed().await,
        "resume_flow_run",
        json!({"flow_run": id, "run_input": {"approved": true, "note": "from run_input"}}),
    )
    .await;
    assert_eq!(resumed["run_input"]["note"], "from run_input", "{resumed}");
    let done = rest
        .wait_run(&id, 120, |r| {
            FINAL.contains(&r["state"]["type"].as_str().unwrap_or(""))
        })
        .await;
    assert_eq!(done["state"]["type"], "COMPLETED", "{done}");
    rest.wait_log(&id, "approved=True note=from run_input")
        .await;
    let err = call_err(&s, "resume_flow_run", json!({"flow_run": id})).await;
    assert!(err.contains("is not paused"), "{err}");
}

#[tokio::test]
async fn read_only_keeps_the_readers_and_drops_every_write() {
    let s = connect_with(Launch::default().arg("--read-only"))
        .await
        .unwrap();
    let tools: Vec<String> = s
        .list_all_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    for reader in ["list_variables", "get_variable", "get_deployment_by_id"] {
        assert!(tools.contains(&reader.to_string()), "{reader}: {tools:?}");
    }
    for writer in [
        "pause_deployment",
        "update_deployment",
        "retry_flow_run",
        "set_flow_run_state",
        "delete_flow_run",
        "resume_flow_run",
        "cancel_flow_runs",
        "pause_work_pool",
        "resume_work_queue",
        "enable_automation",
        "set_variable",
        "delete_variable",
    ] {
        assert!(!tools.contains(&writer.to_string()), "{writer}: {tools:?}");
    }
}

#[tokio::test]
async fn each_write_leaves_one_audit_line_naming_its_target() {
    let rest = Rest::new();
    let pool = unique("writes-audit-pool");
    rest.ok(
        "POST",
        "/work_pools/",
        Some(json!({"name": pool, "type": "process"})),
    )
    .await;
    let mut server = RawStdioServer::start();
    let reply = server.request(
        2,
        "tools/call",
        json!({"name": "pause_work_pool", "arguments": {"name": pool}}),
    );
    assert_ne!(reply["result"]["isError"], Value::Bool(true), "{reply}");
    let line = server.wait_for_log(|l| l.contains("pause_work_pool") && l.contains("write"));
    let id = rest.get(&format!("/work_pools/{pool}")).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        line.contains(&id) && line.contains(&pool) && line.contains("outcome=\"ok\""),
        "{line}"
    );
    rest.ok("DELETE", &format!("/work_pools/{pool}"), None)
        .await;
}

/// Whether the Prefect under test (`PREFECT_TEST_VERSION`, set by `cargo xtask test`) is a
/// release whose runner was seen to run a retried run again: 3.9 and later.
fn runner_reruns_retried_runs() -> bool {
    let version = std::env::var("PREFECT_TEST_VERSION").unwrap_or_else(|_| "3.9.1".into());
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0)) >= (3, 9)
}
