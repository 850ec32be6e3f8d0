//! The virtualenv holding a pinned Prefect release, installed once per release.

use std::fs::{self, File};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{bail, Context, Result};

use super::{prefect_dir, tail};

pub(super) fn ensure_venv_locked(version: &str) -> Result<PathBuf> {
    let venv = prefect_dir().join(format!("venv-{version}"));
    let python = venv.join("bin").join("python");
    let marker = venv.join(".xtask-pins");
    let pins = pins(version);
    let wanted = pins.join("\n");
    if fs::read_to_string(&marker).is_ok_and(|have| have == wanted) && python.exists() {
        return Ok(python);
    }

    // No marker (or other pins): a failed or outdated install. Start from scratch.
    if venv.exists() {
        fs::remove_dir_all(&venv).with_context(|| format!("removing {}", venv.display()))?;
    }
    fs::create_dir_all(prefect_dir())
        .with_context(|| format!("creating {}", prefect_dir().display()))?;
    let base_python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let started = Instant::now();
    eprintln!("prefect: creating {} with {base_python}", venv.display());
    let out = Command::new(&base_python)
        .arg("-m")
        .arg("venv")
        .arg(&venv)
        .output()
        .with_context(|| {
            format!("running `{base_python}`: is Python 3 installed? (set $PYTHON to choose one)")
        })?;
    if !out.status.success() {
        bail!(
            "`{base_python} -m venv {}` failed ({}):\n{}",
            venv.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }

    let log_path = prefect_dir().join(format!("pip-{version}.log"));
    eprintln!(
        "prefect: pip install {} (log: {})",
        pins.join(" "),
        log_path.display()
    );
    let log =
        File::create(&log_path).with_context(|| format!("creating {}", log_path.display()))?;
    let status = Command::new(&python)
        .args(["-m", "pip", "install", "--disable-pip-version-check"])
        .args(&pins)
        .stdin(Stdio::null())
        .stdout(log.try_clone().context("duplicating the pip log handle")?)
        .stderr(log)
        .status()
        .with_context(|| format!("running {}", python.display()))?;
    if !status.success() {
        bail!(
            "pip install of Prefect {version} failed ({status}){}",
            tail(&log_path, 30)
        );
    }
    fs::write(&marker, wanted).with_context(|| format!("writing {}", marker.display()))?;
    eprintln!(
        "prefect: installed Prefect {version} in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(python)
}

/// pip requirements for a Prefect release. The extra pins keep releases from resolving to
/// dependencies that break them (see shared/spec/prefect-facts.md); `mcp<2` is the Python MCP SDK
/// used as a third-party client by the tests.
fn pins(version: &str) -> Vec<String> {
    let extra: &[&str] = match version {
        "3.9.1" => &["mcp<2"],
        "3.8.8" => &["fastapi<0.151", "sqlalchemy<2.1", "mcp<2"],
        "3.4.25" => &[
            "importlib-metadata",
            "fastapi<0.116",
            "pydantic<2.12",
            "sqlalchemy<2.1",
            "mcp<2",
        ],
        _ => &["sqlalchemy<2.1", "mcp<2"],
    };
    std::iter::once(format!("prefect=={version}"))
        .chain(extra.iter().map(|s| s.to_string()))
        .collect()
}
