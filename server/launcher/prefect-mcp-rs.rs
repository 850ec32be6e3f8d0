//! `prefect-mcp-rs`: runs the `prefect-mcp-server` installed beside it.
//!
//! The Python distribution is called `prefect-mcp-rs` (`prefect-mcp-server` is taken on PyPI),
//! and `uvx NAME` runs the executable named like the distribution. This launcher, a few hundred
//! kilobytes, makes `uvx prefect-mcp-rs` work without shipping the server twice; the server keeps
//! its own name for everyone who installs it with pip, pipx or cargo.

use std::path::PathBuf;
use std::process::{Command, ExitCode};

const SERVER: &str = "prefect-mcp-server";

fn main() -> ExitCode {
    let server = match sibling_server() {
        Ok(path) => path,
        Err(why) => {
            eprintln!("prefect-mcp-rs: {why}; reinstall the prefect-mcp-rs package");
            return ExitCode::from(127);
        }
    };
    let mut command = Command::new(&server);
    command.args(std::env::args_os().skip(1));
    run(command, &server)
}

/// `prefect-mcp-server` in this executable's directory (where pip, uv and pipx put both).
fn sibling_server() -> Result<PathBuf, String> {
    let me = std::env::current_exe()
        .map_err(|e| format!("cannot tell where this launcher is installed ({e})"))?;
    let dir = me
        .parent()
        .ok_or_else(|| format!("{} has no parent directory", me.display()))?;
    let server = dir.join(format!("{SERVER}{}", std::env::consts::EXE_SUFFIX));
    if server.is_file() {
        Ok(server)
    } else {
        Err(format!("{} is missing", server.display()))
    }
}

/// Unix: become the server (same PID, stdio and signals, as an MCP client expects).
#[cfg(unix)]
fn run(mut command: Command, server: &std::path::Path) -> ExitCode {
    use std::os::unix::process::CommandExt;
    // `exec` returns only when it failed.
    let error = command.exec();
    eprintln!("prefect-mcp-rs: cannot start {}: {error}", server.display());
    ExitCode::from(126)
}

/// Elsewhere: run the server as a child with the same stdio and pass its exit code on.
#[cfg(not(unix))]
fn run(mut command: Command, server: &std::path::Path) -> ExitCode {
    match command.status() {
        Ok(status) => status
            .code()
            .and_then(|code| u8::try_from(code).ok())
            .map_or(ExitCode::FAILURE, ExitCode::from),
        Err(error) => {
            eprintln!("prefect-mcp-rs: cannot start {}: {error}", server.display());
            ExitCode::from(126)
        }
    }
}
