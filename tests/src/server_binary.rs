//! The built `prefect-mcp-server` binary the tests start, and the check that it is not stale.

use std::path::PathBuf;

use crate::environment::workspace_root;

/// The built `prefect-mcp-server` binary: `PREFECT_MCP_SERVER_BIN`, else next to this test
/// executable's profile directory (target/<profile>/). It must be newer than every source file
/// it is built from: a test never runs a stale binary (`cargo xtask test` builds it first).
pub fn server_binary() -> PathBuf {
    if let Ok(path) = std::env::var("PREFECT_MCP_SERVER_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/<test> -> target/<profile>/prefect-mcp-server
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>");
    let binary = profile_dir.join("prefect-mcp-server");
    let built = std::fs::metadata(&binary)
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| {
            panic!(
                "{} is missing: build it first (`cargo build -p prefect-mcp-server`; `cargo xtask test` does)",
                binary.display()
            )
        });
    let root = workspace_root();
    let sources = [
        "server/src",
        // The MCP Apps views are compiled in (include_str!).
        "server/apps/dist",
        "server/Cargo.toml",
        "prefect-api/src",
        "Cargo.lock",
    ];
    if let Some(newer) = sources
        .iter()
        .filter_map(|dir| newest_file(&root.join(dir)))
        .find(|(modified, _)| *modified > built)
    {
        panic!(
            "{} is older than {}: rebuild it (`cargo build -p prefect-mcp-server`; `cargo xtask test` does) so that the tests exercise the current source",
            binary.display(),
            newer.1.display()
        );
    }
    binary
}

/// The most recently modified file at or under `path`.
fn newest_file(path: &std::path::Path) -> Option<(std::time::SystemTime, PathBuf)> {
    let metadata = std::fs::metadata(path).ok()?;
    if metadata.is_file() {
        return Some((metadata.modified().ok()?, path.to_path_buf()));
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(|entry| newest_file(&entry.ok()?.path()))
        .max_by_key(|(modified, _)| *modified)
}

/// The setting that offers every toolset. The suite calls every tool, so the servers it starts
/// offer them all; the tests of the default offer set `PREFECT_MCP_TOOLSETS` or `--toolsets`
/// themselves, which win over this.
pub const EVERY_TOOLSET: (&str, &str) = ("PREFECT_MCP_TOOLSETS", "all");
