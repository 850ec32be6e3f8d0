//! Prompts, resources, completions and live updates through two real third-party clients: the
//! Python MCP SDK 2.x (protocol 2026-07-28, `subscriptions/listen`) and the TypeScript SDK
//! (protocol 2025-11-25, `resources/subscribe`), both installed by `cargo xtask test`; a missing
//! tool chain fails the test.

use std::process::Command;

use integration_tests::{
    clients_node_modules, clients_python, prefect_api_url, run_client_script, server_binary,
    workspace_root,
};

#[test]
fn python_sdk_2_prompts_resources_completions_and_listen() {
    // Once, in a full-suite run on Prefect 3.4.25, this session timed out inside the SDK's
    // listen task group. The cause: a `subscriptions/listen` whose first read of the run failed
    // (Prefect busy) dropped the run, so no update ever came; the server now keeps watching it
    // (tests/tests/resilience.rs shows it). No second attempt: a failure is a failure.
    let summary = run_client_script(
        Command::new(clients_python())
            .arg(workspace_root().join("tests/python/context_client.py"))
            .arg(server_binary())
            .arg(prefect_api_url())
            .env_remove("PYTHONPATH")
            .env_remove("PYTHONHOME")
            .env("PYTHONDONTWRITEBYTECODE", "1"),
    );
    assert_eq!(summary["protocol"], "2026-07-28", "{summary}");
    assert!(
        summary["listen_updates"].as_u64().unwrap_or(0) >= 1,
        "{summary}"
    );
}

#[test]
fn typescript_sdk_prompts_resources_completions_and_subscribe() {
    let summary = run_client_script(
        Command::new("node")
            .arg(workspace_root().join("tests/node/context_client.cjs"))
            .arg(server_binary())
            .arg(prefect_api_url())
            .env("NODE_PATH", clients_node_modules()),
    );
    assert!(
        summary["subscribe_updates"].as_u64().unwrap_or(0) >= 1,
        "{summary}"
    );
}
