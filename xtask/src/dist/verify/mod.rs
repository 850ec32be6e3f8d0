//! `cargo xtask dist --verify`: each artifact installed the way a user installs it, then one MCP
//! session through it against the local Prefect with the sample world (started here when it is
//! not up, and stopped again afterwards):
//!
//! - the wheel into a fresh virtualenv with pip, and run with `uvx --from <wheel>` from a cold
//!   uv cache: `--version`, then tools/list and tool calls;
//! - the bundle unpacked with `mcpb unpack` and launched exactly as its manifest says
//!   (`${__dirname}` and the user_config values substituted into the command and `env`);
//! - `mcpb validate` on the bundled manifest; server.json's required fields and its agreement
//!   with the artifacts; one version and platform everywhere (see [`metadata`]);
//! - on Linux, `auditwheel show` finds the wheel manylinux2014 (glibc 2.17) or older; the static
//!   binary, when built, is static; actionlint passes on the release workflow.
//!
//! Ends with `dist: N passed, N failed` and fails when any check failed.

mod metadata;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, ensure, Context, Result};
use serde_json::{json, Value};

use super::toolchain::{self, Tools};
use super::{bundle, Artifacts, BINARY};
use crate::prefect;

/// The launcher that makes `uvx <distribution>` run the server (server/launcher/).
const LAUNCHER: &str = "prefect-mcp-rs";
/// A flow of the sample world that `list_flows` must show.
const SAMPLE_FLOW: &str = "mcp-hello";
/// Settings whose values are secrets, in the manifest's `env` and server.json alike.
const SECRET_VARIABLES: [&str; 2] = ["PREFECT_API_KEY", "PREFECT_API_AUTH_STRING"];

pub fn run(artifacts: &Artifacts, tools: &Tools) -> Result<()> {
    let version = prefect::DEFAULT_VERSION;
    let already_up = prefect::read_state()?
        .filter(|s| s.prefect_version == version && prefect::healthy(s))
        .is_some();
    let state = prefect::ensure_up_and_seeded(version, prefect::Db::Sqlite).with_context(|| {
        format!(
            "the real Prefect {version} server could not be started; the install checks need it"
        )
    })?;
    eprintln!("dist verify: Prefect {version} at {}", state.api_url);
    let checks = Checks {
        artifacts,
        tools,
        checkers: toolchain::checkers()?,
        python: state.python(),
        api_url: state.api_url.clone(),
        work: super::dist_dir().with_file_name("dist-verify"),
    };
    let outcome = checks.run_all();
    // Stop what this run started; a server that was already up (a developer's) stays.
    if !already_up {
        if let Err(e) = prefect::down() {
            eprintln!("dist verify: stopping Prefect failed: {e:#}");
        }
    }
    outcome
}

/// One check: a note to print when it passes.
type Check<'a> = fn(&Checks<'a>) -> Result<String>;

struct Checks<'a> {
    artifacts: &'a Artifacts,
    tools: &'a Tools,
    /// auditwheel, actionlint, ShellCheck.
    checkers: toolchain::Checkers,
    /// A Python with the `mcp` SDK (the Prefect venv's), for the MCP client.
    python: PathBuf,
    api_url: String,
    /// Scratch space: target/dist-verify/.
    work: PathBuf,
}

