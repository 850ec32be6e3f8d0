//! `cargo xtask dist [--verify]`: everything a user installs without a Rust toolchain, in
//! `target/dist/`:
//!
//! - `prefect_mcp_rs-<V>-*.whl`: the Python wheel carrying the binary (maturin, `bindings = "bin"`;
//!   `pyproject.toml` at the root), for `uvx`, `pipx` and `pip`; on Linux a `manylinux2014` wheel
//!   (glibc 2.17 and later) linked with zig (see [`wheel`]);
//! - `prefect-mcp-server`: the release binary, taken out of that wheel;
//! - `prefect-mcp-<V>-<os>-<arch>.mcpb`: the MCP bundle for Claude Desktop with the same binary,
//!   packed and validated by the official `mcpb` CLI, with `manifest.json` beside it;
//! - where the host's `*-unknown-linux-musl` target is installed, a `musllinux_1_2` wheel and its
//!   static binary `prefect-mcp-server-<triple>`, the container image's;
//! - `server.json`: the MCP registry entry.
//!
//! Static parts live in `dist/` at the root; the version (Cargo's), the tool list (the built
//! binary's `tools`), the Python name (pyproject.toml), the platform and the bundle's hash are
//! filled in here, so no copy can drift. maturin compiles the release binary once per target;
//! everything else reuses its bytes.
//!
//! `--verify` then installs each artifact as a user would and drives an MCP session against the
//! local Prefect (see [`verify`]). The release workflow's other pieces are in [`release`].

mod bundle;
mod platform;
mod registry;
pub mod release;
mod toolchain;
mod verify;
mod wheel;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use serde_json::Value;

use platform::Platform;

/// The server's binary, as Cargo builds it and every package ships it.
pub const BINARY: &str = "prefect-mcp-server";

/// What `cargo xtask dist` produced.
pub struct Artifacts {
    /// Cargo's version of prefect-mcp-server: the one version everywhere.
    pub version: String,
    /// The Python distribution name (pyproject.toml's `project.name`).
    pub distribution: String,
    /// What the wheel, the binary and the bundle run on.
    pub platform: Platform,
    pub binary: PathBuf,
    pub wheel: PathBuf,
    /// The musllinux wheel and its static binary, where the musl target is installed.
    pub static_build: Option<(PathBuf, PathBuf)>,
    pub bundle: PathBuf,
    pub manifest: PathBuf,
    pub server_json: PathBuf,
    /// The binary's `tools` output (MCP tools/list shape).
    pub tools: Vec<Value>,
}

