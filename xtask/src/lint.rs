//! `cargo xtask lint`: ruff over the project's Python (xtask/python, tests/python) with the rules
//! of ruff.toml, from a pinned ruff in a virtualenv of its own; ESLint over the views'
//! TypeScript and the browser tests' scripts (server/apps, rules in eslint.config.mjs, pinned in
//! its package-lock.json). The views are type-checked by `cargo xtask apps --check`; the Rust by
//! clippy.

use std::process::Command;

use anyhow::{Context, Result};

use crate::process::{ensure_venv, run_command};

/// The ruff release the rules are read with.
pub const RUFF: &str = "ruff==0.17.6";

pub fn run() -> Result<()> {
    let root = crate::workspace_root();
    let python = ensure_venv(&root.join("target").join("lint-venv"), &[RUFF])?;
    let ruff = python.with_file_name("ruff");
    run_command(
        Command::new(ruff)
            .args(["check", "--no-cache", "xtask/python", "tests/python"])
            .current_dir(&root),
    )
    .context("ruff found problems in the project's Python (rules: ruff.toml)")?;
    println!("lint: the project's Python passes ruff");
    let apps = crate::apps::ensure_node_modules()?;
    run_command(
        Command::new("node")
            .args(["node_modules/eslint/bin/eslint.js", "--max-warnings=0", "."])
            .current_dir(&apps),
    )
    .context("ESLint found problems in the views (server/apps; rules: eslint.config.mjs)")?;
    println!("lint: the views' TypeScript passes ESLint");
    Ok(())
}
