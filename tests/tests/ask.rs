//! Ask instead of guess: real third-party clients answer what the server asks, in both
//! protocol eras, and long waits run as MCP tasks.
//!
//! - The Python MCP SDK 2.x (2026-07-28, Multi Round-Trip Requests driven by the SDK) over stdio
//!   and over stateless HTTP with two replicas sharing the sealing key.
//! - The TypeScript SDK 1.32 (2025-11-25, `elicitation/create`) over stdio.
//! - rmcp's client with the tasks extension: a slow run as a task, polled to its end; a wait
//!   cancelled mid-way (the run goes on).
//! - A client with neither: the errors list what would have been asked.

use std::process::Command;
use std::time::{Duration, Instant};

use integration_tests::*;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CancelTaskParams, ClientCapabilities, ClientConfig,
    GetTaskParams, Implementation, TaskPayload, TaskStatus,
};
use rmcp::transport::{ConfigureCommandExt, TokioChildProcess};
use rmcp::{ClientHandler, ServiceExt};
use serde_json::{json, Value};

const SHARED_KEY: &str = "test-request-state-key-shared-by-both-replicas";

fn python_script(mode: &str) -> Command {
    let mut command = Command::new(clients_python());
    command
        .arg(workspace_root().join("tests/python/ask_client.py"))
        .arg(mode)
        // No other Python's modules mixed into the venv; no __pycache__ in the source tree.
        .env_remove("PYTHONPATH")
        .env_remove("PYTHONHOME")
        .env("PYTHONDONTWRITEBYTECODE", "1");
    command
}

fn assert_asked_and_answered(summary: &Value) {
    assert_eq!(summary["protocol"], "2026-07-28", "{summary}");
    assert_eq!(summary["questions"], 3, "{summary}");
    assert_eq!(
        summary["form"]["parameters"],
        json!({"region": "eu-west", "batch_size": 50, "mode": "incremental"}),
        "{summary}"
    );
    assert!(
        summary["decline"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("no flow run was created")),
        "{summary}"
    );
    assert!(
        summary["tampered"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("integrity check")),
        "{summary}"
    );
}

#[test]
fn python_sdk_2_over_stdio_chooses_fills_in_and_declines() {
    let summary = run_client_script(
        python_script("stdio")
            .arg(server_binary())
            .arg(prefect_api_url()),
    );
    assert_asked_and_answered(&summary);
}

#[test]
fn python_sdk_2_over_stateless_http_continues_on_the_other_replica() {
    let env = [("PREFECT_MCP_REQUEST_STATE_KEY", SHARED_KEY)];
    let (a, b) = (
        HttpServer::start(&["--stateless"], &env),
        HttpServer::start(&["--stateless"], &env),
    );
    let summary = run_client_script(python_script("http").arg(a.mcp()).arg(b.mcp()));
    assert_asked_and_answered(&summary);
    // Requests alternate between the replicas, so each retry reached the replica that did not
    // ask: the sealed state carried the call across.
    let per_replica = summary["requests_per_replica"].as_array().expect("counts");
    assert!(
        per_replica.iter().all(|n| n.as_u64() >= Some(3)),
        "{summary}"
    );
}

#[test]
fn typescript_sdk_over_stdio_answers_elicitation_requests() {
    let summary = run_client_script(
        Command::new("node")
            .arg(workspace_root().join("tests/node/ask_client.cjs"))
            .arg(server_binary())
            .arg(prefect_api_url())
            .env("NODE_PATH", clients_node_modules()),
    );
    assert_eq!(summary["questions"], 3, "{summary}");
    assert!(summary["form"]["flow_run_id"].is_string(), "{summary}");
}

#[tokio::test]
async fn without_elicitation_the_errors_list_the_candidates_and_missing_parameters() {
    let s = connect().await.unwrap();
    let twins = call_ok(
        &s,
        "filter_flow_runs",
        json!({"filter_criteria": {"name": {"any_": ["seed-twin"]}}}),
    )
    .await;
    let err = call_err(&s, "diagnose_flow_run", json!({"flow_run": "seed-twin"})).await;
    assert!(err.starts_with("Ambiguous"), "{err}");
    for run in twins["flow_runs"].as_array().unwrap() {
        assert!(err.contains(run["id"].as_str().unwrap()), "{err}");
    }
    assert!(
        err.contains("mcp-hello/hello") && err.contains("mcp-params/params"),
        "{err}"
    );

    let name = format!("no-elicitation-{}", uuid::Uuid::new_v4().simple());
    let err = call_err(
        &s,
        "create_flow_run_from_deployment",
        json!({"deployment_id": "mcp-required/required", "name": name}),
    )
    .await;
    assert!(
        err.contains("region (string)")
            && err.contains("batch_size (integer)")
            && err.contains("mode (one of \"full\", \"incremental\")")
            && !err.contains("dry_run"),
        "{err}"
    );
    let runs = call_ok(
        &s,
        "filter_flow_runs",
        json!({"filter_criteria": {"name": {"any_": [name]}}}),
    )
    .await;
    assert_eq!(runs["count"], 0, "{runs}");

    let err = call_err(
        &s,
        "get_deployment_by_name",
        json!({"name": "mcp-hello/helo"}),
    )
    .await;
    assert!(
        err.contains("Not found") && err.contains("Close names: mcp-hello/hello"),
        "{err}"
    );
    s.cancel().await.unwrap();
}

/// rmcp's client, declaring the tasks extension.
#[derive(Clone, Default)]
struct TasksClient;

impl ClientHandler for TasksClient {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::builder().enable_tasks().build(),
            Implementation::new("prefect-mcp-tasks-test", env!("CARGO_PKG_VERSION")),
        )
    }
}

