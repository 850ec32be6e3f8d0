//! What an operator's everyday questions cost a model: each answered in one call on the sample
//! world, and the bytes of text the model reads (the result's text content), next to the best
//! peer measured on the same world (PrefectHQ's `prefect-mcp` 0.0.1b13, or the seed server),
//! whose numbers the issue that set these goals recorded.

use anyhow::{Context, Result};
use integration_tests::{call, connect, prefect_api_url, Session};
use serde_json::{json, Value};

/// An operator's question: the one call that answers it, and the best peer's bytes (calls).
struct Question {
    asks: &'static str,
    tool: &'static str,
    arguments: Value,
    peer: Option<(usize, usize)>,
}

fn questions(failed_run: &str, failed_run_id: &str, since: &str) -> Vec<Question> {
    vec![
        Question {
            asks: "why did run X fail?",
            tool: "diagnose_flow_run",
            arguments: json!({"flow_run": failed_run}),
            peer: Some((3994, 2)),
        },
        Question {
            asks: "which deployments had failed runs in the last 24 h?",
            tool: "filter_deployments",
            arguments: json!({"filter_criteria": {"flow_runs": {
                "state": {"type": {"any_": ["FAILED"]}},
                "expected_start_time": {"after_": since}}}}),
            peer: Some((1532, 2)),
        },
        Question {
            asks: "is deployment X paused, and its parameters?",
            tool: "get_deployment_by_name",
            arguments: json!({"name": "mcp-params/params"}),
            peer: Some((1761, 1)),
        },
        Question {
            asks: "the last log lines of run X",
            tool: "get_flow_run_logs",
            arguments: json!({"flow_run_id": failed_run_id}),
            peer: Some((3654, 1)),
        },
        Question {
            asks: "the schedule of deployment X",
            tool: "get_deployment_by_name",
            arguments: json!({"name": "mcp-scheduled/hourly"}),
            peer: None,
        },
        Question {
            asks: "what holds concurrency limit Y?",
            tool: "list_concurrency_limits",
            arguments: json!({}),
            peer: None,
        },
        Question {
            asks: "the latest artifact of key Z",
            tool: "get_artifact",
            arguments: json!({"artifact": "mcp-report"}),
            peer: None,
        },
    ]
}

/// Bytes of the text content a model reads from one call's result.
async fn text_bytes(session: &Session, tool: &str, arguments: &Value) -> Result<usize> {
    let result = call(session, tool, arguments.clone()).await?;
    if result.is_error == Some(true) {
        anyhow::bail!("{tool}({arguments}) failed: {:?}", result.content);
    }
    Ok(result
        .content
        .iter()
        .filter_map(|c| c.as_text())
        .map(|t| t.text.len())
        .sum())
}

/// The sample world's failed run, by name as an operator gives it.
const FAILED_RUN: &str = "seed-fail";

/// One table row per question.
pub async fn lines() -> Result<Vec<String>> {
    let runs: Value = reqwest::Client::new()
        .post(format!("{}/flow_runs/filter", prefect_api_url()))
        .json(&json!({"flow_runs": {"name": {"any_": [FAILED_RUN]}}, "limit": 1}))
        .send()
        .await?
        .json()
        .await?;
    let failed_run_id = runs[0]["id"]
        .as_str()
        .context("the sample world has no run seed-fail")?;
    let session = connect().await.context("starting the server")?;
    let since = (chrono::Utc::now() - chrono::Duration::hours(24)).to_rfc3339();
    let mut lines = Vec::new();
    for question in questions(FAILED_RUN, failed_run_id, &since) {
        let bytes = text_bytes(&session, question.tool, &question.arguments).await?;
        let target = match question.peer {
            Some((peer, 1)) => format!("≤ {peer} B (best peer, 1 call)"),
            Some((peer, calls)) => format!("≤ {peer} B (best peer, {calls} calls)"),
            None => "one call".to_string(),
        };
        lines.push(format!(
            "| \"{}\": {} in 1 call | {bytes} B | {target} |",
            question.asks, question.tool
        ));
    }
    Ok(lines)
}
