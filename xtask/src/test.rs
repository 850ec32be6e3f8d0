//! `cargo xtask test`: the whole suite against a real Prefect, as README and CI run it.
//!
//! Builds everything, brings up the pinned Prefect with the sample world (or fails loudly when
//! it cannot), runs `cargo test --workspace` with `PREFECT_API_URL` pointing at it, and always
//! stops the server (and the PostgreSQL cluster) it started, also when seeding or a test fails.

use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::prefect;

pub fn run(
    prefect_version: &str,
    db: prefect::Db,
    keep_up: bool,
    release_tiers_only: bool,
    cargo_test_args: &[String],
) -> Result<()> {
    let started = Instant::now();
    let root = crate::workspace_root();
    // Build first, so that compile errors show before Prefect starts, and so that the
    // integration tests find the server binary.
    cargo(&["build", "--workspace", "--all-targets"])?;

    // The third-party clients (Python SDK 2.x, TypeScript SDK) the tests drive the server with.
    let clients = crate::clients::ensure_clients()
        .context("the third-party MCP clients could not be installed; the suite needs them")?;

    // The MCP Apps browser tier: the views' npm packages, Chromium and the test host page.
    let browser = crate::apps::ensure_browser_tier().context(
        "the MCP Apps browser tests' tools could not be installed; the suite needs them",
    )?;

    let already_up = prefect::read_state()?
        .filter(|s| s.prefect_version == prefect_version && s.db == db && prefect::healthy(s))
        .is_some();
    let state = match prefect::ensure_up_and_seeded(prefect_version, db) {
        Ok(state) => state,
        Err(e) => {
            // A server that started but could not be seeded is stopped all the same.
            if !keep_up && !already_up {
                if let Err(e) = prefect::down() {
                    eprintln!("xtask test: stopping Prefect failed: {e:#}");
                }
            }
            return Err(e.context(format!(
                "the real Prefect {prefect_version} server on {db} could not be started; the suite cannot run without it"
            )));
        }
    };
    eprintln!(
        "xtask test: Prefect {} on {} at {}",
        state.prefect_version, state.db, state.api_url
    );

    let invocations = if release_tiers_only {
        vec![release_tier_args(&root)?]
    } else {
        vec![vec!["--workspace".to_string()]]
    };
    // Pass the output through, adding up the per-binary "test result" lines.
    let mut totals = Totals::default();
    let mut failures = Vec::new();
    for selection in invocations {
        // Every test binary runs, so that one failure does not hide the state of the rest.
        let mut args = vec!["test".to_string(), "--no-fail-fast".to_string()];
        args.extend(selection);
        args.extend(cargo_test_args.iter().cloned());
        let mut child = Command::new(cargo_bin())
            .args(&args)
            .current_dir(&root)
            .env("PREFECT_API_URL", &state.api_url)
            .env("PREFECT_TEST_PYTHON", state.python())
            .env("PREFECT_TEST_VERSION", &state.prefect_version)
            .env("PREFECT_TEST_CLIENTS_PYTHON", &clients.python)
            .env("PREFECT_TEST_CLIENTS_NODE", &clients.node_dir)
            .env("PREFECT_TEST_CHROMIUM", &browser.chromium)
            .env("PREFECT_TEST_APPS_HOST", &browser.host_page)
            .env("PREFECT_TEST_OIDC_NODE", &clients.oidc_dir)
            .env("PREFECT_TEST_NGINX", &clients.nginx)
            .env("PREFECT_TEST_CONFORMANCE", &clients.conformance)
            .stdout(Stdio::piped())
            .spawn()
            .context("running cargo test")?;
        if let Some(stdout) = child.stdout.take() {
            for line in BufReader::new(stdout).lines() {
                let line = line.context("reading cargo test's output")?;
                println!("{line}");
                totals.add(&line);
            }
        }
        let status = child.wait().context("waiting for cargo test")?;
        if !status.success() {
            failures.push(format!("cargo {} ({status})", args.join(" ")));
        }
    }

    // Stop what this run started; a server that was already up (a developer's) stays.
    if !keep_up && !already_up {
        if let Err(e) = prefect::down() {
            eprintln!("xtask test: stopping Prefect failed: {e:#}");
        }
    }
    println!(
        "xtask test: Prefect {prefect_version} on {db}: {:.0} s in all (build, Prefect, seed, tests)",
        started.elapsed().as_secs_f64()
    );
    // The last line of the run: the whole suite's count, after the teardown's messages.
    println!(
        "tests: {} passed, {} failed, {} skipped",
        totals.passed, totals.failed, totals.ignored
    );
    if !failures.is_empty() {
        bail!("tests failed: {}", failures.join("; "));
    }
    if totals.passed == 0 {
        bail!("cargo test ran no test");
    }
    Ok(())
}

/// Sums of libtest's `test result: ok. 3 passed; 0 failed; 1 ignored; ...` lines.
#[derive(Default, Debug, PartialEq)]
struct Totals {
    passed: u64,
    failed: u64,
    ignored: u64,
}

