//! Real SDK clients answer the write tools' questions: the Python MCP SDK 2.x (2026-07-28,
//! Multi Round-Trip Requests) and the TypeScript SDK 1.32 (2025-11-25, `elicitation/create`).
//! Each scenario's effect is read back from Prefect's REST API here.

mod writes_support;

use std::process::Command;

use integration_tests::*;
use serde_json::json;
use writes_support::{unique, Rest};

#[tokio::test]
async fn python_sdk_2_confirms_declines_and_fills_in_the_resume_form() {
    let rest = Rest::new();
    let tag = unique("writes-py-bulk");
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(
            rest.future_run("mcp-slow/slow", &format!("{tag}-{i}"), &tag)
                .await,
        );
    }
    let mut command = Command::new(clients_python());
    command
        .arg(workspace_root().join("tests/python/writes_client.py"))
        .arg(server_binary())
        .arg(prefect_api_url())
        .arg(&tag)
        .env_remove("PYTHONPATH")
        .env_remove("PYTHONHOME")
        .env("PYTHONDONTWRITEBYTECODE", "1");
    let summary = tokio::task::spawn_blocking(move || run_client_script(&mut command))
        .await
        .unwrap();
    assert_eq!(summary["protocol"], "2026-07-28", "{summary}");
    // bulk: declined, confirmed; force: confirmed; delete: declined, confirmed; resume: form;
    // stretch: about 3 (yes), again about 6 (no); variable: declined, confirmed, delete;
    // removals: a deployment and a limit, each declined then confirmed.
    assert_eq!(summary["questions"], 15, "{summary}");
    assert_eq!(summary["stretch"]["scheduled"], 6, "{summary}");
    for id in &ids {
        let run = rest.flow_run(id).await;
        assert_eq!(run["state"]["type"], "CANCELLED", "{run}");
    }
    let deleted = summary["delete"]["flow_run_id"].as_str().unwrap();
    let (status, _) = rest
        .send("GET", &format!("/flow_runs/{deleted}"), None)
        .await;
    assert_eq!(status, 404);
    let resumed = summary["resume"]["flow_run_id"].as_str().unwrap();
    assert_eq!(rest.flow_run(resumed).await["state"]["type"], "COMPLETED");
    rest.wait_log(resumed, "approved=True note=typed by python")
        .await;
}

#[tokio::test]
async fn typescript_sdk_answers_elicitation_requests_for_writes() {
    let rest = Rest::new();
    let mut command = Command::new("node");
    command
        .arg(workspace_root().join("tests/node/writes_client.cjs"))
        .arg(server_binary())
        .arg(prefect_api_url())
        .env("NODE_PATH", clients_node_modules());
    let summary = tokio::task::spawn_blocking(move || run_client_script(&mut command))
        .await
        .unwrap();
    // variable: delete declined, overwrite confirmed, delete confirmed; the resume form;
    // automation: replace and delete, each declined then confirmed; flow: declined, confirmed.
    assert_eq!(summary["questions"], 10, "{summary}");
    for path in [
        format!(
            "/automations/{}",
            summary["automation"]["id"].as_str().unwrap()
        ),
        format!("/flows/{}", summary["flow"]["flow_id"].as_str().unwrap()),
        format!(
            "/deployments/{}",
            summary["flow"]["deployment_id"].as_str().unwrap()
        ),
    ] {
        assert_eq!(rest.send("GET", &path, None).await.0, 404, "{path}");
    }
    let variable = summary["variable"]["name"].as_str().unwrap();
    let (status, _) = rest
        .send("GET", &format!("/variables/name/{variable}"), None)
        .await;
    assert_eq!(status, 404, "the confirmed delete happened");
    let resumed = summary["resume"]["flow_run_id"].as_str().unwrap();
    let run = rest.flow_run(resumed).await;
    assert_eq!(run["state"]["type"], "COMPLETED", "{run}");
    rest.wait_log(resumed, "approved=False note=typed in typescript")
        .await;
    assert_eq!(
        summary["resume"]["input"],
        json!({"approved": false, "note": "typed in typescript"})
    );
}
