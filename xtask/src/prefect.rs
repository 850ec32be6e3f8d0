//! `cargo xtask prefect up|down|status|seed|ensure`: a throwaway local Prefect server for tests and the demo.
//!
//! Everything lives under `<root>/target/prefect/`:
//! - `venv-<V>/`: a virtualenv with the pinned Prefect release (installed once; `.xtask-pins`
//!   marks a finished install),
//! - `home-<V>/`: PREFECT_HOME of the server, so its SQLite database (recreated on every `up`),
//! - `postgres/`: with `--db postgres`, the PostgreSQL cluster holding the database instead
//!   (also recreated on every `up`; see [`crate::postgres`]),
//! - `server-<V>.log`, `runner-<V>.log`, `pip-<V>.log`,
//! - `state.json`: what is running (see [`State`]),
//! - `.lock`: held while a command changes that state, so concurrent `up`/`seed`/`down` serialise.
//!
//! The server and the runner are started in their own session (setsid), so they outlive the xtask
//! process and are out of reach of a terminal's Ctrl-C; `down` stops exactly the recorded PIDs
//! (their process groups and descendants). Process inspection uses `/proc` (Linux).
//!
//! Scheduler choice: the server's scheduler service stays ON. The facts about SQLite say that its
//! bursts of inserts can stall other writes past 30 s, and that disabling it gives a fully
//! deterministic world. But the sample world has a single active schedule (`mcp-scheduled/hourly`,
//! one-hour interval), which makes the scheduler insert three runs once, a few seconds after the
//! deployment appears, and then nothing until an hour has passed. `seed` waits for those runs
//! before creating its own, so tests never overlap the burst, and they get real scheduler-made
//! SCHEDULED runs rather than imitations.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::postgres;

/// The Prefect release used when none is asked for.
pub const DEFAULT_VERSION: &str = "3.9.1";

const HEALTH_TIMEOUT: Duration = Duration::from_secs(90);
const STOP_GRACE: Duration = Duration::from_secs(10);
const LOCK_TIMEOUT: Duration = Duration::from_secs(900);

/// The database behind the local Prefect server.
#[derive(clap::ValueEnum, Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Db {
    /// A SQLite file in the server's PREFECT_HOME (Prefect's default).
    #[default]
    Sqlite,
    /// A private PostgreSQL cluster on loopback, as production servers run.
    Postgres,
}

impl std::fmt::Display for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Db::Sqlite => "SQLite",
            Db::Postgres => "PostgreSQL",
        })
    }
}

#[derive(clap::Subcommand)]
pub enum Action {
    /// Install Prefect into target/prefect/venv-<V> if needed, start a server, print its API URL.
    Up {
        /// Prefect release. Without it, an already running server of any version is accepted.
        #[arg(long)]
        prefect_version: Option<String>,
        /// Database. Without it, an already running server on either is accepted (SQLite
        /// otherwise).
        #[arg(long, value_enum)]
        db: Option<Db>,
    },
    /// Stop the server and the runner recorded in target/prefect/state.json.
    Down,
    /// Show the recorded state; fail unless the server answers its health check.
    Status,
    /// Start the runner serving the sample deployments and create the sample runs.
    Seed,
    /// `up` + `seed` unless already done, for exactly this release (a server of another release
    /// is replaced): what the `test` and `demo` commands use.
    Ensure {
        #[arg(long, default_value = DEFAULT_VERSION)]
        prefect_version: String,
        #[arg(long, value_enum, default_value_t = Db::Sqlite)]
        db: Db,
    },
}

pub fn run(action: Action) -> Result<()> {
    match action {
        Action::Up {
            prefect_version,
            db,
        } => {
            let _lock = Lock::acquire()?;
            let state = up(prefect_version.as_deref(), db)?;
            println!("{}", state.api_url);
            Ok(())
        }
        Action::Down => down(),
        Action::Status => status(),
        Action::Seed => {
            let _lock = Lock::acquire()?;
            let state = read_state()?.filter(healthy).ok_or_else(|| {
                anyhow!("no Prefect server is up: run `cargo xtask prefect up` first")
            })?;
            seed(state).map(drop)
        }
        Action::Ensure {
            prefect_version,
            db,
        } => {
            let state = ensure_up_and_seeded(&prefect_version, db)?;
            println!("{}", state.api_url);
            Ok(())
        }
    }
}

