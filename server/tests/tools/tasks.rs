//! Sealed tasks (stateless replicas with a shared `--request-state-key`): a task made on one
//! server is answered by another holding the key, from the scripted Prefect's state alone; its
//! result is the blocking call's; `tasks/cancel` is recorded in Prefect (a flow-run input) and
//! seen elsewhere; an altered token or another key's is an unknown task.

use crate::raw_session::RawSession;
use mockito::Matcher;
use prefect_mcp_server::mcp::ask::StateKey;
use prefect_mcp_server::mcp::{McpServer, ServerOptions};
use serde_json::{json, Value};

use crate::fixtures::*;
use crate::harness::{every_toolset, server_for, Harness};

pub(crate) const KEY: &str = "a-shared-secret-of-at-least-32-bytes!";

pub(crate) fn stateless(key: Option<&str>) -> ServerOptions {
    ServerOptions {
        stateless: true,
        request_state_key: key.map(|k| StateKey::from_secret(k).unwrap()),
        ..every_toolset()
    }
}

/// A client of one server in this process, speaking raw JSON-RPC lines, that declared the
/// tasks extension.
pub(crate) struct Client {
    raw: RawSession,
    next_id: u64,
    capabilities: Value,
}

impl Client {
    pub(crate) async fn of(server: McpServer) -> Self {
        let mut client = Client {
            raw: RawSession::serve(server),
            next_id: 1,
            capabilities: Value::Null,
        };
        let init = client
            .request(
                "initialize",
                json!({"protocolVersion": "2025-11-25",
                       "capabilities": {"extensions": {"io.modelcontextprotocol/tasks": {}}},
                       "clientInfo": {"name": "fast-tier", "version": "1"}}),
            )
            .await;
        client.capabilities = init["result"]["capabilities"].clone();
        client
            .send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .await;
        client
    }

    async fn send(&mut self, message: Value) {
        self.raw.send(message).await;
    }

    /// The whole JSON-RPC reply (`result` or `error`).
    async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        loop {
            let message = self.raw.next().await;
            if message["id"] == id {
                return message;
            }
        }
    }

    pub(crate) async fn call(&mut self, tool: &str, arguments: Value) -> Value {
        let reply = self
            .request("tools/call", json!({"name": tool, "arguments": arguments}))
            .await;
        reply["result"].clone()
    }

    /// `wait_for_flow_run` on the fixture run for up to 600 s: a task, for a client of tasks.
    pub(crate) async fn wait_for_run(&mut self) -> Value {
        self.call(
            "wait_for_flow_run",
            json!({"flow_run_id": COMPLETED_RUN_ID, "timeout": 600}),
        )
        .await
    }

    pub(crate) async fn task(&mut self, method: &str, task_id: &str) -> Value {
        let mut params = json!({"taskId": task_id});
        if method == "tasks/update" {
            params["inputResponses"] = json!({});
        }
        self.request(method, params).await
    }
}

fn run_path() -> String {
    format!("/api/flow_runs/{COMPLETED_RUN_ID}")
}

fn stop_record() -> Matcher {
    Matcher::Regex(format!(
        "^/api/flow_runs/{COMPLETED_RUN_ID}/input/prefect-mcp-wait-stopped-[0-9a-f]{{32}}$"
    ))
}

pub(crate) fn running_run() -> String {
    with(
        &run_in_state(FLOW_RUN_COMPLETED, "RUNNING", "Running"),
        json!({"end_time": null}),
    )
}

/// `value` without `waited_seconds` in the structured result and its text twin: the only
/// field that depends on when the blocking call looked.
fn without_waited_seconds(mut result: Value) -> Value {
    result["structuredContent"]
        .as_object_mut()
        .map(|o| o.remove("waited_seconds"));
    let text = result["content"][0]["text"].as_str().unwrap_or("{}");
    let mut twin: Value = serde_json::from_str(text).unwrap();
    twin.as_object_mut().map(|o| o.remove("waited_seconds"));
    result["content"][0]["text"] = twin;
    result
}

