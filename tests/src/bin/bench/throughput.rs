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
pub fn start_http_server(binary: &Path, api_url: &str) -> Result<(Child, String)> {
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

/// Calls per second at `concurrency` over stateless HTTP; (rate, errors).
pub async fn throughput(mcp_url: &str, flow_id: &str, concurrency: usize) -> Result<(f64, usize)> {
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
pub async fn direct_throughput(
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
