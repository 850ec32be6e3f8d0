//! The per-call overhead (`bench overhead`): `get_flow_by_id` through MCP over stdio against
//! the same `GET /flows/{id}` sent straight to Prefect, and what that difference is made of.
//! Two more measures take it apart: the same pairs against an upstream that answers at once (the
//! server's own work, with nobody left asleep long), and `ping` sent hot and after a quiet spell
//! as long as a Prefect answer (what waking a process that slept costs on this machine: no
//! server work is in it).

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use rmcp::model::CallToolRequestParams;
use rmcp::service::{RoleClient, RunningService};
use serde_json::json;

use crate::latency::{
    direct, first_flow_id, ms, percentile, stdio_client, BareStdio, LATENCY_CALLS, WARM_UP_CALLS,
};

/// About what Prefect takes to answer `GET /flows/{id}` here: the quiet before each late ping.
const QUIET: Duration = Duration::from_millis(5);

/// `get_flow_by_id` through MCP over stdio, and the `GET /flows/{id}` it makes sent straight
/// to Prefect, one of each in turn: the overhead is their difference, and load that comes and
/// goes on the machine (other builds) falls on both sides alike instead of on whichever ran
/// while it lasted.
/// Returns the MCP and direct latencies, and each pair's difference (MCP minus direct, at
/// least zero), each list sorted.
async fn paired(
    binary: &Path,
    api_url: &str,
    flow_id: &str,
    bare: bool,
) -> Result<(Vec<Duration>, Vec<Duration>, Vec<Duration>)> {
    let mut client = if bare {
        McpClient::Bare(BareStdio::start(binary, api_url)?)
    } else {
        McpClient::Rmcp(stdio_client(binary, api_url).await?)
    };
    let http = reqwest::Client::new();
    let url = format!("{api_url}/flows/{flow_id}");
    let (mut mcp, mut straight, mut pairs) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..LATENCY_CALLS + WARM_UP_CALLS {
        let started = Instant::now();
        client.get_flow(i + 10, flow_id).await?;
        let through_mcp = started.elapsed();
        let started = Instant::now();
        direct(http.get(&url)).await?;
        if i >= WARM_UP_CALLS {
            let direct = started.elapsed();
            mcp.push(through_mcp);
            straight.push(direct);
            pairs.push(through_mcp.saturating_sub(direct));
        }
    }
    client.close().await?;
    mcp.sort();
    straight.sort();
    pairs.sort();
    Ok((mcp, straight, pairs))
}

/// How the bench speaks MCP: rmcp's client (as a Rust host would), or a bare client that writes
/// each request line and reads its answer line, so that what is measured is the server's cost
/// alone (rmcp's client adds its own, about 0.3 ms a call here).
enum McpClient {
    Rmcp(RunningService<RoleClient, ()>),
    Bare(BareStdio),
}

impl McpClient {
    async fn get_flow(&mut self, id: usize, flow_id: &str) -> Result<()> {
        match self {
            McpClient::Rmcp(client) => {
                let result = client
                    .call_tool(
                        CallToolRequestParams::new("get_flow_by_id")
                            .with_arguments(rmcp::object!({"flow_id": flow_id})),
                    )
                    .await?;
                if result.is_error == Some(true) {
                    bail!("get_flow_by_id failed: {:?}", result.content);
                }
            }
            McpClient::Bare(bare) => {
                let answer = bare.request(&json!({
                    "jsonrpc": "2.0", "id": id, "method": "tools/call",
                    "params": {"name": "get_flow_by_id", "arguments": {"flow_id": flow_id}},
                }))?;
                if !answer.contains("\"isError\":false") {
                    bail!("get_flow_by_id failed: {answer}");
                }
            }
        }
        Ok(())
    }

    async fn close(self) -> Result<()> {
        match self {
            McpClient::Rmcp(client) => {
                client.cancel().await?;
            }
            McpClient::Bare(bare) => bare.close(),
        }
        Ok(())
    }
}

