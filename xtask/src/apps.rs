//! `cargo xtask apps [--check]`: the MCP Apps views (server/apps/) built into one self-contained
//! HTML page, server/apps/dist/app.html, which the server embeds and serves as each view. Like the generated client,
//! the output is checked in so that `cargo build` needs no Node; `--check` rebuilds into a
//! temporary folder and fails when the checked-in files differ.
//!
//! Also what the browser tier of the tests needs: the npm packages of server/apps (esbuild, the
//! App SDK, puppeteer-core), Debian's Chromium, and the test host page built from
//! server/apps/harness/.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::process::{apt_install, ensure_node_tools, run_quiet, Recommends};

/// What build.mjs writes: every view in one page.
const BUILT: [&str; 1] = ["app.html"];
/// Where Debian installs Chromium.
pub const CHROMIUM: &str = "/usr/bin/chromium";

fn apps_dir() -> PathBuf {
    crate::workspace_root().join("server").join("apps")
}

pub fn dist_dir() -> PathBuf {
    apps_dir().join("dist")
}

/// `npm ci` in server/apps unless node_modules already matches package-lock.json.
pub fn ensure_node_modules() -> Result<PathBuf> {
    let dir = apps_dir();
    let lock =
        fs::read(dir.join("package-lock.json")).context("reading server/apps/package-lock.json")?;
    let marker = dir.join("node_modules").join(".xtask-lock");
    if fs::read(&marker).is_ok_and(|have| have == lock) {
        return Ok(dir);
    }
    ensure_node_tools()?;
    eprintln!("apps: npm ci in {}", dir.display());
    run_quiet(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir),
    )?;
    fs::write(&marker, &lock).with_context(|| format!("writing {}", marker.display()))?;
    Ok(dir)
}

/// Type-check the sources, then build the views into `out`.
fn build_views(out: &Path) -> Result<()> {
    let dir = ensure_node_modules()?;
    run_quiet(
        Command::new("node")
            .args(["node_modules/typescript/bin/tsc", "-p", "."])
            .current_dir(&dir),
    )
    .context("the views do not type-check")?;
    run_quiet(
        Command::new("node")
            .arg("build.mjs")
            .arg(out)
            .current_dir(&dir),
    )
    .context("building the views")
}

/// Rebuild server/apps/dist/ (or, with `check`, fail when it is not what the sources give).
pub fn run(check: bool) -> Result<()> {
    if !check {
        build_views(&dist_dir())?;
        for name in BUILT {
            let bytes = fs::metadata(dist_dir().join(name))?.len();
            println!("wrote server/apps/dist/{name} ({bytes} bytes)");
        }
        return Ok(());
    }
    let fresh = crate::workspace_root().join("target").join("apps-check");
    if fresh.exists() {
        fs::remove_dir_all(&fresh).with_context(|| format!("removing {}", fresh.display()))?;
    }
    build_views(&fresh)?;
    let mut stale = Vec::new();
    for name in BUILT {
        let built = fs::read(fresh.join(name))?;
        let checked_in = fs::read(dist_dir().join(name)).unwrap_or_default();
        if built != checked_in {
            stale.push(format!(
                "server/apps/dist/{name} (checked in {} bytes, built {} bytes)",
                checked_in.len(),
                built.len()
            ));
        }
    }
    let mut extra: Vec<String> = fs::read_dir(dist_dir())
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| !BUILT.contains(&name.as_str()))
                .collect()
        })
        .unwrap_or_default();
    extra.sort();
    if !stale.is_empty() || !extra.is_empty() {
        bail!(
            "the MCP Apps views are stale: {}{}\nRun `cargo xtask apps` and commit server/apps/dist/.",
            stale.join(", "),
            if extra.is_empty() {
                String::new()
            } else {
                format!("; files no view builds: {}", extra.join(", "))
            }
        );
    }
    println!("server/apps/dist/ is up to date");
    Ok(())
}

/// What the browser tests need, installed when missing: where Chromium is and the test host
/// page (built into target/apps-harness/).
pub struct BrowserTier {
    pub chromium: PathBuf,
    pub host_page: PathBuf,
}

pub fn ensure_browser_tier() -> Result<BrowserTier> {
    let dir = ensure_node_modules()?;
    let out = crate::workspace_root().join("target").join("apps-harness");
    run_quiet(
        Command::new("node")
            .arg("build.mjs")
            .arg(&out)
            .arg("--harness")
            .current_dir(&dir),
    )
    .context("building the test host page")?;
    Ok(BrowserTier {
        chromium: ensure_chromium()?,
        host_page: out.join("host.html"),
    })
}

/// Debian's Chromium, installed with apt-get when missing (CI machines start without it).
fn ensure_chromium() -> Result<PathBuf> {
    let path = PathBuf::from(CHROMIUM);
    if path.exists() {
        return Ok(path);
    }
    eprintln!("apps: {CHROMIUM} missing; installing Debian's chromium");
    apt_install(
        &["chromium"],
        Recommends::With,
        "the MCP Apps browser tests",
    )?;
    if !path.exists() {
        bail!("{CHROMIUM} is still missing after installing Debian's chromium");
    }
    Ok(path)
}
