//! Latencies: cold start to the first `tools/list`, MCP calls and completions over stdio, and
//! the same Prefect requests made directly (the floor under them).

use std::future::Future;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::{ConfigureCommandExt, TokioChildProcess};
use rmcp::ServiceExt;
use serde_json::{json, Value};

pub const LATENCY_CALLS: usize = 300;
/// Calls made first and not counted: connections opened, caches warm.
pub const WARM_UP_CALLS: usize = 20;

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

pub fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// [`LATENCY_CALLS`] timings of `call`, after the warm-up, sorted.
async fn timed<F, Fut>(mut call: F) -> Result<Vec<Duration>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<()>>,
{
    let mut samples = Vec::with_capacity(LATENCY_CALLS);
    for i in 0..LATENCY_CALLS + WARM_UP_CALLS {
        let started = Instant::now();
        call().await?;
        if i >= WARM_UP_CALLS {
            samples.push(started.elapsed());
        }
    }
    samples.sort();
    Ok(samples)
}

/// Spawn the binary and time initialize + tools/list over raw stdio; the server is left
/// running, its pipes open (it exits on EOF), for the caller to measure and stop.
pub fn cold_start(binary: &Path, api_url: &str) -> Result<(Duration, Child)> {
    let started = Instant::now();
    let mut bare = BareStdio::start(binary, api_url)?;
    let answer = bare.request(&json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}))?;
    let elapsed = started.elapsed();
    if !answer.contains("\"tools\"") {
        bail!("unexpected tools/list answer: {answer}");
    }
    Ok((elapsed, bare.into_child()))
}

/// An MCP client session with the binary over stdio.
pub async fn stdio_client(binary: &Path, api_url: &str) -> Result<RunningService<RoleClient, ()>> {
    let transport = TokioChildProcess::new(tokio::process::Command::new(binary).configure(|c| {
        c.env("PREFECT_API_URL", api_url).env("RUST_LOG", "error");
    }))?;
    Ok(().serve(transport).await?)
}

/// The server over its stdin and stdout, one JSON-RPC line each way, initialised.
pub struct BareStdio {
    child: Child,
    stdin: std::process::ChildStdin,
    stdout: BufReader<std::process::ChildStdout>,
    line: String,
}

impl BareStdio {
    pub fn start(binary: &Path, api_url: &str) -> Result<Self> {
        let mut child = Command::new(binary)
            .env("PREFECT_API_URL", api_url)
            .env("RUST_LOG", "error")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdin = child.stdin.take().context("stdin")?;
        let stdout = BufReader::new(child.stdout.take().context("stdout")?);
        let mut bare = BareStdio {
            child,
            stdin,
            stdout,
            line: String::new(),
        };
        bare.request(&json!({
            "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                       "clientInfo": {"name": "bench", "version": "0"}},
        }))?;
        writeln!(
            bare.stdin,
            r#"{{"jsonrpc":"2.0","method":"notifications/initialized"}}"#
        )?;
        Ok(bare)
    }

    /// Send one request; its answer line.
    pub fn request(&mut self, request: &Value) -> Result<&str> {
        writeln!(self.stdin, "{request}")?;
        self.stdin.flush()?;
        self.line.clear();
        if self.stdout.read_line(&mut self.line)? == 0 {
            bail!("the server closed its stdout");
        }
        Ok(&self.line)
    }

    /// The server process, its pipes kept open for good.
    fn into_child(self) -> Child {
        std::mem::forget(self.stdin);
        std::mem::forget(self.stdout);
        self.child
    }

    pub fn close(mut self) {
        drop(self.stdin);
        let _ = self.child.wait();
    }
}

/// `completion/complete` of a deployment name from two letters, through MCP over stdio.
pub async fn completion_latencies(binary: &Path, api_url: &str) -> Result<Vec<Duration>> {
    let client = stdio_client(binary, api_url).await?;
    let samples = timed(|| async {
        let values = client
            .complete_prompt_simple("deployment_health", "deployment", "he")
            .await?;
        if values.is_empty() {
            bail!("the deployment completion offered nothing");
        }
        Ok(())
    })
    .await?;
    client.cancel().await?;
    Ok(samples)
}

/// One request straight to Prefect, its JSON answer read whole.
pub async fn direct(request: reqwest::RequestBuilder) -> Result<()> {
    let response = request
        .header("x-prefect-api-version", "0.8.4")
        .send()
        .await?;
    let _: Value = response.error_for_status()?.json().await?;
    Ok(())
}

/// The Prefect query the deployment completion starts from, made directly.
pub async fn direct_deployments_latencies(api_url: &str) -> Result<Vec<Duration>> {
    let http = reqwest::Client::new();
    let url = format!("{api_url}/deployments/filter");
    timed(|| {
        direct(
            http.post(&url)
                .json(&json!({"limit": 200, "sort": "NAME_ASC"})),
        )
    })
    .await
}

/// The first flow's id: the flow `get_flow_by_id` reads.
pub async fn first_flow_id(api_url: &str) -> Result<String> {
    let flows: Value = reqwest::Client::new()
        .post(format!("{api_url}/flows/filter"))
        .json(&json!({"limit": 1}))
        .send()
        .await?
        .json()
        .await?;
    Ok(flows[0]["id"]
        .as_str()
        .context("the server has no flow to read")?
        .to_string())
}
