//! The third-party MCP clients the tests drive the server with, installed once under
//! `target/clients/`: the Python MCP SDK 2.x (protocol 2026-07-28) in a virtualenv, and the
//! TypeScript SDK (protocol 2025-11-25) in an npm folder, each behind a marker naming its pin so
//! that a changed pin reinstalls it. Also what the OAuth tests run against: node-oidc-provider
//! (a real, OpenID Certified authorization server) in an npm folder of its own, and Debian's
//! nginx (the load balancer in front of two replicas).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::process::{apt_install, ensure_node_tools, ensure_venv, npm_install, Recommends};

/// The Python SDK release that speaks 2026-07-28 and drives MRTR itself.
pub const PYTHON_SDK: &str = "mcp==2.3.0";
/// The OTLP definitions the traces test's receiver decodes spans with (tests/python/otlp_receiver.py).
pub const OTLP_PROTO: &str = "opentelemetry-proto==1.45.2";
/// The TypeScript SDK line that Claude Code and VS Code's generation of clients use.
pub const TYPESCRIPT_SDK: &str = "@modelcontextprotocol/sdk@~1.32.0";
/// The authorization server of the OAuth tests (tests/node/oidc_provider.mjs).
pub const OIDC_PROVIDER: &str = "oidc-provider@9.13.3";

/// Where the installed clients are.
pub struct Clients {
    /// The venv's Python, with the 2.x SDK.
    pub python: PathBuf,
    /// The npm folder whose node_modules holds the TypeScript SDK.
    pub node_dir: PathBuf,
    /// The npm folder whose node_modules holds oidc-provider.
    pub oidc_dir: PathBuf,
    /// Debian's nginx binary.
    pub nginx: PathBuf,
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
        python: ensure_venv(&dir.join("py-venv"), &[PYTHON_SDK, OTLP_PROTO])?,
        node_dir: ensure_npm_folder(&dir.join("node"), TYPESCRIPT_SDK)?,
        conformance: crate::conformance::ensure_conformance(&dir.join("conformance"))?,
        oidc_dir: ensure_npm_folder(&dir.join("oidc"), OIDC_PROVIDER)?,
        nginx: ensure_nginx()?,
    })
}

fn installed(marker: &Path, pin: &str) -> bool {
    fs::read_to_string(marker).is_ok_and(|have| have == pin)
}

/// An npm folder holding one pinned package.
fn ensure_npm_folder(dir: &Path, package: &str) -> Result<PathBuf> {
    let marker = dir.join(".xtask-pins");
    if installed(&marker, package) && dir.join("node_modules").exists() {
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
    eprintln!("clients: npm install {package}");
    npm_install(dir, &[package])?;
    fs::write(&marker, package).with_context(|| format!("writing {}", marker.display()))?;
    eprintln!(
        "clients: {package} installed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(dir.to_path_buf())
}

/// nginx, from Debian's package when missing: the load balancer of the replica tests.
fn ensure_nginx() -> Result<PathBuf> {
    let nginx = PathBuf::from("/usr/sbin/nginx");
    if nginx.exists() {
        return Ok(nginx);
    }
    eprintln!("clients: nginx missing; installing Debian's nginx");
    apt_install(
        &["nginx"],
        Recommends::Without,
        "the replica tests' load balancer",
    )?;
    if !nginx.exists() {
        bail!(
            "{} is still missing after installing nginx",
            nginx.display()
        );
    }
    Ok(nginx)
}