pub fn run(verify: bool) -> Result<()> {
    let started = Instant::now();
    let tools = toolchain::ensure()?;
    let artifacts = build(&tools)?;
    print_artifacts(&artifacts)?;
    eprintln!("dist: built in {:.0} s", started.elapsed().as_secs_f64());
    if verify {
        verify::run(&artifacts, &tools)?;
    }
    eprintln!("dist: done in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

pub fn dist_dir() -> PathBuf {
    crate::workspace_root().join("target/dist")
}

fn build(tools: &toolchain::Tools) -> Result<Artifacts> {
    let out = dist_dir();
    if out.exists() {
        fs::remove_dir_all(&out).with_context(|| format!("removing {}", out.display()))?;
    }
    fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let version = cargo_version()?;
    let distribution = python_distribution()?;

    let host = wheel::build_host(tools, &out, &distribution, &version)?;
    let static_build = build_static(tools, &out, &distribution, &version, &host.platform)?;

    let tool_list = tool_list(&host.binary, &[])?;
    let manifest = bundle::manifest(&version, &tool_list, &host.platform)?;
    let bundle = bundle::pack(tools, &manifest, &host.platform, &host.binary, &out)?;
    let manifest_path = out.join("manifest.json");
    write_json(&manifest_path, &manifest)?;
    let server = registry::server_json(
        &version,
        &distribution,
        &manifest,
        std::slice::from_ref(&bundle),
    )?;
    let server_json = out.join("server.json");
    write_json(&server_json, &server)?;

    Ok(Artifacts {
        version,
        distribution,
        platform: host.platform,
        binary: host.binary,
        wheel: host.wheel,
        static_build,
        bundle,
        manifest: manifest_path,
        server_json,
        tools: tool_list,
    })
}

/// The musllinux wheel and static binary for a Linux host whose musl target is installed;
/// otherwise a note saying how to get them.
fn build_static(
    tools: &toolchain::Tools,
    out: &Path,
    distribution: &str,
    version: &str,
    host: &Platform,
) -> Result<Option<(PathBuf, PathBuf)>> {
    if !host.is_linux() {
        return Ok(None);
    }
    let target = format!("{}-unknown-linux-musl", host.arch());
    let installed =
        capture(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if !installed.lines().any(|line| line.trim() == target) {
        eprintln!(
            "dist: no static binary: the {target} target is not installed \
             (`rustup target add {target}`); the Containerfile needs it"
        );
        return Ok(None);
    }
    let built = wheel::build_static(tools, out, distribution, version, &target)?;
    // The Containerfile's scratch image has no CA roots of its own.
    let roots = Path::new("/etc/ssl/certs/ca-certificates.crt");
    if roots.is_file() {
        copy(roots, &out.join("ca-certificates.crt"))?;
    } else {
        eprintln!(
            "dist: {} not found: the container image cannot be built here",
            roots.display()
        );
    }
    Ok(Some((built.wheel, built.binary)))
}

/// The binary's tool list (`prefect-mcp-server tools [flags]`), independent of the caller's
/// PREFECT_MCP_* settings.
pub fn tool_list(binary: &Path, flags: &[&str]) -> Result<Vec<Value>> {
    let mut command = Command::new(binary);
    command
        .arg("tools")
        .args(flags)
        .env_remove("PREFECT_MCP_READ_ONLY")
        .env_remove("PREFECT_MCP_TOOLSETS");
    let listed: Value = serde_json::from_str(&capture(&mut command)?)
        .with_context(|| format!("parsing `{} tools`", binary.display()))?;
    match listed["tools"].as_array() {
        Some(tools) if !tools.is_empty() => Ok(tools.clone()),
        _ => bail!("`{} tools` listed no tools", binary.display()),
    }
}

/// prefect-mcp-server's version, as Cargo resolves it.
fn cargo_version() -> Result<String> {
    let metadata = capture(
        Command::new(cargo_bin())
            .args(["metadata", "--format-version", "1", "--no-deps", "--locked"])
            .current_dir(crate::workspace_root()),
    )?;
    let metadata: Value = serde_json::from_str(&metadata).context("parsing cargo metadata")?;
    metadata["packages"]
        .as_array()
        .and_then(|packages| packages.iter().find(|p| p["name"] == BINARY))
        .and_then(|p| p["version"].as_str())
        .map(str::to_owned)
        .context("cargo metadata lists no prefect-mcp-server package")
}

/// pyproject.toml's `project.name`.
pub fn python_distribution() -> Result<String> {
    let path = crate::workspace_root().join("pyproject.toml");
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let pyproject: toml::Table =
        toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    pyproject
        .get("project")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .map(str::to_owned)
        .with_context(|| format!("{} has no project.name", path.display()))
}

fn print_artifacts(artifacts: &Artifacts) -> Result<()> {
    println!(
        "\ntarget/dist/ (version {}, {}):",
        artifacts.version,
        artifacts.platform.triple()
    );
    let mut paths = vec![&artifacts.binary, &artifacts.wheel];
    if let Some((wheel, binary)) = &artifacts.static_build {
        paths.extend([wheel, binary]);
    }
    paths.extend([
        &artifacts.bundle,
        &artifacts.manifest,
        &artifacts.server_json,
    ]);
    for path in paths {
        let size = fs::metadata(path)
            .with_context(|| format!("reading {}", path.display()))?
            .len();
        println!("  {:>10}  {}", human_size(size), file_name(path));
    }
    Ok(())
}

fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / f64::from(1 << 20)),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / f64::from(1 << 10)),
        b => format!("{b} B"),
    }
}

pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn cargo_bin() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    fs::copy(from, to)
        .map(drop)
        .with_context(|| format!("copying {} to {}", from.display(), to.display()))
}

pub fn write_json(path: &Path, value: &Value) -> Result<()> {
    let text = serde_json::to_string_pretty(value)? + "\n";
    fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

pub fn read_json(path: &Path) -> Result<Value> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

pub use crate::process::{capture, run_command};
