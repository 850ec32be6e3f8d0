//! `cargo xtask bench`: how fast and how small the server is, against the local real Prefect.
//!
//! Prints one table: cold start to the first `tools/list` answer; idle and peak RSS; the size
//! of the tool list (whole, and the part a model reads);
//! p50/p99 of `get_flow_by_id` through MCP next to the same HTTP request made directly (the
//! floor); p50/p99 of completing a deployment name (`completion/complete`) next to the Prefect
//! query it starts from; calls per second at concurrency 1, 16 and 64 over HTTP, with their error counts;
//! release binary size; the cost of the size bound every answer passes at the call seam
//! (`seam`). Needs PREFECT_API_URL (xtask sets it) and the release binary
//! (PREFECT_MCP_SERVER_BIN); `bench seam` prints only the seam's lines, which need neither.

#[path = "bench/seam.rs"]
mod seam;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use integration_tests::{free_port, prefect_api_url, server_binary};
use rmcp::model::CallToolRequestParams;
use rmcp::transport::{ConfigureCommandExt, TokioChildProcess};
use rmcp::ServiceExt;
use serde_json::{json, Value};

const COLD_STARTS: usize = 20;
const LATENCY_CALLS: usize = 300;
const THROUGHPUT_CALLS: usize = 1200;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// VmRSS / VmHWM of a process, in MB.
fn memory_mb(pid: u32, field: &str) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .with_context(|| format!("{field} missing in /proc/{pid}/status"))?;
    Ok(kb / 1024.0)
}

/// Spawn the binary and time initialize + tools/list over raw stdio.
fn cold_start(binary: &std::path::Path, api_url: &str) -> Result<(Duration, Child)> {
    let started = Instant::now();
    let mut child = Command::new(binary)
        .env("PREFECT_API_URL", api_url)
        .env("RUST_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut stdin = child.stdin.take().context("stdin")?;
    let mut stdout = BufReader::new(child.stdout.take().context("stdout")?);
    let mut line = String::new();
    writeln!(
        stdin,
        r#"{{"jsonrpc":"2.0","id":1,"method":"initialize","params":{{"protocolVersion":"2025-06-18","capabilities":{{}},"clientInfo":{{"name":"bench","version":"0"}}}}}}"#
    )?;
    stdout.read_line(&mut line)?;
    writeln!(
        stdin,
        r#"{{"jsonrpc":"2.0","method":"notifications/initialized"}}"#
    )?;
    writeln!(stdin, r#"{{"jsonrpc":"2.0","id":2,"method":"tools/list"}}"#)?;
    line.clear();
    stdout.read_line(&mut line)?;
    let elapsed = started.elapsed();
    if !line.contains("\"tools\"") {
        bail!("unexpected tools/list answer: {line}");
    }
    // Keep the pipes open (the server exits on EOF) until the caller is done with it.
    std::mem::forget(stdin);
    std::mem::forget(stdout);
    Ok((elapsed, child))
}

async fn mcp_latencies(
    binary: &std::path::Path,
    api_url: &str,
    flow_id: &str,
) -> Result<Vec<Duration>> {
    let transport = TokioChildProcess::new(tokio::process::Command::new(binary).configure(|c| {
        c.env("PREFECT_API_URL", api_url).env("RUST_LOG", "error");
    }))?;
    let client = ().serve(transport).await?;
    let mut samples = Vec::with_capacity(LATENCY_CALLS);
    for i in 0..LATENCY_CALLS + 20 {
        let started = Instant::now();
        let result = client
            .call_tool(
                CallToolRequestParams::new("get_flow_by_id")
                    .with_arguments(rmcp::object!({"flow_id": flow_id})),
            )
            .await?;
        if result.is_error == Some(true) {
            bail!("get_flow_by_id failed: {:?}", result.content);
        }
        if i >= 20 {
            samples.push(started.elapsed());
        }
    }
    client.cancel().await?;
    samples.sort();
    Ok(samples)
}

/// Sizes in bytes of compact JSON: the whole `tools/list` answer with every toolset, and the
/// part a model reads (name, description, inputSchema of each tool).
fn tool_list_sizes(binary: &std::path::Path) -> Result<(usize, usize)> {
    let output = Command::new(binary).arg("tools").output()?;
    if !output.status.success() {
        bail!("`prefect-mcp-server tools` failed");
    }
    let list: Value = serde_json::from_slice(&output.stdout)?;
    let tools = list["tools"].as_array().context("no tools")?;
    let model_visible: Vec<Value> = tools
        .iter()
        .map(|t| json!({"name": t["name"], "description": t["description"], "inputSchema": t["inputSchema"]}))
        .collect();
    Ok((
        serde_json::to_vec(&list)?.len(),
        serde_json::to_vec(&model_visible)?.len(),
    ))
}

/// `completion/complete` of a deployment name from two letters, through MCP over stdio.
async fn completion_latencies(binary: &std::path::Path, api_url: &str) -> Result<Vec<Duration>> {
    let transport = TokioChildProcess::new(tokio::process::Command::new(binary).configure(|c| {
        c.env("PREFECT_API_URL", api_url).env("RUST_LOG", "error");
    }))?;
    let client = ().serve(transport).await?;
    let mut samples = Vec::with_capacity(LATENCY_CALLS);
    for i in 0..LATENCY_CALLS + 20 {
        let started = Instant::now();
        let values = client
            .complete_prompt_simple("deployment_health", "deployment", "he")
            .await?;
        if values.is_empty() {
            bail!("the deployment completion offered nothing");
        }
        if i >= 20 {
            samples.push(started.elapsed());
        }
    }
    client.cancel().await?;
    samples.sort();
    Ok(samples)
}

/// The Prefect query the deployment completion starts from, made directly.
async fn direct_deployments_latencies(api_url: &str) -> Result<Vec<Duration>> {
    let http = reqwest::Client::new();
    let url = format!("{api_url}/deployments/filter");
    let mut samples = Vec::with_capacity(LATENCY_CALLS);
    for i in 0..LATENCY_CALLS + 20 {
        let started = Instant::now();
        let response = http
            .post(&url)
            .header("x-prefect-api-version", "0.8.4")
            .json(&json!({"limit": 200, "sort": "NAME_ASC"}))
            .send()
            .await?;
        let _: Value = response.error_for_status()?.json().await?;
        if i >= 20 {
            samples.push(started.elapsed());
        }
    }
    samples.sort();
    Ok(samples)
}

async fn direct_latencies(api_url: &str, flow_id: &str) -> Result<Vec<Duration>> {
    let http = reqwest::Client::new();
    let url = format!("{api_url}/flows/{flow_id}");
    let mut samples = Vec::with_capacity(LATENCY_CALLS);
    for i in 0..LATENCY_CALLS + 20 {
        let started = Instant::now();
        let response = http
            .get(&url)
            .header("x-prefect-api-version", "0.8.4")
            .send()
            .await?;
        let _: Value = response.error_for_status()?.json().await?;
        if i >= 20 {
            samples.push(started.elapsed());
        }
    }
    samples.sort();
    Ok(samples)
}

/// Calls per second at `concurrency` over stateless HTTP; (rate, errors).
async fn throughput(mcp_url: &str, flow_id: &str, concurrency: usize) -> Result<(f64, usize)> {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "get_flow_by_id", "arguments": {"flow_id": flow_id}}})
    .to_string();
    let url = mcp_url.to_string();
    load(concurrency, move |http: &reqwest::Client| {
        http.post(&url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(body.clone())
    })
    .await
}

