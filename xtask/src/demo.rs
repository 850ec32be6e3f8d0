//! `cargo xtask demo`: a real MCP client session against Prefect, printed as a transcript, then
//! how to connect Claude Desktop, Claude Code and Cursor to the same binary and server.
//!
//! The Prefect server is the one PREFECT_API_URL names when it answers, else the local one with
//! the sample world (`cargo xtask prefect ensure`), which is left running afterwards. The client
//! is xtask/python/demo_client.py on the Python `mcp` SDK: a third-party client, as the
//! assistants are.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use crate::prefect;

/// The Prefect server the demo talks to.
struct Target {
    api_url: String,
    /// A Python with the `mcp` SDK installed.
    python: PathBuf,
    /// The local server with the sample world, started or reused by this command.
    local: bool,
}

pub fn run(prefect_version: &str) -> Result<()> {
    let started = Instant::now();
    // Built first, so that compile errors show before any Prefect server is started.
    let binary = build_server()?;
    let target = choose_target(prefect_version)?;

    println!("\n=== MCP session: {} ===\n", binary.display());
    let mut client = Command::new(&target.python);
    client
        .arg(crate::workspace_root().join("xtask/python/demo_client.py"))
        .arg(&binary)
        .arg(&target.api_url)
        // Keeps the transcript in order with our own output.
        .env("PYTHONUNBUFFERED", "1")
        // No __pycache__ next to the script; no other Python's modules in the venv.
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env_remove("PYTHONPATH")
        .env_remove("PYTHONHOME");
    if target.local {
        client.arg("--require-sample-world");
    }
    let status = client
        .status()
        .with_context(|| format!("running {}", target.python.display()))?;
    if !status.success() {
        bail!("the demo session failed ({status})");
    }

    print_connect_instructions(&binary, &target.api_url);
    if target.local {
        println!(
            "\nThe local Prefect server keeps running at {} (its port changes on every start); \
             stop it with `cargo xtask prefect down`.",
            target.api_url
        );
    }
    println!(
        "\nDemo finished in {:.0} s.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// PREFECT_API_URL if it answers its health check, else the local server with the sample world.
fn choose_target(prefect_version: &str) -> Result<Target> {
    let external = std::env::var("PREFECT_API_URL")
        .ok()
        .map(|url| url.trim().trim_end_matches('/').to_string())
        .filter(|url| !url.is_empty());
    if let Some(api_url) = external {
        if answers_health_check(&api_url) {
            eprintln!("demo: using the Prefect server at PREFECT_API_URL={api_url}");
            return Ok(Target {
                api_url,
                // Returns at once when the venv is already installed.
                python: prefect::ensure_venv(prefect::DEFAULT_VERSION)?,
                local: false,
            });
        }
        eprintln!(
            "demo: PREFECT_API_URL={api_url} does not answer GET {api_url}/health; \
             using a local Prefect server instead"
        );
    }
    let state = prefect::ensure_up_and_seeded(prefect_version, prefect::Db::Sqlite)?;
    Ok(Target {
        python: state.python(),
        api_url: state.api_url,
        local: true,
    })
}

/// `GET <api_url>/health` answers `true`. With curl (present wherever Prefect runs), because the
/// URL may be https and xtask has no HTTP client of its own.
fn answers_health_check(api_url: &str) -> bool {
    Command::new("curl")
        .args(["-fsS", "--max-time", "5", &format!("{api_url}/health")])
        .stderr(Stdio::null())
        .output()
        .is_ok_and(|out| {
            out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "true"
        })
}

/// `cargo build -p prefect-mcp-server`; the absolute path of the binary, as cargo reports it
/// (so that CARGO_TARGET_DIR and build.target-dir are honoured).
fn build_server() -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(&cargo)
        .args([
            "build",
            "-p",
            "prefect-mcp-server",
            // Diagnostics rendered on stderr as usual; artifacts as JSON on stdout.
            "--message-format=json-render-diagnostics",
        ])
        .current_dir(crate::workspace_root())
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("running {cargo} build"))?;
    if !output.status.success() {
        bail!("building prefect-mcp-server failed ({})", output.status);
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| {
            message["reason"] == "compiler-artifact"
                && message["target"]["name"] == "prefect-mcp-server"
        })
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .context("cargo built prefect-mcp-server but reported no executable")
}

fn print_connect_instructions(binary: &Path, api_url: &str) {
    let command = binary.display().to_string();
    // Claude Desktop and Cursor read the same shape.
    let config = json!({
        "mcpServers": {
            "prefect": {
                "command": command,
                "args": [],
                "env": { "PREFECT_API_URL": api_url },
            }
        }
    });
    let config = serde_json::to_string_pretty(&config).expect("a JSON value serialises");
    println!("\n=== Connect an assistant to this server ===");
    println!(
        "\nClaude Desktop: add to claude_desktop_config.json (macOS: ~/Library/Application \
         Support/Claude/, Windows: %APPDATA%\\Claude\\), then restart Claude Desktop:\n{config}"
    );
    println!(
        "\nClaude Code:\n  claude mcp add prefect --env {} -- {}",
        shell_quote(&format!("PREFECT_API_URL={api_url}")),
        shell_quote(&command)
    );
    println!("\nCursor: add to .cursor/mcp.json in the project (or ~/.cursor/mcp.json):\n{config}");
    println!(
        "\nThis is a debug build; for everyday use build it with \
         `cargo build --release -p prefect-mcp-server` and point \"command\" at target/release/. \
         For Prefect Cloud add PREFECT_API_KEY to \"env\"."
    );
}

/// `text` as one POSIX shell word.
fn shell_quote(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}
