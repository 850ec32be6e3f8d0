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

/// Whether this run may rewrite generated files (`UPDATE_SNAPSHOTS=1`). Never under CI: there
/// a rewrite would make the check it belongs to pass whatever the tool list is, so CI refuses
/// it loudly instead.
pub fn update_snapshots() -> bool {
    let asked = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    assert!(
        !(asked && std::env::var_os("CI").is_some()),
        "UPDATE_SNAPSHOTS is refused when CI is set: regenerate the snapshot locally and commit it"
    );
    asked
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