/// What `up` and `seed` started; `target/prefect/state.json`.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct State {
    /// e.g. `http://127.0.0.1:41234/api`
    pub api_url: String,
    pub server_pid: u32,
    /// The process serving the sample deployments, once `seed` started it.
    pub runner_pid: Option<u32>,
    pub prefect_version: String,
    pub venv: PathBuf,
    /// PREFECT_HOME of the server, the runner and the seed script.
    pub home: PathBuf,
    /// `seed` finished successfully against this server.
    #[serde(default)]
    pub seeded: bool,
    #[serde(default)]
    pub server_log: PathBuf,
    #[serde(default)]
    pub runner_log: PathBuf,
    #[serde(default)]
    pub db: Db,
    /// The PostgreSQL cluster holding the database, with `--db postgres`.
    #[serde(default)]
    pub postgres: Option<postgres::Cluster>,
}

impl State {
    /// The venv's Python interpreter.
    pub fn python(&self) -> PathBuf {
        self.venv.join("bin").join("python")
    }
}

/// The recorded state, if any. It says nothing about whether the processes still run.
pub fn read_state() -> Result<Option<State>> {
    let path = state_path();
    match fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .with_context(|| format!("parsing {}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// A healthy, seeded server of `version` on `db` (with a live runner), starting or reseeding as
/// needed. A server of another version or on another database is stopped first.
pub fn ensure_up_and_seeded(version: &str, db: Db) -> Result<State> {
    let _lock = Lock::acquire()?;
    let state = match read_state()? {
        Some(state) if (state.prefect_version != version || state.db != db) && healthy(&state) => {
            eprintln!(
                "prefect: replacing the running Prefect {} server on {} with {version} on {db}",
                state.prefect_version, state.db
            );
            down_locked()?;
            up(Some(version), Some(db))?
        }
        _ => up(Some(version), Some(db))?,
    };
    let runner_alive = state
        .runner_pid
        .is_some_and(|pid| is_ours(pid, &state.venv));
    if state.seeded && runner_alive {
        return Ok(state);
    }
    seed(state)
}

/// Stop the recorded server and runner and forget them. Nothing recorded: nothing to do.
pub fn down() -> Result<()> {
    let _lock = Lock::acquire()?;
    down_locked()
}

/// A virtualenv holding the pinned Prefect `version` (see [`pins`]), created if missing.
/// Returns its Python interpreter.
pub fn ensure_venv(version: &str) -> Result<PathBuf> {
    let _lock = Lock::acquire()?;
    ensure_venv_locked(version)
}

fn ensure_venv_locked(version: &str) -> Result<PathBuf> {
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

// ---------------------------------------------------------------------------------------------
// up / down / status / seed (callers hold the lock, except `status`)

fn up(version: Option<&str>, db: Option<Db>) -> Result<State> {
    if let Some(state) = read_state()? {
        if healthy(&state) {
            let other_version = version.is_some_and(|v| v != state.prefect_version);
            let other_db = db.is_some_and(|d| d != state.db);
            if other_version || other_db {
                bail!(
                    "a Prefect {} server on {} is already up at {}; run `cargo xtask prefect down` first",
                    state.prefect_version,
                    state.db,
                    state.api_url
                );
            }
            eprintln!(
                "prefect: already up (Prefect {} on {})",
                state.prefect_version, state.db
            );
            return Ok(state);
        }
        eprintln!("prefect: the recorded server does not answer; cleaning up");
        down_locked()?;
    }

    let version = version.unwrap_or(DEFAULT_VERSION);
    let python = ensure_venv_locked(version)?;
    let venv = python
        .parent()
        .and_then(Path::parent)
        .context("venv layout")?
        .to_path_buf();

    let home = prefect_dir().join(format!("home-{version}"));
    if home.exists() {
        fs::remove_dir_all(&home).with_context(|| format!("removing {}", home.display()))?;
    }
    fs::create_dir_all(&home).with_context(|| format!("creating {}", home.display()))?;

    let db = db.unwrap_or_default();
    let cluster = match db {
        Db::Sqlite => None,
        Db::Postgres => Some(postgres::start(
            &prefect_dir().join("postgres"),
            free_port()?,
        )?),
    };
    let started = up_server(version, venv, home, db, cluster.clone());
    if started.is_err() {
        if let Some(cluster) = &cluster {
            if let Err(e) = cluster.stop() {
                eprintln!("postgres: {e:#}");
            }
        }
    }
    started
}

/// Start the server itself (the database is ready) and wait until it is healthy.
fn up_server(
    version: &str,
    venv: PathBuf,
    home: PathBuf,
    db: Db,
    cluster: Option<postgres::Cluster>,
) -> Result<State> {
    let port = free_port()?;
    let api_url = format!("http://127.0.0.1:{port}/api");
    let server_log = prefect_dir().join(format!("server-{version}.log"));
    let started = Instant::now();
    eprintln!(
        "prefect: starting Prefect {version} on {db} at {api_url} (log: {})",
        server_log.display()
    );
    let mut cmd = Command::new(venv.join("bin").join("prefect"));
    cmd.args(["server", "start", "--host", "127.0.0.1", "--port"])
        .arg(port.to_string());
    prefect_env(&mut cmd, &home, None);
    if let Some(cluster) = &cluster {
        cmd.env(
            "PREFECT_API_DATABASE_CONNECTION_URL",
            cluster.connection_url(),
        );
    }
    let mut child = spawn_detached(&mut cmd, &server_log, &home)?;

    let state = State {
        api_url,
        server_pid: child.id(),
        runner_pid: None,
        prefect_version: version.to_owned(),
        venv,
        home,
        seeded: false,
        server_log,
        runner_log: PathBuf::new(),
        db,
        postgres: cluster,
    };
    if let Err(e) = wait_healthy(&state, &mut child) {
        stop_pid(state.server_pid, &state.venv);
        return Err(e);
    }
    write_state(&state)?;
    eprintln!(
        "prefect: server healthy after {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(state)
}

fn wait_healthy(state: &State, child: &mut Child) -> Result<()> {
    let deadline = Instant::now() + HEALTH_TIMEOUT;
    loop {
        if let Some(status) = child.try_wait().context("checking the server process")? {
            bail!(
                "the Prefect server exited ({status}){}",
                tail(&state.server_log, 40)
            );
        }
        if healthy(state) {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!(
                "the Prefect server did not answer {}/health within {} s{}",
                state.api_url,
                HEALTH_TIMEOUT.as_secs(),
                tail(&state.server_log, 40)
            );
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn down_locked() -> Result<()> {
    let Some(state) = read_state()? else {
        eprintln!("prefect: nothing is up");
        return Ok(());
    };
    // The runner first: it would otherwise log connection errors against a stopping server.
    if let Some(pid) = state.runner_pid {
        stop_pid(pid, &state.venv);
    }
    stop_pid(state.server_pid, &state.venv);
    // The database last: the server may still write while it stops.
    if let Some(cluster) = &state.postgres {
        cluster.stop()?;
    }
    let path = state_path();
    fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
    eprintln!("prefect: down");
    Ok(())
}

fn status() -> Result<()> {
    let Some(state) = read_state()? else {
        bail!("not up: no {}", state_path().display());
    };
    println!(
        "{}",
        serde_json::to_string_pretty(&state).context("serialising the state")?
    );
    let server = is_ours(state.server_pid, &state.venv);
    let runner = state.runner_pid.map(|pid| is_ours(pid, &state.venv));
    let health = healthy(&state);
    println!(
        "server process: {}",
        if server { "running" } else { "gone" }
    );
    match runner {
        Some(alive) => println!("runner process: {}", if alive { "running" } else { "gone" }),
        None => println!("runner process: not started (run `cargo xtask prefect seed`)"),
    }
    println!("health: {}", if health { "ok" } else { "no answer" });
    if !health {
        bail!("the Prefect server at {} does not answer", state.api_url);
    }
    Ok(())
}

/// Start the runner unless it is alive, then run seed.py; records `runner_pid` and `seeded`.
fn seed(mut state: State) -> Result<State> {
    let scripts = crate::workspace_root().join("xtask").join("python");
    let runner_alive = state
        .runner_pid
        .is_some_and(|pid| is_ours(pid, &state.venv));
    // When set, seed.py waits for the new runner to have polled every deployment.
    let mut runner_started = None;
    if runner_alive {
        eprintln!(
            "prefect: runner already running (pid {})",
            state.runner_pid.unwrap_or(0)
        );
    } else {
        let runner_log = prefect_dir().join(format!("runner-{}.log", state.prefect_version));
        eprintln!(
            "prefect: starting the runner (log: {})",
            runner_log.display()
        );
        let mut cmd = Command::new(state.python());
        cmd.arg(scripts.join("runner.py"));
        prefect_env(&mut cmd, &state.home, Some(&state.api_url));
        // Pick up new runs every 5 s rather than 10 (each poll also writes to the database,
        // so not much more often).
        cmd.env("PREFECT_RUNNER_POLL_FREQUENCY", "5");
        runner_started = Some(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .context("system clock before 1970")?
                .as_secs_f64(),
        );
        let child = spawn_detached(&mut cmd, &runner_log, &scripts)?;
        state.runner_pid = Some(child.id());
        state.runner_log = runner_log;
        state.seeded = false;
        // Recorded before waiting on anything, so that `down` stops it whatever happens next.
        write_state(&state)?;
    }

    let started = Instant::now();
    let mut cmd = Command::new(state.python());
    cmd.arg(scripts.join("seed.py"))
        .arg("--runner-log")
        .arg(&state.runner_log)
        .current_dir(&scripts);
    if let Some(pid) = state.runner_pid {
        cmd.arg("--runner-pid").arg(pid.to_string());
    }
    if let Some(t) = runner_started {
        cmd.arg("--runner-started").arg(format!("{t:.3}"));
    }
    prefect_env(&mut cmd, &state.home, Some(&state.api_url));
    let status = cmd
        .stdin(Stdio::null())
        .status()
        .with_context(|| format!("running {}", state.python().display()))?;
    if !status.success() {
        bail!(
            "seeding failed ({status}); the runner's log is {}",
            state.runner_log.display()
        );
    }
    state.seeded = true;
    write_state(&state)?;
    eprintln!(
        "prefect: seeded in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(state)
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn prefect_dir() -> PathBuf {
    crate::workspace_root().join("target").join("prefect")
}

fn state_path() -> PathBuf {
    prefect_dir().join("state.json")
}

fn write_state(state: &State) -> Result<()> {
    let path = state_path();
    let tmp = path.with_extension("json.tmp");
    let text = serde_json::to_string_pretty(state).context("serialising the state")?;
    fs::write(&tmp, text + "\n").with_context(|| format!("writing {}", tmp.display()))?;
    fs::rename(&tmp, &path).with_context(|| format!("writing {}", path.display()))
}

/// The environment of every Prefect process we start. Inherited PREFECT_* variables (a user's
/// API URL, key, profile...) are dropped so that the local world does not depend on the caller's
/// shell; so are PYTHONPATH/PYTHONHOME, which would mix another Python into the venv.
fn prefect_env(cmd: &mut Command, home: &Path, api_url: Option<&str>) {
    for (key, _) in std::env::vars_os() {
        let name = key.to_string_lossy();
        if name.starts_with("PREFECT_") || name == "PYTHONPATH" || name == "PYTHONHOME" {
            cmd.env_remove(&key);
        }
    }
    cmd.env("PREFECT_HOME", home)
        .env("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
        .env("PYTHONUNBUFFERED", "1")
        // No __pycache__ next to the scripts in xtask/python.
        .env("PYTHONDONTWRITEBYTECODE", "1");
    if let Some(url) = api_url {
        cmd.env("PREFECT_API_URL", url);
    }
}

mod sys {
    // The two libc calls needed for process control; std links libc already, so declaring them
    // avoids a dependency.
    extern "C" {
        pub fn setsid() -> i32;
        pub fn kill(pid: i32, sig: i32) -> i32;
    }
    pub const SIGTERM: i32 = 15;
    pub const SIGKILL: i32 = 9;
}

/// Spawn in a new session (so also a new process group whose id is the child's PID), with output
/// appended to `log` and no stdin: the process neither depends on nor is signalled via our
/// terminal, and `down` can signal its whole group.
fn spawn_detached(cmd: &mut Command, log: &Path, cwd: &Path) -> Result<Child> {
    let out = File::create(log).with_context(|| format!("creating {}", log.display()))?;
    let err = out.try_clone().context("duplicating a log handle")?;
    cmd.current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err);
    // SAFETY: setsid is async-signal-safe and touches no memory of the parent.
    unsafe {
        cmd.pre_exec(|| {
            if sys::setsid() == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd.spawn()
        .with_context(|| format!("starting {:?}", cmd.get_program()))
}

/// A live (not zombie) process.
fn alive(pid: u32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state is the first field after the parenthesised command name.
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|s| s != "Z"),
        Err(_) => false,
    }
}

/// Alive and running from our venv: guards against signalling an unrelated process that reused
/// a recorded PID.
fn is_ours(pid: u32, venv: &Path) -> bool {
    alive(pid)
        && fs::read(format!("/proc/{pid}/cmdline"))
            .is_ok_and(|c| String::from_utf8_lossy(&c).contains(&*venv.to_string_lossy()))
}

/// All descendants of `root`, from /proc's parent links.
fn descendants(root: u32) -> Vec<u32> {
    let mut parents = Vec::new();
    if let Ok(entries) = fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            let ppid = fs::read_to_string(entry.path().join("stat"))
                .ok()
                .and_then(|stat| {
                    stat.rsplit_once(')')?
                        .1
                        .split_whitespace()
                        .nth(1)?
                        .parse::<u32>()
                        .ok()
                });
            if let Some(ppid) = ppid {
                parents.push((pid, ppid));
            }
        }
    }
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            parents
                .iter()
                .filter(|(_, pp)| *pp == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    found.remove(0);
    found
}

/// SIGTERM the process group led by `pid` (and any descendant that left it), wait, then SIGKILL
/// what is left. Does nothing if `pid` is no longer one of ours.
fn stop_pid(pid: u32, venv: &Path) {
    if !is_ours(pid, venv) {
        return;
    }
    let Ok(pgid) = i32::try_from(pid) else {
        return;
    };
    // Collected before signalling: once the leader dies, its children are reparented.
    let mut targets = descendants(pid);
    targets.push(pid);
    let signal_all = |sig: i32| {
        // SAFETY: plain syscalls on PIDs; failures (already gone) are expected and harmless.
        unsafe {
            sys::kill(-pgid, sig);
            for &p in &targets {
                if let Ok(p) = i32::try_from(p) {
                    sys::kill(p, sig);
                }
            }
        }
    };
    signal_all(sys::SIGTERM);
    let deadline = Instant::now() + STOP_GRACE;
    while targets.iter().any(|&p| alive(p)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    if targets.iter().any(|&p| alive(p)) {
        eprintln!(
            "prefect: pid {pid} ignored SIGTERM for {} s; killing",
            STOP_GRACE.as_secs()
        );
        signal_all(sys::SIGKILL);
        let deadline = Instant::now() + Duration::from_secs(5);
        while targets.iter().any(|&p| alive(p)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn free_port() -> Result<u16> {
    // The port is released before the server binds it; a collision in between is unlikely and
    // would show up as a server that fails to start.
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr().context("finding a free port")?.port())
}

/// `GET {api_url}/health` answers `true`.
pub fn healthy(state: &State) -> bool {
    http_get(&format!("{}/health", state.api_url))
        .is_ok_and(|(code, body)| code == 200 && body.trim() == "true")
}

/// A minimal HTTP/1.1 GET for plain-http local URLs, enough for the health check.
fn http_get(url: &str) -> Result<(u16, String)> {
    let rest = url
        .strip_prefix("http://")
        .with_context(|| format!("not an http:// URL: {url}"))?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let addr = authority
        .to_socket_addrs()
        .with_context(|| format!("resolving {authority}"))?
        .next()
        .with_context(|| format!("resolving {authority}"))?;
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let response = String::from_utf8_lossy(&response);
    let (head, body) = response
        .split_once("\r\n\r\n")
        .context("malformed HTTP response")?;
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .context("malformed HTTP status line")?;
    Ok((code, body.to_owned()))
}

/// The last `lines` lines of a log file, formatted to be appended to an error message.
fn tail(path: &Path, lines: usize) -> String {
    match fs::read_to_string(path) {
        Ok(text) => {
            let all: Vec<&str> = text.lines().collect();
            let start = all.len().saturating_sub(lines);
            format!(
                "\n--- last lines of {} ---\n{}",
                path.display(),
                all[start..].join("\n")
            )
        }
        Err(e) => format!("\n(cannot read {}: {e})", path.display()),
    }
}

/// `target/prefect/.lock`, holding the owner's PID. A lock whose owner is gone is taken over.
struct Lock(PathBuf);

impl Lock {
    fn acquire() -> Result<Lock> {
        let dir = prefect_dir();
        fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let path = dir.join(".lock");
        let deadline = Instant::now() + LOCK_TIMEOUT;
        let mut announced = false;
        loop {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut file) => {
                    write!(file, "{}", std::process::id())
                        .with_context(|| format!("writing {}", path.display()))?;
                    return Ok(Lock(path));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let owner = fs::read_to_string(&path)
                        .ok()
                        .and_then(|s| s.trim().parse::<u32>().ok());
                    match owner {
                        Some(pid) if alive(pid) => {
                            if !announced {
                                eprintln!("prefect: waiting for another xtask (pid {pid})");
                                announced = true;
                            }
                            if Instant::now() > deadline {
                                bail!("{} is still held by pid {pid}", path.display());
                            }
                        }
                        // Stale (owner gone), or just created and not yet written: only remove
                        // it if it is still unreadable/stale after a moment.
                        _ => {
                            std::thread::sleep(Duration::from_millis(200));
                            let again = fs::read_to_string(&path)
                                .ok()
                                .and_then(|s| s.trim().parse::<u32>().ok());
                            if again == owner && !owner.is_some_and(alive) {
                                let _ = fs::remove_file(&path);
                            }
                            continue;
                        }
                    }
                    std::thread::sleep(Duration::from_millis(500));
                }
                Err(e) => {
                    return Err(e).with_context(|| format!("creating {}", path.display()));
                }
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}