/// The per-call overhead alone (`bench overhead`): the paired latencies, their p50s' difference,
/// and the median of each pair's difference (steadier when Prefect's own time drifts); then the
/// same against an upstream that answers at once, and the hot and late pings.
pub async fn overhead_lines(api_url: &str, binary: &Path) -> Result<Vec<String>> {
    let flow_id = first_flow_id(api_url).await?;
    let mut lines = Vec::new();
    for (bare, client) in [(true, "a bare JSON-RPC client"), (false, "rmcp's client")] {
        let (mcp, direct, pairs) = paired(binary, api_url, &flow_id, bare).await?;
        lines.extend([
            format!(
                "| get_flow_by_id via MCP (stdio, {client}) p50 / p99 | {} / {} ms | |",
                ms(percentile(&mcp, 0.5)),
                ms(percentile(&mcp, 0.99))
            ),
            format!(
                "| same GET /flows/{{id}} direct, in turn with those calls, p50 / p99 | {} / {} ms | |",
                ms(percentile(&direct, 0.5)),
                ms(percentile(&direct, 0.99))
            ),
            overhead_line(&format!("MCP overhead at p50 ({client})"), &mcp, &direct, &pairs, if bare { "< 0.2 ms" } else { "" }),
        ]);
    }
    let (upstream, _flow) = instant_upstream(api_url, &flow_id).await?;
    let (mcp, direct, pairs) = paired(binary, &upstream, &flow_id, true).await?;
    lines.push(overhead_line(
        "the same overhead against an upstream that answers at once (a stub in the bench serving the flow Prefect gave; a bare client)",
        &mcp, &direct, &pairs, "",
    ));
    let hot = pings(binary, api_url, None)?;
    let late = pings(binary, api_url, Some(QUIET))?;
    lines.push(format!(
        "| `ping` over stdio (no work at all), p50: sent hot / after {} ms of quiet | {} / {} ms | |",
        QUIET.as_millis(),
        ms(percentile(&hot, 0.5)),
        ms(percentile(&late, 0.5))
    ));
    Ok(lines)
}

fn overhead_line(
    what: &str,
    mcp: &[Duration],
    direct: &[Duration],
    pairs: &[Duration],
    target: &str,
) -> String {
    format!(
        "| {what}: difference of the p50s / median of the {} pairs' differences | {} / {} ms | {target} |",
        pairs.len(),
        ms(percentile(mcp, 0.5).saturating_sub(percentile(direct, 0.5))),
        ms(percentile(pairs, 0.5)),
    )
}

/// An HTTP server in this process that answers `GET /flows/{flow_id}` at once with the flow
/// Prefect gave: its API URL, and the answer (kept while it is served).
async fn instant_upstream(api_url: &str, flow_id: &str) -> Result<(String, StubbedFlow)> {
    let flow = reqwest::get(format!("{api_url}/flows/{flow_id}"))
        .await?
        .error_for_status()?
        .text()
        .await?;
    let mut server = mockito::Server::new_async().await;
    let mock = server
        .mock("GET", format!("/api/flows/{flow_id}").as_str())
        .with_header("content-type", "application/json")
        .with_body(flow)
        .create_async()
        .await;
    Ok((
        format!("{}/api", server.url()),
        StubbedFlow {
            _server: server,
            _mock: mock,
        },
    ))
}

/// The stub server and its one answer: both live as long as this does.
struct StubbedFlow {
    _server: mockito::ServerGuard,
    _mock: mockito::Mock,
}

/// `ping` over a bare client, each after `quiet` when given: its round trips, sorted.
fn pings(binary: &Path, api_url: &str, quiet: Option<Duration>) -> Result<Vec<Duration>> {
    let mut bare = BareStdio::start(binary, api_url)?;
    let mut samples = Vec::with_capacity(LATENCY_CALLS);
    for i in 0..LATENCY_CALLS + WARM_UP_CALLS {
        if let Some(quiet) = quiet {
            std::thread::sleep(quiet);
        }
        let started = Instant::now();
        let answer = bare.request(&json!({"jsonrpc": "2.0", "id": i + 10, "method": "ping"}))?;
        let elapsed = started.elapsed();
        if !answer.contains("\"result\"") {
            bail!("unexpected ping answer: {answer}");
        }
        if i >= WARM_UP_CALLS {
            samples.push(elapsed);
        }
    }
    bare.close();
    samples.sort();
    Ok(samples)
}
