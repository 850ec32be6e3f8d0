//! Pulling Prefect's OpenAPI document into `openapi/`.
//!
//! The document is written as `openapi/prefect-<version>.json`, keys sorted (serde_json's map is
//! ordered by key: keep its `preserve_order` feature off) and pretty-printed so that an upgrade
//! shows up as a readable diff; `openapi/CURRENT` names the version that
//! `generate` uses.

use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

pub fn openapi_dir() -> PathBuf {
    crate::workspace_root().join("openapi")
}

pub fn spec_path(version: &str) -> PathBuf {
    openapi_dir().join(format!("prefect-{version}.json"))
}

fn current_file() -> PathBuf {
    openapi_dir().join("CURRENT")
}

/// The Prefect version named by `openapi/CURRENT`.
pub fn current_version() -> Result<String> {
    let text = std::fs::read_to_string(current_file())
        .with_context(|| format!("reading {}", current_file().display()))?;
    Ok(text.trim().to_string())
}

/// Where the document comes from.
pub enum Source {
    /// Install the Prefect release from PyPI into a virtualenv and build the app offline.
    Release(String),
    /// A running server, e.g. `http://127.0.0.1:4200/api` (its `/openapi.json` is read).
    Url(String),
}

/// Fetch, sort and write the document; make it current. Returns the Prefect version.
pub fn pull(source: Source) -> Result<String> {
    let (version, doc) = match source {
        Source::Release(version) => {
            let doc = dump_offline(&version)?;
            (version, doc)
        }
        Source::Url(url) => fetch_from_server(&url)?,
    };
    if doc
        .get("paths")
        .and_then(Value::as_object)
        .is_none_or(|p| p.is_empty())
    {
        bail!("the document has no paths: is this Prefect's OpenAPI document?");
    }
    std::fs::create_dir_all(openapi_dir())?;
    let path = spec_path(&version);
    let text = serde_json::to_string_pretty(&doc)? + "\n";
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    std::fs::write(current_file(), format!("{version}\n"))?;
    let paths = doc["paths"].as_object().map_or(0, |p| p.len());
    println!(
        "wrote {} ({paths} paths); openapi/CURRENT = {version}",
        path.display()
    );
    Ok(version)
}

/// `create_api_app().openapi()` in a virtualenv holding exactly that Prefect release.
fn dump_offline(version: &str) -> Result<Value> {
    let python = crate::prefect::ensure_venv(version)?;
    let script = "import json, sys\n\
                  from prefect.server.api.server import create_api_app\n\
                  json.dump(create_api_app().openapi(), sys.stdout)\n";
    let output = Command::new(&python)
        .args(["-c", script])
        .env("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
        .output()
        .with_context(|| format!("running {}", python.display()))?;
    if !output.status.success() {
        bail!(
            "dumping the OpenAPI document with Prefect {version} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    serde_json::from_slice(&output.stdout).context("Prefect printed something that is not JSON")
}

/// Read `/openapi.json` and `/admin/version` from a running server, with curl (present wherever
/// Prefect runs) so that xtask needs no HTTP client of its own.
fn fetch_from_server(api_url: &str) -> Result<(String, Value)> {
    let base = api_url.trim_end_matches('/');
    let get = |path: &str| -> Result<Vec<u8>> {
        let url = format!("{base}{path}");
        let out = Command::new("curl")
            .args(["-fsS", "--max-time", "60", &url])
            .output()
            .context("running curl")?;
        if !out.status.success() {
            bail!(
                "GET {url} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(out.stdout)
    };
    let version: String = serde_json::from_slice(&get("/admin/version")?)
        .context("/admin/version did not answer a JSON string")?;
    let doc =
        serde_json::from_slice(&get("/openapi.json")?).context("/openapi.json is not JSON")?;
    Ok((version, doc))
}
