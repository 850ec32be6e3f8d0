//! List up to 10 flows and the 3 latest runs of each.
//!
//! ```sh
//! PREFECT_API_URL=http://127.0.0.1:4200/api cargo run -p prefect-api --example list_flows
//! ```
//!
//! `PREFECT_API_KEY` (sent as a Bearer token) and `PREFECT_API_AUTH_STRING` (`user:pass`, sent as
//! Basic auth, and preferred when both are set) are used when present.

use std::process::ExitCode;

use prefect_api::{types, Auth, Client, PrefectCall, PrefectError};

const DEFAULT_URL: &str = "http://127.0.0.1:4200/api";
const MAX_FLOWS: i64 = 10;
const RUNS_PER_FLOW: i64 = 3;

#[tokio::main]
async fn main() -> ExitCode {
    let url = std::env::var("PREFECT_API_URL").unwrap_or_else(|_| DEFAULT_URL.to_string());
    match list_flows(&url).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            if let Some(hint) = hint(&err) {
                eprintln!("hint: {hint}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn list_flows(url: &str) -> Result<(), PrefectError> {
    let api_key = std::env::var("PREFECT_API_KEY").ok();
    let auth_string = std::env::var("PREFECT_API_AUTH_STRING").ok();
    let client = Client::builder(url)
        .auth(Auth::from_settings(
            api_key.as_deref(),
            auth_string.as_deref(),
        ))
        .build()?;

    let version = client.read_version().value().await?;
    println!("Prefect {version} at {}", client.api_url());

    let flows = client
        .read_flows(&types::BodyReadFlowsFlowsFilterPost {
            sort: Some(types::FlowSort("NAME_ASC".into())),
            limit: Some(MAX_FLOWS),
            ..Default::default()
        })
        .value()
        .await?;
    if flows.is_empty() {
        println!("no flows yet");
    }
    for flow in &flows {
        println!("\n{}  ({})", flow.name, flow.id);
        let runs = latest_runs(&client, flow.id).await?;
        if runs.is_empty() {
            println!("  no runs");
        }
        for run in &runs {
            println!("  {}", describe_run(run));
        }
    }
    Ok(())
}

async fn latest_runs(
    client: &Client,
    flow_id: uuid::Uuid,
) -> Result<Vec<types::FlowRunResponse>, PrefectError> {
    let body = types::BodyReadFlowRunsFlowRunsFilterPost {
        flows: Some(types::FlowFilter {
            id: Some(types::FlowFilterId {
                any: Some(vec![flow_id]),
                ..Default::default()
            }),
            ..Default::default()
        }),
        sort: Some(types::FlowRunSort("START_TIME_DESC".into())),
        limit: Some(RUNS_PER_FLOW),
        ..Default::default()
    };
    client.read_flow_runs(&body).value().await
}

/// `seed-hello  Completed  started 2026-11-25 18:47:54 UTC`
fn describe_run(run: &types::FlowRunResponse) -> String {
    let name = run.name.as_deref().unwrap_or("(unnamed)");
    let state = run
        .state_name
        .as_deref()
        .or(run.state_type.as_deref().map(String::as_str))
        .unwrap_or("unknown state");
    let when = match (run.start_time, run.expected_start_time) {
        (Some(start), _) => format!("started {}", start.format("%Y-%m-%d %H:%M:%S UTC")),
        (None, Some(expected)) => format!("expected {}", expected.format("%Y-%m-%d %H:%M:%S UTC")),
        (None, None) => "not scheduled".to_string(),
    };
    format!("{name:<32} {state:<12} {when}")
}

fn hint(err: &PrefectError) -> Option<&'static str> {
    match err {
        PrefectError::Unreachable { .. } | PrefectError::Timeout { .. } => Some(
            "is the server running? Start one with `prefect server start`, or set PREFECT_API_URL",
        ),
        PrefectError::Unauthorized { .. } => {
            Some("set PREFECT_API_KEY or PREFECT_API_AUTH_STRING for this server")
        }
        PrefectError::InvalidConfig { .. } => {
            Some("PREFECT_API_URL should look like http://127.0.0.1:4200/api")
        }
        _ => None,
    }
}
