//! `cargo xtask bench`: how fast and how small the server is, against the local real Prefect.
//!
//! Prints one table: cold start to the first `tools/list` answer; idle and peak RSS; the size
//! of the tool list (whole, and the part a model reads);
//! p50/p99 of `get_flow_by_id` through MCP next to the same HTTP request made directly (the
//! floor); p50/p99 of completing a deployment name (`completion/complete`) next to the Prefect
//! query it starts from; calls per second at concurrency 1, 16 and 64 over HTTP, with their error counts;
//! release binary size; the cost of the size bound every answer passes at the dispatch
//! (`bound`); what waiting costs Prefect, with the event stream and with polling (`events`);
//! the bytes a model reads for an operator's everyday questions, one call each (`questions`).
//! Needs PREFECT_API_URL (xtask sets it) and the release binary (PREFECT_MCP_SERVER_BIN);
//! `bench bound` prints only the size bound's lines, which need neither, `bench events` only the
//! event stream's, and `bench overhead` only the per-call overhead's.

#[path = "bench/bound.rs"]
mod bound;
#[path = "bench/events.rs"]
mod events;
#[path = "bench/latency.rs"]
mod latency;
#[path = "bench/overhead.rs"]
mod overhead;
#[path = "bench/questions.rs"]
mod questions;
#[path = "bench/throughput.rs"]
mod throughput;

use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use integration_tests::{prefect_api_url, server_binary};
use serde_json::{json, Value};

use latency::{cold_start, completion_latencies, direct_deployments_latencies, ms, percentile};
use throughput::{loaded_server, memory_mb, paired_rates, LoadedServer};

const COLD_STARTS: usize = 20;

/// Sizes in bytes of compact JSON: the whole `tools/list` answer with these `--toolsets`, and
/// the part a model reads (name, description, inputSchema of each tool), and the tool count.
fn tool_list_sizes(binary: &std::path::Path, toolsets: &str) -> Result<(usize, usize, usize)> {
    let output = Command::new(binary)
        .args(["tools", "--toolsets", toolsets])
        .env_remove("PREFECT_MCP_TOOLSETS")
        .env_remove("PREFECT_MCP_READ_ONLY")
        .output()?;
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
        tools.len(),
    ))
}

#[tokio::main]
async fn main() -> Result<()> {
    if std::env::args().nth(1).as_deref() == Some("bound") {
        for line in bound::lines() {
            println!("{line}");
        }
        return Ok(());
    }
    if std::env::args().nth(1).as_deref() == Some("questions") {
        for line in questions::lines().await? {
            println!("{line}");
        }
        return Ok(());
    }
    if std::env::args().nth(1).as_deref() == Some("overhead") {
        for line in overhead::overhead_lines(&prefect_api_url(), &server_binary()).await? {
            println!("{line}");
        }
        return Ok(());
    }
    if std::env::args().nth(1).as_deref() == Some("memory") {
        let api_url = prefect_api_url();
        let flow_id = latency::first_flow_id(&api_url).await?;
        let mut loaded = loaded_server(&server_binary(), &api_url, &flow_id).await?;
        let _ = loaded.server.kill();
        let _ = loaded.server.wait();
        println!(
            "HTTP, stateless: idle RSS {:.1} MB, peak RSS {:.1} MB",
            loaded.idle_rss, loaded.peak_rss
        );
        for (concurrency, (rate, errors)) in &loaded.rates {
            println!("  concurrency {concurrency}: {rate:.0} calls/s ({errors} errors)");
        }
        return Ok(());
    }
    if std::env::args().nth(1).as_deref() == Some("events") {
        for line in events::lines().await? {
            println!("{line}");
        }
        return Ok(());
    }
    let api_url = prefect_api_url();
    let binary = server_binary();
    let flow_id = latency::first_flow_id(&api_url).await?;

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

    let overhead = overhead::overhead_lines(&api_url, &binary).await?;
    let completion = completion_latencies(&binary, &api_url).await?;
    let direct_deployments = direct_deployments_latencies(&api_url).await?;

    // Throughput over HTTP against one stateless server; its peak RSS afterwards.
    let LoadedServer {
        mut server,
        mcp_url,
        idle_rss: http_idle_rss,
        rates,
        peak_rss,
    } = loaded_server(&binary, &api_url, &flow_id).await?;
    let (paired_mcp, paired_direct, paired_errors) =
        paired_rates(&mcp_url, &api_url, &flow_id, 64).await?;
    let _ = server.kill();
    let _ = server.wait();
    let size_mb = std::fs::metadata(&binary)?.len() as f64 / (1024.0 * 1024.0);
    let (tool_list, model_visible, all_count) = tool_list_sizes(&binary, "all")?;
    let (_, default_visible, default_count) = tool_list_sizes(&binary, "default")?;
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
    for line in overhead {
        println!("{line}");
    }
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
        println!(
            "| calls/s over HTTP, concurrency {concurrency} ({} calls) | {rate:.0} ({errors} errors) | 0 errors |",
            throughput::calls()
        );
    }
    let rounds = throughput::paired_rounds();
    println!(
        "| calls/s, concurrency 64: via MCP / the same GET /flows/{{id}} direct, same client (medians of {rounds} alternating rounds) | {paired_mcp:.0} / {paired_direct:.0} ({paired_errors} errors) | |"
    );
    println!(
        "| HTTP throughput over direct Prefect at concurrency 64 | {:.2}x | ≥ 0.9x |",
        paired_mcp / paired_direct
    );
    println!(
        "| tools/list, every toolset (compact JSON; output schemas are most of it) | {:.1} KB | |",
        kb(tool_list)
    );
    println!(
        "| model-visible tool list (name, description, inputSchema), every toolset ({all_count} tools) | {:.1} KB | ≤ 24 KB |",
        kb(model_visible)
    );
    println!(
        "| model-visible tool list, the default offer ({default_count} tools) | {:.1} KB | ≤ 14 KB, ≤ 40 tools |",
        kb(default_visible)
    );
    println!("| release binary size | {size_mb:.1} MB | |");
    for line in questions::lines().await? {
        println!("{line}");
    }
    for line in bound::lines() {
        println!("{line}");
    }
    for line in events::lines().await? {
        println!("{line}");
    }
    let failed: usize = rates.iter().map(|(_, (_, e))| e).sum::<usize>() + paired_errors;
    if failed > 0 {
        bail!("{failed} calls failed under load");
    }
    Ok(())
}
