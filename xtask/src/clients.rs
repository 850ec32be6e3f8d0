//! The third-party MCP clients the tests drive the server with, installed once under
//! `target/clients/`: the Python MCP SDK 2.x (protocol 2026-07-28) in a virtualenv, and the
//! TypeScript SDK (protocol 2025-11-25) in an npm folder, each behind a marker naming its pin so
//! that a changed pin reinstalls it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{bail, Context, Result};

/// The Python SDK release that speaks 2026-07-28 and drives MRTR itself.
pub const PYTHON_SDK: &str = "mcp==2.3.0";
/// The TypeScript SDK line that Claude Code and VS Code's generation of clients use.
pub const TYPESCRIPT_SDK: &str = "@modelcontextprotocol/sdk@~1.32.0";

/// Where the installed clients are.
pub struct Clients {
    /// The venv's Python, with the 2.x SDK.
    pub python: PathBuf,
    /// The npm folder whose node_modules holds the TypeScript SDK.
    pub node_dir: PathBuf,
    /// The official conformance suite's entry point (run with node).
    pub conformance: PathBuf,
}

pub fn clients_dir() -> PathBuf {
    crate::workspace_root().join("target").join("clients")
}

/// Install whatever is missing; fail loudly (the tests cannot run without them).
pub fn ensure_clients() -> Result<Clients> {
    let dir = clients_dir();
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(Clients {
        python: ensure_python(&dir.join("py-venv"))?,
        node_dir: ensure_node(&dir.join("node"))?,
        conformance: crate::conformance::ensure_conformance(&dir.join("conformance"))?,
    })
}

fn installed(marker: &Path, pin: &str) -> bool {
    fs::read_to_string(marker).is_ok_and(|have| have == pin)
}

fn ensure_python(venv: &Path) -> Result<PathBuf> {
    let python = venv.join("bin").join("python");
    let marker = venv.join(".xtask-pins");
    if installed(&marker, PYTHON_SDK) && python.exists() {
        return Ok(python);
    }
    if venv.exists() {
        fs::remove_dir_all(venv).with_context(|| format!("removing {}", venv.display()))?;
    }
    let started = Instant::now();
    let base_python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    eprintln!("clients: creating {} with {base_python}", venv.display());
    run(Command::new(&base_python).arg("-m").arg("venv").arg(venv))
        .with_context(|| format!("`{base_python} -m venv`: is Python 3 installed?"))?;
    eprintln!("clients: pip install {PYTHON_SDK}");
    run(Command::new(&python).args([
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--quiet",
        PYTHON_SDK,
    ]))?;
    fs::write(&marker, PYTHON_SDK).with_context(|| format!("writing {}", marker.display()))?;
    eprintln!(
        "clients: Python SDK installed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(python)
}

fn ensure_node(dir: &Path) -> Result<PathBuf> {
    let marker = dir.join(".xtask-pins");
    if installed(&marker, TYPESCRIPT_SDK) && dir.join("node_modules").exists() {
        return Ok(dir.to_path_buf());
    }
    ensure_node_tools()?;
    let started = Instant::now();
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    // A package.json of its own, so that npm installs here and not into a parent folder.
    fs::write(
        dir.join("package.json"),
        "{\"name\": \"prefect-mcp-test-clients\", \"private\": true}\n",
    )
    .context("writing the clients' package.json")?;
    eprintln!("clients: npm install {TYPESCRIPT_SDK}");
    run(Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            TYPESCRIPT_SDK,
        ])
        .current_dir(dir))?;
    fs::write(&marker, TYPESCRIPT_SDK).with_context(|| format!("writing {}", marker.display()))?;
    eprintln!(
        "clients: TypeScript SDK installed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(dir.to_path_buf())
}

/// node and npm, from Debian's packages when missing (CI machines start without them).
pub(crate) fn ensure_node_tools() -> Result<()> {
    let present = |tool: &str| {
        Command::new(tool)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if present("node") && present("npm") {
        return Ok(());
    }
    eprintln!("clients: node/npm missing; installing Debian's nodejs and npm");
    run(Command::new("apt-get").arg("update").arg("-q"))
        .context("apt-get update (node and npm are needed for the TypeScript SDK client)")?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-q", "nodejs", "npm"])
        .env("DEBIAN_FRONTEND", "noninteractive"))
    .context("apt-get install nodejs npm")?;
    if !present("node") {
        bail!("node is still not on PATH after installing nodejs");
    }
    Ok(())
}

pub(crate) fn run(command: &mut Command) -> Result<()> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {command:?}"))?;
    if !output.status.success() {
        bail!(
            "{command:?} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}
