//! `seed`: the runner serving the sample deployments, then seed.py building the sample world
//! (the caller holds the lock).

use std::process::{Command, Stdio};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};

use super::prefect_dir;
use super::process::{is_ours, prefect_env, spawn_detached};
use super::state::{write_state, State};

/// Start the runner unless it is alive, then run seed.py; records `runner_pid` and `seeded`.
pub(super) fn seed(mut state: State) -> Result<State> {
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