async fn tasks_session() -> rmcp::service::RunningService<rmcp::RoleClient, TasksClient> {
    let transport = TokioChildProcess::new(
        tokio::process::Command::new(server_binary()).configure(|cmd| {
            cmd.env("PREFECT_API_URL", prefect_api_url())
                .env_remove("PREFECT_API_KEY")
                .env("RUST_LOG", "warn");
        }),
    )
    .unwrap();
    TasksClient.serve(transport).await.unwrap()
}

async fn start_task(
    session: &rmcp::service::RunningService<rmcp::RoleClient, TasksClient>,
    tool: &str,
    arguments: Value,
) -> String {
    let params = CallToolRequestParams::new(tool.to_owned())
        .with_arguments(arguments.as_object().cloned().unwrap());
    match session.call_tool_once(params).await.unwrap() {
        CallToolResponse::Task(created) => created.task.task_id,
        other => panic!("{tool} did not answer with a task: {other:?}"),
    }
}

/// Poll `tasks/get` until `done` says so; every status seen on the way.
async fn poll_task(
    session: &rmcp::service::RunningService<rmcp::RoleClient, TasksClient>,
    task_id: &str,
    done: impl Fn(&rmcp::model::GetTaskResult) -> bool,
) -> (rmcp::model::GetTaskResult, Vec<String>) {
    let deadline = Instant::now() + Duration::from_secs(150);
    let mut messages = Vec::new();
    loop {
        let task = session.get_task(GetTaskParams::new(task_id)).await.unwrap();
        if let Some(message) = &task.task.task.status_message {
            messages.push(message.clone());
        }
        if done(&task) {
            return (task, messages);
        }
        assert!(
            Instant::now() < deadline,
            "task {task_id} never got there: {task:?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test]
async fn a_slow_run_as_a_task_is_polled_to_its_final_state() {
    let s = tasks_session().await;
    let extensions = s
        .peer_info()
        .and_then(|i| i.capabilities.extensions.clone())
        .unwrap_or_default();
    assert!(
        extensions.contains_key("io.modelcontextprotocol/tasks"),
        "{extensions:?}"
    );
    let name = format!("task-slow-{}", uuid::Uuid::new_v4().simple());
    let task_id = start_task(
        &s,
        "create_flow_run_from_deployment",
        json!({"deployment_id": "mcp-slow/slow", "name": name, "parameters": {"seconds": 3}, "timeout": 240}),
    )
    .await;
    let (task, messages) = poll_task(&s, &task_id, |t| t.task.status().is_terminal()).await;
    assert_eq!(task.task.status(), TaskStatus::Completed, "{task:?}");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("flow run") && m.contains(" is ")),
        "the status never showed the run's state: {messages:?}"
    );
    let TaskPayload::Completed { result } = &task.task.payload else {
        panic!("{task:?}")
    };
    // The same result as the blocking call: structured CreatedFlowRun.
    let created = result
        .get("structuredContent")
        .unwrap_or_else(|| panic!("no structured result: {result:?}"));
    assert_eq!(created["flow_run_name"], name.as_str(), "{result:?}");
    assert_eq!(created["wait"], "final_state", "{result:?}");
    assert_eq!(
        created["flow_run"]["state"]["type"], "COMPLETED",
        "{result:?}"
    );
    s.cancel().await.unwrap();
}

#[tokio::test]
async fn cancelling_a_wait_task_stops_the_wait_not_the_run() {
    let s = tasks_session().await;
    // A plain create (timeout 0 is not a wait, so no task), then a wait on it as a task.
    let name = format!("task-cancel-{}", uuid::Uuid::new_v4().simple());
    let params = CallToolRequestParams::new("create_flow_run_from_deployment").with_arguments(
        json!({"deployment_id": "mcp-slow/slow", "name": name, "parameters": {"seconds": 600}})
            .as_object()
            .cloned()
            .unwrap(),
    );
    let created = match s.call_tool_once(params).await.unwrap() {
        CallToolResponse::Complete(result) => result.structured_content.unwrap(),
        other => panic!("{other:?}"),
    };
    let run_id = created["flow_run_id"].as_str().unwrap().to_string();
    let task_id = start_task(
        &s,
        "wait_for_flow_run",
        json!({"flow_run_id": run_id, "timeout": 600}),
    )
    .await;
    // Mid-wait, once the runner has started it: the status names the run and its state.
    poll_task(&s, &task_id, |t| {
        t.task
            .task
            .status_message
            .as_deref()
            .is_some_and(|m| m.contains(&run_id) && m.contains("Running"))
    })
    .await;
    s.cancel_task(CancelTaskParams::new(&task_id))
        .await
        .unwrap();
    let (task, _) = poll_task(&s, &task_id, |t| t.task.status().is_terminal()).await;
    assert_eq!(task.task.status(), TaskStatus::Cancelled, "{task:?}");
    let message = task.task.task.status_message.clone().unwrap_or_default();
    assert!(
        message.contains("cancel_flow_run") && message.contains(&run_id),
        "{message}"
    );
    // The run goes on; then cancel it for real, so that the runner is free again.
    let plain = connect().await.unwrap();
    let run = call_ok(&plain, "get_flow_run_by_id", json!({"flow_run_id": run_id})).await;
    let state = run["state"]["type"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        !["COMPLETED", "FAILED", "CANCELLED", "CRASHED"].contains(&state.as_str()),
        "{run}"
    );
    call_ok(&plain, "cancel_flow_run", json!({"flow_run_id": run_id})).await;
    plain.cancel().await.unwrap();
    s.cancel().await.unwrap();
}