#[tokio::test]
async fn a_task_made_on_one_replica_is_answered_by_another_with_the_blocking_result() {
    let mut h = Harness::with_options(stateless(Some(KEY))).await;
    let other_replica = server_for(&h.api_url(), &stateless(Some(KEY)));
    let mut a = Client::of(h.server.clone()).await;
    let mut b = Client::of(other_replica).await;
    assert!(
        a.capabilities["extensions"]["io.modelcontextprotocol/tasks"].is_object(),
        "{}",
        a.capabilities
    );
    let no_stop = h
        .prefect
        .mock("GET", stop_record())
        .with_status(404)
        .with_body(r#"{"detail": "Flow run input not found"}"#)
        .expect(2)
        .create_async()
        .await;
    let running = h
        .prefect
        .mock("GET", run_path().as_str())
        .with_body(running_run())
        .create_async()
        .await;

    let created = a.wait_for_run().await;
    assert_eq!(created["resultType"], "task", "{created}");
    let task_id = created["taskId"].as_str().unwrap().to_string();
    assert_eq!(created["status"], "working", "{created}");

    let working = b.task("tasks/get", &task_id).await["result"].clone();
    assert_eq!(working["status"], "working", "{working}");
    assert_eq!(
        working["statusMessage"],
        format!("flow run {COMPLETED_RUN_ID} is Running"),
        "{working}"
    );

    running.remove_async().await;
    h.answer(
        "GET",
        &format!("/flow_runs/{COMPLETED_RUN_ID}"),
        FLOW_RUN_COMPLETED,
    )
    .await;
    let done = b.task("tasks/get", &task_id).await["result"].clone();
    assert_eq!(done["status"], "completed", "{done}");
    let blocking = h
        .call(
            "wait_for_flow_run",
            json!({"flow_run_id": COMPLETED_RUN_ID, "timeout": 600}),
        )
        .await;
    let blocking = serde_json::to_value(&blocking).unwrap();
    assert_eq!(
        without_waited_seconds(done["result"].clone()),
        without_waited_seconds(blocking),
        "the task's result is the blocking call's"
    );
    assert_eq!(done["result"]["structuredContent"]["wait"], "final_state");
    no_stop.assert_async().await;
}

#[tokio::test]
async fn the_created_runs_task_answers_as_create_flow_run_from_deployment() {
    let mut h = Harness::with_options(stateless(Some(KEY))).await;
    h.answer(
        "GET",
        &format!("/deployments/{PARAMS_DEPLOYMENT_ID}"),
        DEPLOYMENT_PARAMS,
    )
    .await;
    let create = h
        .mock(
            "POST",
            &format!("/deployments/{PARAMS_DEPLOYMENT_ID}/create_flow_run"),
        )
        .with_status(201)
        .with_body(running_run())
        .expect(1)
        .create_async()
        .await;
    h.prefect
        .mock("GET", stop_record())
        .with_status(404)
        .with_body(r#"{"detail": "Flow run input not found"}"#)
        .create_async()
        .await;
    h.answer(
        "GET",
        &format!("/flow_runs/{COMPLETED_RUN_ID}"),
        FLOW_RUN_COMPLETED,
    )
    .await;
    let mut a = Client::of(h.server.clone()).await;
    let created = a
        .call(
            "create_flow_run_from_deployment",
            json!({"deployment_id": PARAMS_DEPLOYMENT_ID, "timeout": 60}),
        )
        .await;
    // The run is made in the request, once; the wait is the task's.
    create.assert_async().await;
    let task_id = created["taskId"].as_str().expect("a task").to_string();
    let mut b = Client::of(server_for(&h.api_url(), &stateless(Some(KEY)))).await;
    let done = b.task("tasks/get", &task_id).await["result"].clone();
    assert_eq!(done["status"], "completed", "{done}");
    let result = &done["result"]["structuredContent"];
    let deployment = parse(DEPLOYMENT_PARAMS);
    assert_eq!(result["deployment_id"], PARAMS_DEPLOYMENT_ID, "{result}");
    assert_eq!(result["deployment_name"], deployment["name"], "{result}");
    assert_eq!(result["flow_run_id"], COMPLETED_RUN_ID, "{result}");
    assert_eq!(result["wait"], "final_state", "{result}");
    assert_eq!(result["flow_run"]["state"]["type"], "COMPLETED", "{result}");
}

#[tokio::test]
async fn cancel_is_recorded_in_prefect_and_seen_by_another_replica() {
    let mut h = Harness::with_options(stateless(Some(KEY))).await;
    let mut a = Client::of(h.server.clone()).await;
    let mut b = Client::of(server_for(&h.api_url(), &stateless(Some(KEY)))).await;
    h.answer(
        "GET",
        &format!("/flow_runs/{COMPLETED_RUN_ID}"),
        &running_run(),
    )
    .await;
    let no_stop = h
        .prefect
        .mock("GET", stop_record())
        .with_status(404)
        .with_body(r#"{"detail": "Flow run input not found"}"#)
        .create_async()
        .await;
    let created = a.wait_for_run().await;
    let task_id = created["taskId"].as_str().unwrap().to_string();
    let record = h
        .prefect
        .mock(
            "POST",
            format!("/api/flow_runs/{COMPLETED_RUN_ID}/input").as_str(),
        )
        .match_body(Matcher::Regex(
            r#""key":"prefect-mcp-wait-stopped-[0-9a-f]{32}""#.into(),
        ))
        .with_status(201)
        .with_body("null")
        .expect(1)
        .create_async()
        .await;
    let cancelled = b.task("tasks/cancel", &task_id).await;
    assert!(cancelled["result"].is_object(), "{cancelled}");
    record.assert_async().await;
    no_stop.remove_async().await;
    h.prefect
        .mock("GET", stop_record())
        .with_header("content-type", "text/plain")
        .with_body(r#"{"stopped_at": "2026-12-04T12:00:00Z"}"#)
        .create_async()
        .await;
    let seen = a.task("tasks/get", &task_id).await["result"].clone();
    assert_eq!(seen["status"], "cancelled", "{seen}");
    assert_eq!(
        seen["statusMessage"],
        format!(
            "Stopped waiting for flow run {COMPLETED_RUN_ID}: the request was cancelled. The \
             run goes on; cancel_flow_run stops it."
        ),
        "the in-process cancel's words: {seen}"
    );
}

#[tokio::test]
async fn altered_and_foreign_key_task_ids_are_unknown_tasks() {
    let mut h = Harness::with_options(stateless(Some(KEY))).await;
    h.answer(
        "GET",
        &format!("/flow_runs/{COMPLETED_RUN_ID}"),
        &running_run(),
    )
    .await;
    let mut a = Client::of(h.server.clone()).await;
    let created = a.wait_for_run().await;
    let task_id = created["taskId"].as_str().unwrap().to_string();
    let watch = h.watch_for_requests().await;
    let mut altered = task_id.clone().into_bytes();
    let at = altered.len() / 2;
    altered[at] = if altered[at] == b'x' { b'y' } else { b'x' };
    let altered = String::from_utf8(altered).unwrap();
    let other_key = stateless(Some("another-shared-secret-of-32-bytes-or-more"));
    let mut elsewhere = Client::of(server_for(&h.api_url(), &other_key)).await;
    for (client, id) in [(&mut a, altered.as_str()), (&mut elsewhere, &task_id)] {
        for method in ["tasks/get", "tasks/cancel", "tasks/update"] {
            let reply = client.task(method, id).await;
            assert_eq!(reply["error"]["code"], -32602, "{method}: {reply}");
            let message = reply["error"]["message"].as_str().unwrap_or_default();
            assert!(message.starts_with("Unknown task"), "{method}: {reply}");
            assert!(!message.contains(COMPLETED_RUN_ID), "no details: {reply}");
        }
    }
    watch.assert_nothing_sent();
}

#[tokio::test]
async fn stateless_without_a_key_offers_no_tasks_and_waits_in_the_call() {
    let mut h = Harness::with_options(stateless(None)).await;
    h.answer(
        "GET",
        &format!("/flow_runs/{COMPLETED_RUN_ID}"),
        FLOW_RUN_COMPLETED,
    )
    .await;
    let mut a = Client::of(h.server.clone()).await;
    assert!(
        a.capabilities["extensions"]["io.modelcontextprotocol/tasks"].is_null(),
        "{}",
        a.capabilities
    );
    let result = a.wait_for_run().await;
    assert_eq!(
        result["structuredContent"]["wait"], "final_state",
        "{result}"
    );
}

#[tokio::test]
async fn there_is_no_tasks_list_a_stateless_replica_could_not_answer_it() {
    let h = Harness::with_options(stateless(Some(KEY))).await;
    let mut a = Client::of(h.server.clone()).await;
    let reply = a.request("tasks/list", json!({})).await;
    assert_eq!(reply["error"]["code"], -32601, "method not found: {reply}");
}
