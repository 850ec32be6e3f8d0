//! A private PostgreSQL cluster for `cargo xtask prefect up --db postgres`, as production Prefect
//! servers run.
//!
//! Debian's `postgresql` package provides the binaries (installed with apt-get when missing, with
//! no default cluster of its own). The cluster lives in `target/prefect/postgres/`, is created
//! fresh on every `up` (like the SQLite file), listens on 127.0.0.1 on a free port with its socket
//! in its own directory, and is started and stopped with `pg_ctl` like the Prefect server.
//! `initdb` refuses to run as root, so the cluster runs as the `postgres` user, in a directory
//! that user owns. Authentication is `trust`: only loopback, only this machine's tests.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

/// The system user the cluster runs as (created by Debian's package).
const OS_USER: &str = "postgres";
/// The database role and database Prefect uses.
const DB_USER: &str = "prefect";
const DB_NAME: &str = "prefect";

/// A running cluster, recorded in `state.json` so that `down` stops it.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Cluster {
    /// The server binaries (`/usr/lib/postgresql/<major>/bin`).
    pub bin: PathBuf,
    /// The data directory (owned by `postgres`).
    pub data: PathBuf,
    pub port: u16,
}

impl Cluster {
    /// The SQLAlchemy URL Prefect connects with (asyncpg comes with Prefect).
    pub fn connection_url(&self) -> String {
        format!(
            "postgresql+asyncpg://{DB_USER}@127.0.0.1:{}/{DB_NAME}",
            self.port
        )
    }

    /// `pg_ctl stop -m fast`; a cluster that is not running is fine.
    pub fn stop(&self) -> Result<()> {
        if !self.data.join("postmaster.pid").exists() {
            return Ok(());
        }
        let out = as_postgres(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(&self.data)
            .args(["stop", "-m", "fast", "-w", "-t", "60"])
            .output()
            .context("running pg_ctl stop")?;
        if !out.status.success() {
            bail!(
                "pg_ctl stop failed for {} ({}): {}",
                self.data.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        eprintln!("postgres: stopped the cluster in {}", self.data.display());
        Ok(())
    }
}

/// Create and start a fresh cluster in `dir` on `port`, with Prefect's role and database.
pub fn start(dir: &Path, port: u16) -> Result<Cluster> {
    let bin = ensure_installed()?;
    let data = dir.join("data");
    // A cluster left running by an interrupted run is stopped before its files go.
    let leftover = Cluster {
        bin: bin.clone(),
        data: data.clone(),
        port,
    };
    if let Err(e) = leftover.stop() {
        eprintln!("postgres: stopping a leftover cluster: {e:#}");
    }
    if dir.exists() {
        fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let (uid, gid) = os_user_ids()?;
    std::os::unix::fs::chown(dir, Some(uid), Some(gid))
        .with_context(|| format!("giving {} to the {OS_USER} user", dir.display()))?;

    run(
        as_postgres(&bin.join("initdb")).arg("-D").arg(&data).args([
            "-A",
            "trust",
            "-U",
            DB_USER,
            "-E",
            "UTF8",
            "--no-sync",
        ]),
        "initdb",
        dir,
    )?;
    let cluster = Cluster { bin, data, port };
    // fsync off: a throwaway test database, which should not slow the shared machine's disk.
    let options = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
        dir.display()
    );
    let log = dir.join("postgres.log");
    let started = run(
        as_postgres(&cluster.bin.join("pg_ctl"))
            .arg("-D")
            .arg(&cluster.data)
            .arg("-l")
            .arg(&log)
            .args(["-o", &options, "-w", "-t", "60", "start"]),
        "pg_ctl start",
        dir,
    );
    if let Err(e) = started {
        return Err(e.context(tail_of(&log)));
    }
    let created = run(
        as_postgres(&cluster.bin.join("createdb")).args([
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-U",
            DB_USER,
            DB_NAME,
        ]),
        "createdb",
        dir,
    );
    if let Err(e) = created {
        let _ = cluster.stop();
        return Err(e);
    }
    eprintln!(
        "postgres: cluster up on 127.0.0.1:{port} (data: {}, log: {})",
        cluster.data.display(),
        log.display()
    );
    Ok(cluster)
}

/// The binaries of the newest installed PostgreSQL, installing Debian's package when missing.
fn ensure_installed() -> Result<PathBuf> {
    if let Some(bin) = installed_bin() {
        return Ok(bin);
    }
    eprintln!("postgres: not installed; installing Debian's postgresql package");
    // Debian's package would create and start a "main" cluster of its own on port 5432; this
    // project only wants the binaries. createcluster.conf is the package's switch for that.
    let conf = Path::new("/etc/postgresql-common/createcluster.conf");
    if !conf.exists() {
        fs::create_dir_all(conf.parent().context("createcluster.conf has a parent")?)?;
        fs::write(
            conf,
            "# Written by prefect-mcp's xtask: clusters are created by whoever needs one.\n\
             create_main_cluster = false\n",
        )
        .with_context(|| format!("writing {}", conf.display()))?;
    }
    crate::process::apt_install(
        &["postgresql"],
        crate::process::Recommends::Without,
        "the PostgreSQL tier runs Prefect on Debian's PostgreSQL",
    )?;
    installed_bin().context("apt-get installed postgresql, but no /usr/lib/postgresql/*/bin/initdb")
}

/// `/usr/lib/postgresql/<newest major>/bin`, when it has initdb.
fn installed_bin() -> Option<PathBuf> {
    let mut majors: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|e| {
            let major = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((major, bin))
        })
        .collect();
    majors.sort();
    majors.pop().map(|(_, bin)| bin)
}

fn os_user_ids() -> Result<(u32, u32)> {
    let passwd = fs::read_to_string("/etc/passwd").context("reading /etc/passwd")?;
    passwd
        .lines()
        .find_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            (fields.first() == Some(&OS_USER) && fields.len() > 3)
                .then(|| Some((fields[2].parse().ok()?, fields[3].parse().ok()?)))
                .flatten()
        })
        .with_context(|| format!("no {OS_USER} user (Debian's postgresql package creates it)"))
}

/// A command run as the `postgres` user.
fn as_postgres(program: &Path) -> Command {
    let mut cmd = Command::new("runuser");
    cmd.args(["-u", OS_USER, "--"]).arg(program);
    cmd.stdin(Stdio::null());
    cmd
}

fn run(cmd: &mut Command, what: &str, dir: &Path) -> Result<()> {
    // Run from the cluster's directory: the postgres user may not be allowed into the caller's.
    let out = cmd
        .current_dir(dir)
        .output()
        .with_context(|| format!("running {what}"))?;
    if !out.status.success() {
        bail!(
            "{what} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim(),
            String::from_utf8_lossy(&out.stdout).trim()
        );
    }
    Ok(())
}

fn tail_of(log: &Path) -> String {
    match fs::read_to_string(log) {
        Ok(text) => {
            let lines: Vec<&str> = text.lines().collect();
            format!(
                "the cluster did not start; last lines of {}:\n{}",
                log.display(),
                lines[lines.len().saturating_sub(20)..].join("\n")
            )
        }
        Err(_) => format!("the cluster did not start (no {})", log.display()),
    }
}