impl Totals {
    fn add(&mut self, line: &str) {
        let Some(rest) = line.strip_prefix("test result: ") else {
            return;
        };
        for part in rest.split(['.', ';']) {
            let mut words = part.split_whitespace();
            if let (Some(count), Some(what)) = (words.next(), words.next()) {
                let Ok(count) = count.parse::<u64>() else {
                    continue;
                };
                match what {
                    "passed" => self.passed += count,
                    "failed" => self.failed += count,
                    "ignored" => self.ignored += count,
                    _ => {}
                }
            }
        }
    }
}

/// The marker a test file of `tests/tests/` carries when its outcome does not depend on the
/// Prefect release (browser, OAuth, hostile clients, conformance): one run covers it.
const ONCE_MARKER: &str = "//! tier: once";

/// `cargo test` arguments selecting the tests that depend on the Prefect release: every
/// end-to-end test target not marked [`ONCE_MARKER`], with the harness's own unit tests.
fn release_tier_args(root: &std::path::Path) -> Result<Vec<String>> {
    let dir = root.join("tests/tests");
    let mut targets = Vec::new();
    for entry in std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
        let Some((target, main)) = test_target(&entry?.path()) else {
            continue;
        };
        let text = std::fs::read_to_string(&main)
            .with_context(|| format!("reading {}", main.display()))?;
        if !is_once_tier(&text) {
            targets.push(target);
        }
    }
    targets.sort();
    // `--workspace --lib --bins` as well: Cargo unifies features over the selected targets, and
    // this selection resolves as `cargo test --workspace` does, so the tiers reuse its build
    // instead of compiling every dependency and test binary a second time (time and disk).
    let mut args: Vec<String> = ["--workspace", "--lib", "--bins"]
        .map(String::from)
        .to_vec();
    for target in targets {
        args.push("--test".into());
        args.push(target);
    }
    Ok(args)
}

/// The test target an entry of `tests/tests/` is, as Cargo finds them (`<name>.rs`, or
/// `<name>/main.rs` for a test split into modules), and the file whose header says its tier.
fn test_target(path: &std::path::Path) -> Option<(String, std::path::PathBuf)> {
    let name = path.file_stem()?.to_str()?.to_string();
    if path.is_dir() {
        let main = path.join("main.rs");
        return main.is_file().then_some((name, main));
    }
    (path.extension()? == "rs").then(|| (name, path.to_path_buf()))
}

fn is_once_tier(source: &str) -> bool {
    source
        .lines()
        .take_while(|l| l.starts_with("//!") || l.trim().is_empty())
        .any(|l| l.trim() == ONCE_MARKER)
}

fn cargo_bin() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn cargo(args: &[&str]) -> Result<()> {
    let status = Command::new(cargo_bin())
        .args(args)
        .current_dir(crate::workspace_root())
        .status()
        .with_context(|| format!("running cargo {}", args.join(" ")))?;
    if !status.success() {
        bail!("cargo {} failed ({status})", args.join(" "));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn once_marker_is_read_from_the_header_only() {
        assert!(is_once_tier(
            "//! Browser views.\n//!\n//! tier: once\n\nuse x;"
        ));
        assert!(!is_once_tier(
            "//! Flows.\n\nconst S: &str = \"//! tier: once\";"
        ));
    }

    #[test]
    fn a_test_split_into_modules_is_a_target_by_its_directory() {
        let root = std::env::temp_dir().join(format!("xtask-tiers-{}", std::process::id()));
        let tests = root.join("tests/tests");
        std::fs::create_dir_all(tests.join("split")).unwrap();
        std::fs::create_dir_all(tests.join("fixtures")).unwrap();
        std::fs::write(tests.join("split/main.rs"), "//! Split.\n\nmod a;").unwrap();
        std::fs::write(tests.join("split/a.rs"), "").unwrap();
        std::fs::write(tests.join("once.rs"), "//! Browser.\n//! tier: once\n").unwrap();
        std::fs::write(tests.join("flows.rs"), "//! Flows.\n").unwrap();
        let args = release_tier_args(&root).unwrap();
        std::fs::remove_dir_all(&root).unwrap();
        assert_eq!(
            args[3..],
            ["--test", "flows", "--test", "split"].map(String::from)
        );
    }

    #[test]
    fn this_repositorys_once_tiers_stay_out_of_the_release_reruns() {
        let args = release_tier_args(&crate::workspace_root()).unwrap();
        for once in [
            "apps",
            "conformance",
            "hostile",
            "hostile_sessions",
            "oauth",
        ] {
            assert!(!args.iter().any(|a| a == once), "{once} in {args:?}");
        }
        assert!(args.iter().any(|a| a == "flows"), "{args:?}");
    }

    #[test]
    fn result_lines_are_summed() {
        let mut totals = Totals::default();
        totals.add("test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 2 filtered out; finished in 0.1s");
        totals.add("test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1s");
        totals.add("running 3 tests");
        assert_eq!(
            totals,
            Totals {
                passed: 4,
                failed: 2,
                ignored: 1
            }
        );
    }
}