/// The same request mix sent straight to Prefect by the same client: the ceiling of the
/// throughput above.
async fn direct_throughput(
    api_url: &str,
    flow_id: &str,
    concurrency: usize,
) -> Result<(f64, usize)> {
    let url = format!("{api_url}/flows/{flow_id}");
    load(concurrency, move |http: &reqwest::Client| {
        http.get(&url).header("x-prefect-api-version", "0.8.4")
    })
    .await
}

/// [`THROUGHPUT_CALLS`] requests made by `concurrency` workers with one client; (rate,
/// errors). An answer counts when its status is a success and, for MCP, the tool succeeded.
async fn load(
    concurrency: usize,
    request: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync + 'static,
) -> Result<(f64, usize)> {
    let http = reqwest::Client::new();
    let request = Arc::new(request);
    let remaining = Arc::new(AtomicUsize::new(THROUGHPUT_CALLS));
    let errors = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (http, remaining, errors, request) = (
                http.clone(),
                remaining.clone(),
                errors.clone(),
                request.clone(),
            );
            tokio::spawn(async move {
                while remaining
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok()
                {
                    let ok = match request(&http).send().await {
                        Ok(response) if response.status().is_success() => response
                            .text()
                            .await
                            .map(|t| !t.contains("\"isError\":true"))
                            .unwrap_or(false),
                        _ => false,
                    };
                    if !ok {
                        errors.fetch_add(1, Ordering::SeqCst);
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await?;
    }
    Ok((
        THROUGHPUT_CALLS as f64 / started.elapsed().as_secs_f64(),
        errors.load(Ordering::SeqCst),
    ))
}

#[tokio::main]
async fn main() -> Result<()> {
    if std::env::args().nth(1).as_deref() == Some("seam") {
        for line in seam::lines() {
            println!("{line}");
        }
        return Ok(());
    }
    let api_url = prefect_api_url();
    let binary = server_binary();
    let http = reqwest::Client::new();
    let flows: Value = http
        .post(format!("{api_url}/flows/filter"))
        .json(&json!({"limit": 1}))
        .send()
        .await?
        .json()
        .await?;
    let flow_id = flows[0]["id"]
        .as_str()
        .context("the server has no flow to read")?
        .to_string();

    // Cold start, and idle RSS of a started, initialised server.
    let mut starts = Vec::new();
    let mut idle_rss = 0.0;
    for i in 0..COLD_STARTS {
        let (elapsed, mut child) = cold_start(&binary, &api_url)?;
        starts.push(elapsed);
        if i == COLD_STARTS - 1 {
            std::thread::sleep(Duration::from_millis(200));
            idle_rss = memory_mb(child.id(), "VmRSS:")?;
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    starts.sort();

    let mcp = mcp_latencies(&binary, &api_url, &flow_id).await?;
    let direct = direct_latencies(&api_url, &flow_id).await?;
    let completion = completion_latencies(&binary, &api_url).await?;
    let direct_deployments = direct_deployments_latencies(&api_url).await?;

    // Throughput over HTTP against one stateless server; its peak RSS afterwards.
    let port = free_port();
    let mut server = Command::new(&binary)
        .args([
            "--transport",
            "http",
            "--stateless",
            "--bind",
            &format!("127.0.0.1:{port}"),
        ])
        .env("PREFECT_API_URL", &api_url)
        .env("RUST_LOG", "error")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            bail!("the HTTP server did not start");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mcp_url = format!("http://127.0.0.1:{port}/mcp");
    std::thread::sleep(Duration::from_millis(200));
    let http_idle_rss = memory_mb(server.id(), "VmRSS:")?;
    let mut rates = Vec::new();
    for concurrency in [1, 16, 64] {
        rates.push((
            concurrency,
            throughput(&mcp_url, &flow_id, concurrency).await?,
        ));
    }
    let peak_rss = memory_mb(server.id(), "VmHWM:")?;
    let direct_64 = direct_throughput(&api_url, &flow_id, 64).await?;
    let _ = server.kill();
    let _ = server.wait();
    let size_mb = std::fs::metadata(&binary)?.len() as f64 / (1024.0 * 1024.0);
    let (tool_list, model_visible) = tool_list_sizes(&binary)?;
    let kb = |bytes: usize| bytes as f64 / 1024.0;

    println!("| measure | value | target |");
    println!("|---|---|---|");
    println!(
        "| cold start to first tools/list (median of {COLD_STARTS}) | {} ms | < 50 ms |",
        ms(percentile(&starts, 0.5))
    );
    println!("| idle RSS (stdio, initialised) | {idle_rss:.1} MB | < 20 MB |");
    println!("| idle RSS (HTTP, stateless, started) | {http_idle_rss:.1} MB | |");
    println!("| peak RSS (HTTP, after 64 concurrent) | {peak_rss:.1} MB | ≤ 20 MB |");
    println!(
        "| get_flow_by_id via MCP (stdio) p50 / p99 | {} / {} ms | |",
        ms(percentile(&mcp, 0.5)),
        ms(percentile(&mcp, 0.99))
    );
    println!(
        "| same GET /flows/{{id}} direct p50 / p99 | {} / {} ms | |",
        ms(percentile(&direct, 0.5)),
        ms(percentile(&direct, 0.99))
    );
    println!(
        "| MCP overhead at p50 | {} ms | < 1 ms |",
        ms(percentile(&mcp, 0.5).saturating_sub(percentile(&direct, 0.5)))
    );
    println!(
        "| completion of a deployment name via MCP (stdio) p50 / p99 | {} / {} ms | |",
        ms(percentile(&completion, 0.5)),
        ms(percentile(&completion, 0.99))
    );
    println!(
        "| same POST /deployments/filter direct p50 / p99 | {} / {} ms | |",
        ms(percentile(&direct_deployments, 0.5)),
        ms(percentile(&direct_deployments, 0.99))
    );
    println!(
        "| completion over direct Prefect at p50 | {} ms | < 10 ms |",
        ms(percentile(&completion, 0.5).saturating_sub(percentile(&direct_deployments, 0.5)))
    );
    for (concurrency, (rate, errors)) in &rates {
        println!("| calls/s over HTTP, concurrency {concurrency} ({THROUGHPUT_CALLS} calls) | {rate:.0} ({errors} errors) | 0 errors |");
    }
    let mcp_64 = rates.last().map_or(0.0, |(_, (rate, _))| *rate);
    println!(
        "| same GET /flows/{{id}} direct, concurrency 64, same client | {:.0} ({} errors) | |",
        direct_64.0, direct_64.1
    );
    println!(
        "| HTTP throughput over direct Prefect at concurrency 64 | {:.2}x | ≥ 0.9x |",
        mcp_64 / direct_64.0
    );
    println!(
        "| tools/list, every toolset (compact JSON) | {:.1} KB | ≤ 25 KB |",
        kb(tool_list)
    );
    println!(
        "| model-visible tool list (name, description, inputSchema) | {:.1} KB | ≤ 20 KB |",
        kb(model_visible)
    );
    println!("| release binary size | {size_mb:.1} MB | |");
    for line in seam::lines() {
        println!("{line}");
    }
    let failed: usize = rates.iter().map(|(_, (_, e))| e).sum();
    if failed > 0 {
        bail!("{failed} calls failed under load");
    }
    Ok(())
}
