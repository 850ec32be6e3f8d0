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
//!
//! Modules: [`state`] (state.json), [`lock`] (the lock), [`venv`] (installing Prefect),
//! [`server`] (`up`/`down`/`status`), [`seed`] (the runner and the sample world), [`process`]
//! (starting and stopping detached processes), [`health`] (the health check).

mod health;
mod lock;
mod process;
mod seed;
mod server;
mod state;
mod venv;

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Result};
use serde::{Deserialize, Serialize};

pub use health::healthy;
pub use state::{read_state, State};

use lock::Lock;
use process::is_ours;
use seed::seed;
use server::{down_locked, status, up};
use venv::ensure_venv_locked;

/// The Prefect release used when none is asked for.
pub const DEFAULT_VERSION: &str = "3.9.1";

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

/// A virtualenv holding the pinned Prefect `version` (see [`venv::pins`]), created if missing.
/// Returns its Python interpreter.
pub fn ensure_venv(version: &str) -> Result<PathBuf> {
    let _lock = Lock::acquire()?;
    ensure_venv_locked(version)
}

fn prefect_dir() -> PathBuf {
    crate::workspace_root().join("target").join("prefect")
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
