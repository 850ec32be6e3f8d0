//! `prefect-mcp-server`: an MCP server for Prefect 3.
//!
//! With no subcommand it serves MCP over stdio, configured from the environment: that is how
//! MCP clients launch it. stdout carries only the protocol; logs go to stderr.

mod args;
mod log_lines;
mod logging;

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;

use prefect_mcp_server::mcp::ask;
use prefect_mcp_server::mcp::{McpServer, ServerOptions};
use prefect_mcp_server::prefect_connection::{Overrides, PrefectConnection};
use prefect_mcp_server::subcommands;
use prefect_mcp_server::{telemetry, transport};

use args::{Cli, Command, Transport};

fn build_server(cli: &Cli) -> Result<McpServer> {
    let connection = PrefectConnection::load(Overrides {
        api_url: cli.api_url.clone(),
        api_key: cli.api_key.clone(),
        auth_string: cli.auth_string.clone(),
        profile: cli.profile.clone(),
        timeout: cli.timeout,
    })?;
    let builder = prefect_api::Client::builder(&connection.api_url)
        .auth(connection.auth.clone())
        .timeout(connection.timeout)
        .max_concurrent_requests(cli.max_prefect_requests.into())
        .user_agent(concat!("prefect-mcp-server/", env!("CARGO_PKG_VERSION")))
        // Counts nothing until the HTTP transport turns metrics on.
        .observer(std::sync::Arc::new(telemetry::PrefectRequests));
    let client = builder
        .clone()
        .build()
        .context("cannot set up the Prefect client")?;
    let options = ServerOptions {
        read_only: cli.read_only,
        toolsets: cli.toolsets.clone(),
        per_request_auth: cli.per_request_auth,
        stateless: cli.transport == Transport::Http && cli.stateless,
        allow_unconfirmed_writes: cli.allow_unconfirmed_writes,
        question_timeout: cli.question_timeout,
        request_state_key: cli
            .request_state_key
            .as_deref()
            .map(ask::StateKey::from_secret)
            .transpose()
            .map_err(|e| {
                anyhow::anyhow!("--request-state-key / PREFECT_MCP_REQUEST_STATE_KEY: {e}")
            })?,
    };
    if options.stateless && options.request_state_key.is_none() {
        tracing::warn!(
            "stateless HTTP without --request-state-key: questions asked of 2026-07-28 clients \
             can only be answered by this replica; give every replica the same key"
        );
    }
    options.validate()?;
    let server = McpServer::new(builder, client, connection.auth.kind(), &options);
    tracing::info!(
        api_url = %server.api_url(),
        source = connection.api_url_source,
        profile = connection.profile.as_deref().unwrap_or("none"),
        auth = connection.auth.kind(),
        read_only = cli.read_only,
        allow_unconfirmed_writes = cli.allow_unconfirmed_writes,
        tools = server.tools().len(),
        "prefect-mcp-server {} starting",
        env!("CARGO_PKG_VERSION"),
    );
    Ok(server)
}

async fn run(cli: Cli) -> Result<ExitCode> {
    if let Some(endpoint) = &cli.otlp_endpoint {
        telemetry::enable_otlp(endpoint)?;
    }
    let server = build_server(&cli)?;
    match &cli.command {
        Some(Command::Tools) => {
            subcommands::print_tools(&server)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Call { tool, arguments }) => {
            let is_error = subcommands::call(&server, tool, arguments.as_deref()).await?;
            Ok(if is_error {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        // Prefect is not contacted here: an unreachable server must not stop the MCP server
        // from starting; each tool reports it instead.
        None if cli.transport == Transport::Stdio => {
            transport::serve_stdio(server).await?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let options = transport::HttpOptions {
                bind: Some(cli.bind),
                token: cli.http_token.clone(),
                stateless: cli.stateless,
                allowed_hosts: cli.allowed_hosts.clone(),
                allowed_origins: cli.allowed_origins.clone(),
                metrics_bind: cli.metrics_bind,
                oauth: transport::oauth::OAuthSettings::from_flags(
                    cli.oauth_issuer.clone(),
                    cli.public_url.clone(),
                    cli.oauth_client_id.clone(),
                    cli.oauth_client_secret.clone(),
                )?,
                limits: transport::Limits {
                    max_sessions: cli.max_sessions,
                    session_idle: cli.session_idle_timeout,
                    header_read_timeout: cli.http_header_timeout,
                    request_timeout: cli.http_request_timeout,
                    max_request_bytes: cli.max_request_bytes,
                    max_in_flight: cli.max_in_flight,
                    max_sessions_per_caller: cli.max_sessions_per_caller,
                    max_in_flight_per_caller: cli.max_in_flight_per_caller,
                },
            };
            transport::serve_http(server, options).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// An empty `PREFECT_MCP_*` variable means "not set", as a bundle or a shell template that
/// fills in nothing produces; clap would otherwise refuse an empty value for a boolean flag.
fn unset_empty_settings() {
    let empty: Vec<String> = std::env::vars_os()
        .filter_map(|(name, value)| {
            let name = name.into_string().ok()?;
            (name.starts_with("PREFECT_MCP_") && value.is_empty()).then_some(name)
        })
        .collect();
    for name in empty {
        std::env::remove_var(name);
    }
}

/// glibc gives each thread that allocates its own malloc arena (up to 8 per core), and under 64
/// concurrent HTTP calls every runtime thread holds a partly used one: one arena keeps peak
/// memory down (about 1 MB under two) at no measurable cost in throughput (the work is
/// I/O-bound).
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

fn main() -> ExitCode {
    limit_malloc_arenas();
    // Before any other thread exists: changing the environment is only sound then.
    unset_empty_settings();
    let cli = Cli::parse();
    let default_level = if cli.command.is_some() {
        "warn"
    } else {
        "info"
    };
    logging::init_logging(cli.log_level.as_deref(), default_level, cli.log_format);
    // One client over stdio (and the offline subcommands) needs no second thread: on one
    // thread a call never hands over between workers (read, tool, Prefect's answer, write), the
    // per-call overhead `cargo xtask bench overhead` measures. HTTP serves many at once.
    let serves_http = cli.command.is_none() && cli.transport == Transport::Http;
    let mut builder = if serves_http {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    let runtime = match builder.enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("prefect-mcp-server: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let ran = runtime.block_on(async {
        let ran = run(cli).await;
        // The last spans and metrics leave on the runtime's tasks: send them while it runs.
        let _ = tokio::task::spawn_blocking(telemetry::flush_otlp).await;
        ran
    });
    match ran {
        Ok(code) => code,
        Err(error) => {
            eprintln!("prefect-mcp-server: {error:#}");
            ExitCode::FAILURE
        }
    }
}
