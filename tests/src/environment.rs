//! What a test run is given: the workspace it runs in, the Prefect server under test, and
//! whether it may rewrite generated snapshots.

use std::path::PathBuf;

use serde_json::Value;

/// The API URL of the Prefect server under test: `PREFECT_API_URL` (set by `cargo xtask test`),
/// else the server `cargo xtask prefect up` recorded.
pub fn prefect_api_url() -> String {
    if let Ok(url) = std::env::var("PREFECT_API_URL") {
        if !url.trim().is_empty() {
            return url;
        }
    }
    let state = workspace_root().join("target/prefect/state.json");
    let recorded = std::fs::read_to_string(&state)
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .and_then(|v| v["api_url"].as_str().map(String::from));
    recorded.unwrap_or_else(|| {
        panic!(
            "no Prefect server to test against: PREFECT_API_URL is unset and {} does not exist. \
             Run the suite with `cargo xtask test`, which starts Prefect with the sample world.",
            state.display()
        )
    })
}

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives in the workspace")
        .to_path_buf()
}

/// An empty `PREFECT_HOME` for the servers the tests start: no profile of the developer's leaks
/// into a test.
pub fn empty_prefect_home() -> PathBuf {
    std::env::temp_dir().join("prefect-mcp-tests-empty-home")
}
