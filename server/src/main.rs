//! `prefect-mcp-server`: an MCP server for Prefect 3.
//!
//! With no subcommand it serves MCP over stdio, configured from the environment: that is how
//! MCP clients launch it. stdout carries only the protocol; logs go to stderr.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use prefect_mcp_server::cli;
use prefect_mcp_server::config::{self, Config, Overrides};
use prefect_mcp_server::mcp::ask;
use prefect_mcp_server::mcp::{PerRequestAuth, PrefectServer, ServerOptions};
use prefect_mcp_server::transport::{self, limits};

/// `--version`: the version and the target triple the binary was built for (server/build.rs).
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("PREFECT_MCP_TARGET"),
    ")"
);

#[derive(Parser)]
#[command(
    name = "prefect-mcp-server",
    version = VERSION,
    about = "MCP server for Prefect 3: flows, flow runs and deployments as tools.",
    long_about = "MCP server for Prefect 3: flows, flow runs and deployments as tools.\n\n\
        With no subcommand it serves MCP over stdio (how MCP clients launch it).\n\n\
        Configuration, highest precedence first: these flags; the environment variables \
        PREFECT_API_URL, PREFECT_API_KEY, PREFECT_API_AUTH_STRING; the active Prefect profile \
        in $PREFECT_HOME/profiles.toml (PREFECT_PROFILE or the file's `active`); the default \
        http://localhost:4200/api."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Prefect API URL, including /api (e.g. http://127.0.0.1:4200/api or a Prefect Cloud
    /// workspace URL). Default: PREFECT_API_URL, the profile, then http://localhost:4200/api.
    #[arg(long, global = true)]
    api_url: Option<String>,
    /// Prefect Cloud API key, sent as a Bearer token. Prefer the PREFECT_API_KEY variable: flags
    /// are visible to other local users.
    #[arg(long, global = true, hide_env_values = true)]
    api_key: Option<String>,
    /// "user:password" for a server with basic auth (wins over an API key). Prefer
    /// PREFECT_API_AUTH_STRING.
    #[arg(long, global = true)]
    auth_string: Option<String>,
    /// Prefect profile to read from profiles.toml (default: PREFECT_PROFILE, then the file's
    /// active profile).
    #[arg(long, global = true)]
    profile: Option<String>,
    /// Offer only read-only tools (no cancel, no create), in every toolset.
    #[arg(long, global = true, env = "PREFECT_MCP_READ_ONLY")]
    read_only: bool,
    /// Let destructive tools (delete, force a state, cancel many) act without a person's
    /// confirmation when the client cannot be asked. Risky: an agent alone then decides.
    #[arg(long, global = true, env = "PREFECT_MCP_ALLOW_UNCONFIRMED_WRITES")]
    allow_unconfirmed_writes: bool,
    /// Offer only these toolsets, comma-separated (default: all): flows, flow_runs,
    /// deployments, filter, logs, task_runs, work_pools, events, automations, dashboard,
    /// server_info, diagnose, variables.
    #[arg(
        long,
        global = true,
        env = "PREFECT_MCP_TOOLSETS",
        value_delimiter = ','
    )]
    toolsets: Option<Vec<String>>,
    /// How MCP clients reach the server: stdio (launched by the client) or http (streamable
    /// HTTP at http://<bind>/mcp, plus /health).
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "stdio",
        env = "PREFECT_MCP_TRANSPORT"
    )]
    transport: Transport,
    /// HTTP listen address. Anything but loopback requires --http-token or --oauth-issuer.
    #[arg(long, global = true, default_value = transport::DEFAULT_BIND, env = "PREFECT_MCP_BIND")]
    bind: std::net::SocketAddr,
    /// HTTP: clients must send `Authorization: Bearer <token>`. Prefer PREFECT_MCP_HTTP_TOKEN.
    #[arg(
        long,
        global = true,
        env = "PREFECT_MCP_HTTP_TOKEN",
        hide_env_values = true
    )]
    http_token: Option<String>,
    /// HTTP: be an OAuth 2.1 resource server for this authorization server (its issuer URL):
    /// clients sign in there and send its access tokens. Needs --public-url.
    #[arg(long, global = true, env = "PREFECT_MCP_OAUTH_ISSUER")]
    oauth_issuer: Option<String>,
    /// HTTP with --oauth-issuer: the /mcp URL clients use (e.g. https://mcp.example.com/mcp),
    /// which access tokens must name as their audience.
    #[arg(long, global = true, env = "PREFECT_MCP_PUBLIC_URL")]
    public_url: Option<String>,
    /// HTTP with --oauth-issuer: this server's client id at the authorization server, to
    /// introspect opaque access tokens (JWT access tokens need none).
    #[arg(long, global = true, env = "PREFECT_MCP_OAUTH_CLIENT_ID")]
    oauth_client_id: Option<String>,
    /// The secret of --oauth-client-id. Prefer PREFECT_MCP_OAUTH_CLIENT_SECRET.
    #[arg(
        long,
        global = true,
        env = "PREFECT_MCP_OAUTH_CLIENT_SECRET",
        hide_env_values = true
    )]
    oauth_client_secret: Option<String>,
    /// HTTP: no sessions, every request stands alone (for several replicas behind a load
    /// balancer).
    #[arg(long, global = true, env = "PREFECT_MCP_STATELESS")]
    stateless: bool,
    /// HTTP: also accept this Host header value (repeatable), e.g. the load balancer's name.
    #[arg(
        long = "allowed-host",
        global = true,
        value_delimiter = ',',
        env = "PREFECT_MCP_ALLOWED_HOSTS"
    )]
    allowed_hosts: Vec<String>,
    /// HTTP: allow browser requests from this Origin (repeatable), e.g. https://app.example.com.
    #[arg(
        long = "allowed-origin",
        global = true,
        value_delimiter = ',',
        env = "PREFECT_MCP_ALLOWED_ORIGINS"
    )]
    allowed_origins: Vec<String>,
    /// HTTP: the most sessions held at once; at the cap the least recently used idle session
    /// is closed for a new client.
    #[arg(long, global = true, env = "PREFECT_MCP_MAX_SESSIONS",
          default_value_t = limits::DEFAULT_MAX_SESSIONS)]
    max_sessions: usize,
    /// HTTP: seconds after which an unused session is closed.
    #[arg(long, global = true, env = "PREFECT_MCP_SESSION_IDLE_SECONDS",
          value_parser = parse_timeout, default_value = "600")]
    session_idle_timeout: Duration,
    /// HTTP: seconds a connection has to send a request's headers before it is closed.
    #[arg(long, global = true, env = "PREFECT_MCP_HTTP_HEADER_TIMEOUT_SECONDS",
          value_parser = parse_timeout, default_value = "10")]
    http_header_timeout: Duration,
    /// HTTP: seconds a request's body has to arrive after its headers (408 past it).
    #[arg(long, global = true, env = "PREFECT_MCP_HTTP_REQUEST_TIMEOUT_SECONDS",
          value_parser = parse_timeout, default_value = "30")]
    http_request_timeout: Duration,
    /// HTTP: the largest request body in bytes (413 past it).
    #[arg(long, global = true, env = "PREFECT_MCP_MAX_REQUEST_BYTES",
          default_value_t = limits::DEFAULT_MAX_REQUEST_BYTES)]
    max_request_bytes: usize,
    /// HTTP: requests answered at once (503 with Retry-After past it).
    #[arg(long, global = true, env = "PREFECT_MCP_MAX_IN_FLIGHT",
          default_value_t = limits::DEFAULT_MAX_IN_FLIGHT)]
    max_in_flight: usize,
    /// HTTP: a request may carry its own Prefect credentials in X-Prefect-Api-Key or
    /// X-Prefect-Api-Auth-String, used instead of the server's for that request. `required`:
    /// a request without them is refused (never served with the server's own key).
    #[arg(
        long,
        global = true,
        env = "PREFECT_MCP_PER_REQUEST_AUTH",
        value_enum,
        num_args = 0..=1,
        default_value = "off",
        default_missing_value = "optional"
    )]
    per_request_auth: PerRequestAuth,
    /// The key (32 bytes or more) that seals the state of questions asked of 2026-07-28
    /// clients (`requestState`). Replicas behind one load balancer must share it; without it
    /// each process uses a random key of its own. Prefer PREFECT_MCP_REQUEST_STATE_KEY.
    #[arg(
        long,
        global = true,
        env = "PREFECT_MCP_REQUEST_STATE_KEY",
        hide_env_values = true
    )]
    request_state_key: Option<String>,
    /// Seconds a question asked of the person (elicitation) waits for an answer before the
    /// call gives up on it (default 300).
    #[arg(long, global = true, env = "PREFECT_MCP_QUESTION_TIMEOUT_SECONDS",
          value_parser = parse_timeout)]
    question_timeout: Option<Duration>,
    /// Seconds a single Prefect request may take (default 60, or PREFECT_MCP_TIMEOUT_SECONDS).
    #[arg(long, global = true, value_parser = parse_timeout)]
    timeout: Option<Duration>,
    /// Log filter for stderr, e.g. info, debug, prefect_mcp_server=trace. Default: RUST_LOG,
    /// then info. At info every tool call is logged (tool, duration, outcome, error kind); at
    /// debug also every Prefect request (operation, status, duration, retries).
    #[arg(long, global = true)]
    log_level: Option<String>,
    /// Log lines as text, or as JSON objects (one per line) for log collectors.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "text",
        env = "PREFECT_MCP_LOG_FORMAT"
    )]
    log_format: LogFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Transport {
    Stdio,
    Http,
}

