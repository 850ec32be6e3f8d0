//! Starting Prefect processes detached from our terminal, and stopping exactly them (Linux
//! `/proc`).

use std::fs::{self, File};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

const STOP_GRACE: Duration = Duration::from_secs(10);

/// The environment of every Prefect process we start. Inherited PREFECT_* variables (a user's
/// API URL, key, profile...) are dropped so that the local world does not depend on the caller's
/// shell; so are PYTHONPATH/PYTHONHOME, which would mix another Python into the venv.
pub(super) fn prefect_env(cmd: &mut Command, home: &Path, api_url: Option<&str>) {
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
pub(super) fn spawn_detached(cmd: &mut Command, log: &Path, cwd: &Path) -> Result<Child> {
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
pub(super) fn alive(pid: u32) -> bool {
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
pub(super) fn is_ours(pid: u32, venv: &Path) -> bool {
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
pub(super) fn stop_pid(pid: u32, venv: &Path) {
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
