//! `cargo xtask test`: the whole suite against a real Prefect, as README and CI run it.
//!
//! Builds everything, brings up the pinned Prefect with the sample world (or fails loudly when
//! it cannot), runs `cargo test --workspace` with `PREFECT_API_URL` pointing at it, and always
//! stops the server it started.

use anyhow::{bail, Context, Result};
use std::process::Command;

use crate::prefect;

pub fn run(prefect_version: &str, keep_up: bool, cargo_test_args: &[String]) -> Result<()> {
    let root = crate::workspace_root();
    // Build first, so that compile errors show before Prefect starts, and so that the
    // integration tests find the server binary.
    cargo(&["build", "--workspace", "--all-targets"])?;

    let already_up = prefect::read_state()?
        .filter(|s| s.prefect_version == prefect_version && prefect::healthy(s))
        .is_some();
    let state = prefect::ensure_up_and_seeded(prefect_version).with_context(|| {
        format!("the real Prefect {prefect_version} server could not be started; the suite cannot run without it")
    })?;
    eprintln!(
        "xtask test: Prefect {} at {}",
        state.prefect_version, state.api_url
    );

    let mut args = vec!["test".to_string(), "--workspace".to_string()];
    args.extend(cargo_test_args.iter().cloned());
    let status = Command::new(cargo_bin())
        .args(&args)
        .current_dir(&root)
        .env("PREFECT_API_URL", &state.api_url)
        .env("PREFECT_TEST_PYTHON", state.python())
        .env("PREFECT_TEST_VERSION", &state.prefect_version)
        .status()
        .context("running cargo test")?;

    // Stop what this run started; a server that was already up (a developer's) stays.
    if !keep_up && !already_up {
        if let Err(e) = prefect::down() {
            eprintln!("xtask test: stopping Prefect failed: {e:#}");
        }
    }
    if !status.success() {
        bail!("cargo test failed ({status})");
    }
    Ok(())
}

fn cargo_bin() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn cargo(args: &[&str]) -> Result<()> {
    let status = Command::new(cargo_bin())
        .args(args)
        .current_dir(crate::workspace_root())
        .status()
        .with_context(|| format!("running cargo {}", args.join(" ")))?;
    if !status.success() {
        bail!("cargo {} failed ({status})", args.join(" "));
    }
    Ok(())
}