#[derive(Subcommand)]
enum Command {
    /// Print the tools (as MCP tools/list would) and exit.
    Tools,
    /// Run one tool and print its JSON result; exits 1 if the tool reports an error.
    Call {
        /// Tool name, e.g. list_flows.
        tool: String,
        /// Arguments as a JSON object, e.g. '{"limit": 5}'.
        arguments: Option<String>,
    },
}

fn parse_timeout(raw: &str) -> Result<Duration, String> {
    config::parse_timeout(raw).map_err(|e| e.to_string())
}

/// `default` applies when neither --log-level nor RUST_LOG says otherwise: the server logs
/// its startup at info; `tools` and `call` print results and stay quiet.
fn init_logging(level: Option<&str>, default: &str, format: LogFormat) {
    let directives = match level {
        Some(level) => level.to_string(),
        None => std::env::var(EnvFilter::DEFAULT_ENV)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| default.to_string()),
    };
    let filter = EnvFilter::new(quiet_rmcp(&directives));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false);
    match format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().with_current_span(true).init(),
    }
}

/// rmcp logs whole requests and results at debug (tool arguments, answers to questions,
/// Prefect data): a filter that turns on debug generally keeps rmcp at info, unless it names
/// rmcp itself (`--log-level debug,rmcp=debug` asks for its bodies).
fn quiet_rmcp(directives: &str) -> String {
    let verbose = ["debug", "trace"]
        .iter()
        .any(|level| directives.to_ascii_lowercase().contains(level));
    if verbose && !directives.contains("rmcp") {
        format!("{directives},rmcp=info")
    } else {
        directives.to_string()
    }
}

