//! `up`, `down` and `status` of the server and its database (callers hold the lock, except
//! `status`).

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use super::process::{is_ours, prefect_env, spawn_detached, stop_pid};
use super::state::{read_state, state_path, write_state, State};
use super::venv::ensure_venv_locked;
use super::{healthy, prefect_dir, tail, Db, DEFAULT_VERSION};
use crate::postgres;

const HEALTH_TIMEOUT: Duration = Duration::from_secs(90);

pub(super) fn up(version: Option<&str>, db: Option<Db>) -> Result<State> {
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

pub(super) fn down_locked() -> Result<()> {
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

pub(super) fn status() -> Result<()> {
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

fn free_port() -> Result<u16> {
    // The port is released before the server binds it; a collision in between is unlikely and
    // would show up as a server that fails to start.
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr().context("finding a free port")?.port())
}