impl Checks<'_> {
    fn run_all(&self) -> Result<()> {
        if self.work.exists() {
            fs::remove_dir_all(&self.work)
                .with_context(|| format!("removing {}", self.work.display()))?;
        }
        fs::create_dir_all(&self.work)?;
        let mut checks: Vec<(&str, Check<'_>)> = vec![
            ("one version and platform everywhere", Self::one_version),
            (
                "server.json: required fields, agrees with the artifacts",
                Self::server_json,
            ),
            (
                "wheel: pip install into a fresh venv, MCP session",
                Self::pip,
            ),
            (
                "wheel: uvx --from <wheel> with a cold cache, MCP session",
                Self::uvx,
            ),
            (
                "bundle: mcpb unpack + mcpb validate, manifest complete",
                Self::bundle_manifest,
            ),
            (
                "bundle: launched as its manifest says, MCP session",
                Self::bundle_session,
            ),
            (
                "bundle: the read-only setting reaches the server",
                Self::bundle_read_only,
            ),
            ("release workflow: actionlint clean", Self::workflows),
        ];
        if self.artifacts.platform.is_linux() {
            checks.push(("wheel: auditwheel show, manylinux2014", Self::manylinux));
        }
        if self.artifacts.static_build.is_some() {
            checks.push((
                "static binary: musl target, tools, no dynamic loader",
                Self::static_binary,
            ));
        }
        let (mut passed, mut failed) = (0, 0);
        for (name, check) in checks {
            let started = Instant::now();
            match check(self) {
                Ok(note) => {
                    passed += 1;
                    println!(
                        "ok      {name} ({:.1} s){}",
                        started.elapsed().as_secs_f64(),
                        if note.is_empty() {
                            String::new()
                        } else {
                            format!(": {note}")
                        }
                    );
                }
                Err(error) => {
                    failed += 1;
                    println!("FAILED  {name}: {error:#}");
                }
            }
        }
        println!("dist: {passed} passed, {failed} failed");
        if failed > 0 {
            bail!("{failed} dist check(s) failed");
        }
        Ok(())
    }

    fn pip(&self) -> Result<String> {
        let a = self.artifacts;
        let venv = self.work.join("pip-venv");
        let started = Instant::now();
        let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
        super::run_command(Command::new(&python).args(["-m", "venv"]).arg(&venv))?;
        let create = started.elapsed().as_secs_f64();
        // The wheel has no dependencies: nothing else is fetched.
        output(
            Command::new(venv.join("bin/pip"))
                .args([
                    "install",
                    "--no-index",
                    "--no-deps",
                    "--disable-pip-version-check",
                ])
                .arg(&a.wheel),
        )?;
        let install = started.elapsed().as_secs_f64() - create;
        let bin = venv.join("bin");
        self.expect_version(&mut Command::new(bin.join(BINARY)))?;
        self.expect_version(&mut Command::new(bin.join(LAUNCHER)))?;
        let metadata = output(Command::new(venv.join("bin/python")).args([
            "-c",
            "import importlib.metadata as m, sys; print(m.version(sys.argv[1]))",
            &a.distribution,
        ]))?;
        ensure!(
            metadata.trim() == a.version,
            "pip installed {} {}, Cargo says {}",
            a.distribution,
            metadata.trim(),
            a.version
        );
        let session = self.session(
            &bin.join(BINARY).to_string_lossy(),
            &[],
            json!({ "PREFECT_API_URL": self.api_url }),
            &a.tools,
        )?;
        Ok(format!(
            "{}; venv created in {create:.1} s, pip install {install:.1} s, launch to first \
             tools/list {:.2} s: install to first answer {:.1} s",
            session.server,
            session.first_answer,
            install + session.first_answer
        ))
    }

    fn uvx(&self) -> Result<String> {
        let a = self.artifacts;
        let wheel = a.wheel.to_string_lossy().into_owned();
        // A cold cache: this run installs the wheel as a first-time user's does. Offline, and
        // with the Python on PATH: the wheel needs nothing from an index.
        let uv_env = json!({
            "UV_CACHE_DIR": self.work.join("uv-cache"),
            "UV_OFFLINE": "1",
            "UV_PYTHON_DOWNLOADS": "never",
            "UV_NO_CONFIG": "1",
            "PREFECT_API_URL": self.api_url,
        });
        let uvx = self.tools.uvx.to_string_lossy().into_owned();
        // `uvx <distribution>`, the README's line, with the wheel standing in for PyPI.
        let args = ["--from".to_owned(), wheel.clone(), LAUNCHER.to_owned()];
        let session = self.session(&uvx, &args, uv_env.clone(), &a.tools)?;
        let mut command = Command::new(&self.tools.uvx);
        command.args(["--from", &wheel, BINARY]);
        for (name, value) in uv_env.as_object().into_iter().flatten() {
            command.env(name, value.as_str().unwrap_or_default());
        }
        self.expect_version(&mut command)?;
        Ok(format!(
            "{}; cold `uvx` launch to first tools/list {:.2} s",
            session.server, session.first_answer
        ))
    }

    fn bundle_session(&self) -> Result<String> {
        let session =
            self.bundle_launch(json!({ "api_url": self.api_url }), &self.artifacts.tools)?;
        Ok(format!("{}, {} tools", session.server, session.tools))
    }

    fn bundle_read_only(&self) -> Result<String> {
        let read_only = super::tool_list(&self.artifacts.binary, &["--read-only"])?;
        ensure!(
            read_only.len() < self.artifacts.tools.len(),
            "--read-only offers as many tools as the full set"
        );
        let session = self.bundle_launch(
            json!({ "api_url": self.api_url, "read_only": true }),
            &read_only,
        )?;
        Ok(format!(
            "{} of {} tools offered",
            session.tools,
            self.artifacts.tools.len()
        ))
    }

    /// The bundle's server, launched as the manifest says with these user_config values.
    fn bundle_launch(&self, values: Value, expect_tools: &[Value]) -> Result<Session> {
        let dir = self.unpacked_bundle()?;
        let manifest = super::read_json(&dir.join("manifest.json"))?;
        let (command, args, env) = bundle::launch(&manifest, &dir, &values)?;
        let mode = fs::metadata(&command)
            .with_context(|| format!("the manifest's command {command} is not in the bundle"))?
            .permissions()
            .mode();
        ensure!(
            mode & 0o111 != 0,
            "{command} is not executable after unpacking"
        );
        self.session(&command, &args, env, expect_tools)
    }

    /// `mcpb unpack` of the bundle into target/dist-verify/bundle (once).
    fn unpacked_bundle(&self) -> Result<PathBuf> {
        let dir = self.work.join("bundle");
        if !dir.join("manifest.json").is_file() {
            output(
                self.tools
                    .mcpb()
                    .arg("unpack")
                    .arg(&self.artifacts.bundle)
                    .arg(&dir),
            )
            .context("mcpb unpack")?;
        }
        Ok(dir)
    }

    /// What `--version` prints: name, version and the target triple of the host build.
    fn expected_version(&self) -> String {
        format!(
            "{BINARY} {} ({})",
            self.artifacts.version,
            self.artifacts.platform.triple()
        )
    }

    fn expect_version(&self, command: &mut Command) -> Result<()> {
        let printed = output(command.arg("--version"))?;
        let expected = self.expected_version();
        ensure!(
            printed.trim() == expected,
            "--version printed {printed:?}, expected {expected:?}"
        );
        Ok(())
    }

    /// One MCP session through xtask/python/dist_client.py.
    fn session(
        &self,
        command: &str,
        args: &[String],
        env: Value,
        expect_tools: &[Value],
    ) -> Result<Session> {
        let spec = json!({
            "command": command,
            "args": args,
            "env": env,
            "expect_tools": expect_tools.iter().map(|t| &t["name"]).collect::<Vec<_>>(),
            "api_url": self.api_url,
            "expect_flow": SAMPLE_FLOW,
        });
        let script = crate::workspace_root().join("xtask/python/dist_client.py");
        let printed = output(
            Command::new(&self.python)
                .arg(script)
                .arg(spec.to_string())
                .env("PYTHONDONTWRITEBYTECODE", "1")
                .env_remove("PYTHONPATH")
                .env_remove("PYTHONHOME"),
        )
        .with_context(|| format!("the MCP session with {command} {}", args.join(" ")))?;
        let summary: Value = serde_json::from_str(printed.trim())
            .with_context(|| format!("the client's summary {printed:?}"))?;
        let time = |key: &str| summary[key].as_f64().unwrap_or(f64::NAN);
        Ok(Session {
            server: summary["server"].as_str().unwrap_or_default().to_owned(),
            tools: summary["tools"].as_u64().unwrap_or_default(),
            first_answer: time("first_answer_at") - time("launched_at"),
        })
    }
}

struct Session {
    /// "name version" from the initialize answer.
    server: String,
    tools: u64,
    /// Seconds from launching the command to the tools/list answer.
    first_answer: f64,
}

/// A command's stdout; on failure an error carrying its stderr.
fn output(command: &mut Command) -> Result<String> {
    let program = command.get_program().to_string_lossy().into_owned();
    let out = command
        .output()
        .with_context(|| format!("running {program}"))?;
    if !out.status.success() {
        bail!(
            "{program} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
