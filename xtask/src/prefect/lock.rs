//! `target/prefect/.lock`: serialises the commands that change what is running.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use super::prefect_dir;
use super::process::alive;

const LOCK_TIMEOUT: Duration = Duration::from_secs(900);

/// `target/prefect/.lock`, holding the owner's PID. A lock whose owner is gone is taken over.
pub(super) struct Lock(PathBuf);

impl Lock {
    pub(super) fn acquire() -> Result<Lock> {
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
