//! `cargo xtask bench`: build release binaries, bring up the local Prefect with the sample
//! world, and run the benchmark (tests/src/bin/bench.rs), which prints one table.

use anyhow::{bail, Context, Result};
use std::process::Command;

use crate::prefect;

pub fn run(prefect_version: &str) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root = crate::workspace_root();
    // The server as users get it (dist builds it alone): built with the bench in one command,
    // Cargo would unify its features with the test crate's and measure a bigger binary.
    for (package, bin) in [
        ("prefect-mcp-server", "prefect-mcp-server"),
        ("integration-tests", "bench"),
    ] {
        let status = Command::new(&cargo)
            .args(["build", "--release", "-p", package, "--bin", bin])
            .current_dir(&root)
            .status()
            .context("building release binaries")?;
        if !status.success() {
            bail!("release build of {bin} failed");
        }
    }
    let state = prefect::ensure_up_and_seeded(prefect_version, prefect::Db::Sqlite)?;
    let release = root.join("target/release");
    let status = Command::new(release.join("bench"))
        .env("PREFECT_API_URL", &state.api_url)
        .env("PREFECT_MCP_SERVER_BIN", release.join("prefect-mcp-server"))
        .status()
        .context("running the benchmark")?;
    if !status.success() {
        bail!("the benchmark failed");
    }
    eprintln!(
        "bench: Prefect {} at {} is still up; `cargo xtask prefect down` stops it",
        state.prefect_version, state.api_url
    );
    Ok(())
}
