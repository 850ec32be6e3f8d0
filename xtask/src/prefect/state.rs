//! `target/prefect/state.json`: what `up` and `seed` started, written atomically.

use std::fs;
use std::path::PathBuf;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::{prefect_dir, Db};
use crate::postgres;

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

pub(super) fn state_path() -> PathBuf {
    prefect_dir().join("state.json")
}

pub(super) fn write_state(state: &State) -> Result<()> {
    let path = state_path();
    let tmp = path.with_extension("json.tmp");
    let text = serde_json::to_string_pretty(state).context("serialising the state")?;
    fs::write(&tmp, text + "\n").with_context(|| format!("writing {}", tmp.display()))?;
    fs::rename(&tmp, &path).with_context(|| format!("writing {}", path.display()))
}