fn build_server(cli: &Cli) -> Result<PrefectServer> {
    let config = Config::load(Overrides {
        api_url: cli.api_url.clone(),
        api_key: cli.api_key.clone(),
        auth_string: cli.auth_string.clone(),
        profile: cli.profile.clone(),
        timeout: cli.timeout,
    })?;
    let builder = prefect_api::Client::builder(&config.api_url)
        .auth(config.auth.clone())
        .timeout(config.timeout)
        .user_agent(concat!("prefect-mcp-server/", env!("CARGO_PKG_VERSION")));
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
    let server = PrefectServer::new(builder, client, config.auth.kind(), &options);
    tracing::info!(
        api_url = %server.api_url(),
        source = config.api_url_source,
        profile = config.profile.as_deref().unwrap_or("none"),
        auth = config.auth.kind(),
        read_only = cli.read_only,
        allow_unconfirmed_writes = cli.allow_unconfirmed_writes,
        tools = server.tools().len(),
        "prefect-mcp-server {} starting",
        env!("CARGO_PKG_VERSION"),
    );
    Ok(server)
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let server = build_server(&cli)?;
    match &cli.command {
        Some(Command::Tools) => {
            cli::print_tools(&server)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Call { tool, arguments }) => {
            let is_error = cli::call(&server, tool, arguments.as_deref()).await?;
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
/// concurrent HTTP calls every runtime thread holds a partly used one: two arenas keep peak
/// memory down at no measurable cost in throughput (the work is I/O-bound).
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
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
    init_logging(cli.log_level.as_deref(), default_level, cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("prefect-mcp-server: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("prefect-mcp-server: {error:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::quiet_rmcp;

    #[test]
    fn rmcp_bodies_are_logged_only_when_asked_for_by_name() {
        assert_eq!(quiet_rmcp("debug"), "debug,rmcp=info");
        assert_eq!(
            quiet_rmcp("prefect_mcp_server=trace"),
            "prefect_mcp_server=trace,rmcp=info"
        );
        assert_eq!(quiet_rmcp("debug,rmcp=debug"), "debug,rmcp=debug");
        assert_eq!(quiet_rmcp("info"), "info");
    }
}
