//! Running other programs, written once for the whole xtask: with their output passed through
//! ([`run_command`]), captured and shown only when they fail ([`run_quiet`]), or read
//! ([`capture`]); and Debian's packages installed when a tool the tests need is missing
//! ([`apt_install`], [`ensure_node_tools`]), and Python packages in a virtualenv of their own
//! ([`ensure_venv`]).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{bail, Context, Result};

/// A command as the messages show it.
fn describe(command: &Command) -> String {
    let args: Vec<_> = command.get_args().map(|a| a.to_string_lossy()).collect();
    format!(
        "`{} {}`",
        command.get_program().to_string_lossy(),
        args.join(" ")
    )
}

/// Run a command with its output passed through; fail with its status.
pub fn run_command(command: &mut Command) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("running {}", describe(command)))?;
    if !status.success() {
        bail!("{} failed ({status})", describe(command));
    }
    Ok(())
}

/// Run a command without input, its output kept back; on failure the error holds that output.
pub fn run_quiet(command: &mut Command) -> Result<()> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {}", describe(command)))?;
    if !output.status.success() {
        bail!(
            "{} failed ({}):\n{}{}",
            describe(command),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// Run a command, stderr passed through; its stdout, or an error with its status.
pub fn capture(command: &mut Command) -> Result<String> {
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("running {}", describe(command)))?;
    if !output.status.success() {
        bail!("{} failed ({})", describe(command), output.status);
    }
    String::from_utf8(output.stdout)
        .with_context(|| format!("{} printed non-UTF-8", describe(command)))
}

/// Whether the packages' recommendations come along (Chromium's fonts do; servers need none).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Recommends {
    With,
    Without,
}

/// Install Debian packages (`apt-get update`, then `install`), keeping any configuration file
/// already there; `why` says in the error what needed them.
pub fn apt_install(packages: &[&str], recommends: Recommends, why: &str) -> Result<()> {
    let listed = packages.join(" ");
    run_command(
        Command::new("apt-get")
            .args(["update", "-q"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdin(Stdio::null()),
    )
    .with_context(|| format!("apt-get update (to install {listed}: {why})"))?;
    let mut install = Command::new("apt-get");
    install
        .args([
            "install",
            "-y",
            "-q",
            "-o",
            "Dpkg::Options::=--force-confold",
        ])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdin(Stdio::null());
    if recommends == Recommends::Without {
        install.arg("--no-install-recommends");
    }
    run_command(install.args(packages)).with_context(|| format!("apt-get install {listed} ({why})"))
}

/// `npm install` of `packages` into the npm folder `dir`, quietly.
pub fn npm_install(dir: &Path, packages: &[&str]) -> Result<()> {
    run_quiet(
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
            .args(packages)
            .current_dir(dir),
    )
}

/// node and npm, from Debian's packages when missing (CI machines start without them).
pub fn ensure_node_tools() -> Result<()> {
    let present = |tool: &str| {
        Command::new(tool)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if present("node") && present("npm") {
        return Ok(());
    }
    eprintln!("xtask: node/npm missing; installing Debian's nodejs and npm");
    apt_install(
        &["nodejs", "npm"],
        Recommends::Without,
        "the TypeScript clients and the views",
    )?;
    if !present("node") {
        bail!("node is still not on PATH after installing nodejs");
    }
    Ok(())
}

/// A virtualenv at `venv` holding the pinned `packages` (pip requirement strings), created or
/// recreated when its marker names other pins; its Python. `PYTHON` picks the base interpreter.
pub fn ensure_venv(venv: &Path, packages: &[&str]) -> Result<PathBuf> {
    let python = venv.join("bin").join("python");
    let marker = venv.join(".xtask-pins");
    let pins = packages.join(" ");
    if fs::read_to_string(&marker).is_ok_and(|have| have == pins) && python.exists() {
        return Ok(python);
    }
    if venv.exists() {
        fs::remove_dir_all(venv).with_context(|| format!("removing {}", venv.display()))?;
    }
    let started = Instant::now();
    let base_python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    eprintln!("xtask: creating {} with {base_python}", venv.display());
    run_quiet(Command::new(&base_python).arg("-m").arg("venv").arg(venv))
        .with_context(|| format!("`{base_python} -m venv`: is Python 3 installed?"))?;
    eprintln!("xtask: pip install {pins}");
    run_quiet(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--quiet",
            ])
            .args(packages),
    )?;
    fs::write(&marker, &pins).with_context(|| format!("writing {}", marker.display()))?;
    eprintln!(
        "xtask: {pins} installed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(python)
}
