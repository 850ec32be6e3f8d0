//! Project automation: `cargo xtask <command>`.
//!
//! Spec handling and code generation (`spec`, `generate`, `regenerate`), the local Prefect
//! server used by tests and the demo (`prefect`), the MCP Apps views (`apps`), the two README entry points (`demo`, `test`),
//! and the packages users install (`dist`).

mod apps;
mod bench;
mod clients;
mod conformance;
mod demo;
mod dist;
mod generate;
mod lint;
mod normalize;
mod postgres;
mod prefect;
mod process;
mod spec;
mod spec_diff;
mod test;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "xtask", about = "prefect-mcp project automation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Prefect's OpenAPI documents in openapi/: pull one, or compare two.
    Spec {
        #[command(subcommand)]
        action: SpecAction,
    },
    /// Generate prefect-api/src/generated.rs from the current document.
    Generate {
        /// Fail (with a diff summary) if the checked-in code is stale instead of writing it.
        #[arg(long)]
        check: bool,
    },
    /// Build the MCP Apps views (server/apps/) into server/apps/dist/, which the server embeds.
    Apps {
        /// Fail if the checked-in views are not what the sources build, instead of writing them.
        #[arg(long)]
        check: bool,
    },
    /// Lint the project's Python (ruff, with ruff.toml's rules).
    Lint,
    /// Pull the document of another Prefect release and regenerate the client: the upgrade path.
    Regenerate {
        #[arg(long)]
        prefect_version: String,
    },
    /// The README's main command: a real MCP client session against Prefect, as a transcript.
    Demo {
        /// Prefect release for the local server started when PREFECT_API_URL does not answer.
        #[arg(long, default_value = prefect::DEFAULT_VERSION)]
        prefect_version: String,
    },
    /// The README's test command: build, start Prefect with the sample world, run every test.
    Test {
        /// Prefect release to test against (3.9.1 by default; 3.8.8 and 3.4.25 for version skew).
        #[arg(long, default_value = prefect::DEFAULT_VERSION)]
        prefect_version: String,
        /// The database behind Prefect: SQLite (Prefect's default) or a private PostgreSQL
        /// cluster, as production servers run.
        #[arg(long, value_enum, default_value_t = prefect::Db::Sqlite)]
        db: prefect::Db,
        /// Leave the Prefect server running afterwards.
        #[arg(long)]
        keep_up: bool,
        /// Run only what depends on the Prefect release: the end-to-end test files, less those
        /// marked `//! tier: once` (browser, OAuth, hostile, conformance), which one run of the
        /// full suite covers; without it, everything runs.
        #[arg(long)]
        release_tiers_only: bool,
        /// Extra arguments for `cargo test` (after `--`).
        #[arg(last = true)]
        cargo_test_args: Vec<String>,
    },
    /// Measure start time, memory, latency and throughput against the local Prefect.
    Bench {
        #[arg(long, default_value = prefect::DEFAULT_VERSION)]
        prefect_version: String,
    },
    /// Build what users install into target/dist/: release binary, Python wheel, MCP bundle
    /// (.mcpb), server.json for the MCP registry. Subcommands: the release workflow's pieces.
    Dist {
        /// Then install each artifact as a user would and drive an MCP session through it
        /// against the local Prefect (started and stopped here when it is not up).
        #[arg(long)]
        verify: bool,
        #[command(subcommand)]
        action: Option<dist::release::Action>,
    },
    /// Manage the local Prefect server used by tests and the demo.
    Prefect {
        #[command(subcommand)]
        action: prefect::Action,
    },
}

#[derive(Subcommand)]
enum SpecAction {
    /// Get the document from a Prefect release (installed from PyPI) or a running server.
    Pull {
        /// Prefect release to install and dump offline.
        #[arg(long, default_value = prefect::DEFAULT_VERSION, conflicts_with = "from_url")]
        prefect_version: String,
        /// A running server's API URL (e.g. http://127.0.0.1:4200/api) to read it from instead.
        #[arg(long)]
        from_url: Option<String>,
    },
    /// What changed between two checked-in documents (operations and schemas added, removed,
    /// changed), marking what the server uses: `cargo xtask spec diff 3.8.8 3.9.1`.
    Diff {
        /// The older Prefect version (openapi/prefect-<OLD>.json).
        old: String,
        /// The newer Prefect version (openapi/prefect-<NEW>.json).
        new: String,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Spec {
            action:
                SpecAction::Pull {
                    prefect_version,
                    from_url,
                },
        } => {
            let source = match from_url {
                Some(url) => spec::Source::Url(url),
                None => spec::Source::Release(prefect_version),
            };
            spec::pull(source).map(drop)
        }
        Command::Spec {
            action: SpecAction::Diff { old, new },
        } => spec_diff::run(&old, &new),
        Command::Generate { check } => generate::run(check),
        Command::Apps { check } => apps::run(check),
        Command::Lint => lint::run(),
        Command::Regenerate { prefect_version } => {
            spec::pull(spec::Source::Release(prefect_version))?;
            generate::run(false)
        }
        Command::Prefect { action } => prefect::run(action),
        Command::Demo { prefect_version } => demo::run(&prefect_version),
        Command::Bench { prefect_version } => bench::run(&prefect_version),
        Command::Dist {
            verify,
            action: None,
        } => dist::run(verify),
        Command::Dist {
            verify: false,
            action: Some(action),
        } => dist::release::run(action),
        Command::Dist {
            verify: true,
            action: Some(_),
        } => anyhow::bail!("--verify is for `cargo xtask dist` alone, not its subcommands"),
        Command::Test {
            prefect_version,
            db,
            keep_up,
            release_tiers_only,
            cargo_test_args,
        } => test::run(
            &prefect_version,
            db,
            keep_up,
            release_tiers_only,
            &cargo_test_args,
        ),
    }
}

/// The workspace root, independent of where cargo was invoked from.
pub fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}
