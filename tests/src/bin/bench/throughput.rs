//! Load over HTTP: calls per second against one stateless server at a given concurrency, the
//! same requests sent straight to Prefect, and the server's memory.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use integration_tests::free_port;
use serde_json::json;

const THROUGHPUT_CALLS: usize = 1200;
/// Rounds of the comparison with direct Prefect, and calls per side in each. Both sides of a
/// round meet Prefect in the same state: its own rate drifts by 10-20 % within a minute (SQLite,
/// its background services), which made one MCP run against one later direct run read anywhere
/// from 0.84x to 1.04x.
const PAIRED_ROUNDS: usize = 5;
const PAIRED_CALLS: usize = 600;

/// How many calls each throughput measure makes.
pub fn calls() -> usize {
    THROUGHPUT_CALLS
}

/// VmRSS / VmHWM of a process, in MB.
pub fn memory_mb(pid: u32, field: &str) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .with_context(|| format!("{field} missing in /proc/{pid}/status"))?;
    Ok(kb / 1024.0)
}

/// A stateless HTTP server on a free port, once it accepts connections; it and its MCP URL.
fn start_http_server(binary: &Path, api_url: &str) -> Result<(Child, String)> {
    let port = free_port();
    let server = Command::new(binary)
        .args([
            "--transport",
            "http",
            "--stateless",
            "--bind",
            &format!("127.0.0.1:{port}"),
        ])
        .env("PREFECT_API_URL", api_url)
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
    Ok((server, format!("http://127.0.0.1:{port}/mcp")))
}

/// One stateless HTTP server under the throughput loads at concurrency 1, 16 and 64, still
/// running for more load: its idle RSS before them and its peak RSS after.
pub struct LoadedServer {
    pub server: Child,
    pub mcp_url: String,
    pub idle_rss: f64,
    /// (concurrency, (calls per second, errors)).
    pub rates: Vec<(usize, (f64, usize))>,
    pub peak_rss: f64,
}

pub async fn loaded_server(binary: &Path, api_url: &str, flow_id: &str) -> Result<LoadedServer> {
    let (server, mcp_url) = start_http_server(binary, api_url)?;
    std::thread::sleep(Duration::from_millis(200));
    let idle_rss = memory_mb(server.id(), "VmRSS:")?;
    let mut rates = Vec::new();
    for concurrency in [1, 16, 64] {
        rates.push((
            concurrency,
            throughput(&mcp_url, flow_id, concurrency).await?,
        ));
    }
    let peak_rss = memory_mb(server.id(), "VmHWM:")?;
    Ok(LoadedServer {
        server,
        mcp_url,
        idle_rss,
        rates,
        peak_rss,
    })
}

/// Calls per second at `concurrency` over stateless HTTP; (rate, errors).
pub async fn throughput(mcp_url: &str, flow_id: &str, concurrency: usize) -> Result<(f64, usize)> {
    mcp_load(mcp_url, flow_id, concurrency, THROUGHPUT_CALLS).await
}

/// MCP over HTTP and the same requests straight to Prefect, in alternating rounds at
/// `concurrency`: the median rate of each side, and the errors of both.
pub async fn paired_rates(
    mcp_url: &str,
    api_url: &str,
    flow_id: &str,
    concurrency: usize,
) -> Result<(f64, f64, usize)> {
    let (mut mcp, mut direct, mut errors) = (Vec::new(), Vec::new(), 0);
    for _ in 0..PAIRED_ROUNDS {
        let (rate, failed) = mcp_load(mcp_url, flow_id, concurrency, PAIRED_CALLS).await?;
        mcp.push(rate);
        errors += failed;
        let (rate, failed) = direct_load(api_url, flow_id, concurrency, PAIRED_CALLS).await?;
        direct.push(rate);
        errors += failed;
    }
    Ok((median(mcp), median(direct), errors))
}

/// How many rounds [`paired_rates`] runs.
pub fn paired_rounds() -> usize {
    PAIRED_ROUNDS
}

fn median(mut rates: Vec<f64>) -> f64 {
    rates.sort_by(f64::total_cmp);
    rates[rates.len() / 2]
}

async fn mcp_load(
    mcp_url: &str,
    flow_id: &str,
    concurrency: usize,
    calls: usize,
) -> Result<(f64, usize)> {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "get_flow_by_id", "arguments": {"flow_id": flow_id}}})
    .to_string();
    let url = mcp_url.to_string();
    load(
        concurrency,
        move |http: &reqwest::Client| {
            http.post(&url)
                .header("content-type", "application/json")
                .header("accept", "application/json, text/event-stream")
                .body(body.clone())
        },
        calls,
    )
    .await
}

/// The same request mix sent straight to Prefect by the same client: the ceiling of the
/// throughput above.
async fn direct_load(
    api_url: &str,
    flow_id: &str,
    concurrency: usize,
    calls: usize,
) -> Result<(f64, usize)> {
    let url = format!("{api_url}/flows/{flow_id}");
    load(
        concurrency,
        move |http: &reqwest::Client| http.get(&url).header("x-prefect-api-version", "0.8.4"),
        calls,
    )
    .await
}

/// `calls` requests made by `concurrency` workers with one client; (rate, errors). An answer
/// counts when its status is a success and, for MCP, the tool succeeded.
async fn load(
    concurrency: usize,
    request: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync + 'static,
    calls: usize,
) -> Result<(f64, usize)> {
    let http = reqwest::Client::new();
    let request = Arc::new(request);
    let remaining = Arc::new(AtomicUsize::new(calls));
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
        calls as f64 / started.elapsed().as_secs_f64(),
        errors.load(Ordering::SeqCst),
    ))
}
