//! The command line: flags, their environment variables and defaults, and the subcommands.

use std::time::Duration;

use clap::{Parser, Subcommand};
use prefect_mcp_server::mcp::toolsets::{Toolset, ALL_TOOLSETS, DEFAULT_TOOLSETS};
use prefect_mcp_server::mcp::PerRequestAuth;
use prefect_mcp_server::prefect_connection;
use prefect_mcp_server::transport::{self, limits};

/// `--toolsets`' help, from the toolsets themselves: their names, and which the default leaves out.
fn toolsets_help() -> String {
    let names = |sets: &mut dyn Iterator<Item = Toolset>| {
        sets.map(Toolset::name).collect::<Vec<_>>().join(", ")
    };
    format!(
        "Offer these toolsets, comma-separated: {}; `{DEFAULT_TOOLSETS}` for everyday work (all \
         but {}), `{ALL_TOOLSETS}` for every toolset. Default: `{DEFAULT_TOOLSETS}`",
        names(&mut Toolset::ALL.into_iter()),
        names(&mut Toolset::ALL.into_iter().filter(|set| !set.is_default())),
    )
}

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
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Prefect API URL, including /api (e.g. http://127.0.0.1:4200/api or a Prefect Cloud
    /// workspace URL). Default: PREFECT_API_URL, the profile, then http://localhost:4200/api.
    #[arg(long, global = true)]
    pub api_url: Option<String>,
    /// Prefect Cloud API key, sent as a Bearer token. Prefer the PREFECT_API_KEY variable: flags
    /// are visible to other local users.
    #[arg(long, global = true, hide_env_values = true)]
    pub api_key: Option<String>,
    /// "user:password" for a server with basic auth (wins over an API key). Prefer
    /// PREFECT_API_AUTH_STRING.
    #[arg(long, global = true)]
    pub auth_string: Option<String>,
    /// Prefect profile to read from profiles.toml (default: PREFECT_PROFILE, then the file's
    /// active profile).
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// Offer only read-only tools (no cancel, no create), in every toolset.
    #[arg(long, global = true, env = "PREFECT_MCP_READ_ONLY")]
    pub read_only: bool,
    /// Let destructive tools (delete, force a state, cancel many) act without a person's
    /// confirmation when the client cannot be asked. Risky: an agent alone then decides.
    #[arg(long, global = true, env = "PREFECT_MCP_ALLOW_UNCONFIRMED_WRITES")]
    pub allow_unconfirmed_writes: bool,
    #[arg(
        long,
        global = true,
        env = "PREFECT_MCP_TOOLSETS",
        value_delimiter = ',',
        help = toolsets_help()
    )]
    pub toolsets: Option<Vec<String>>,
    /// How MCP clients reach the server: stdio (launched by the client) or http (streamable
    /// HTTP at http://<bind>/mcp, plus /health).
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "stdio",
        env = "PREFECT_MCP_TRANSPORT"
    )]
    pub transport: Transport,
    /// HTTP listen address. Anything but loopback requires --http-token or --oauth-issuer.
    #[arg(long, global = true, default_value = transport::DEFAULT_BIND, env = "PREFECT_MCP_BIND")]
    pub bind: std::net::SocketAddr,
    /// HTTP: clients must send `Authorization: Bearer <token>`. Prefer PREFECT_MCP_HTTP_TOKEN.
    #[arg(
        long,
        global = true,
        env = "PREFECT_MCP_HTTP_TOKEN",
        hide_env_values = true
    )]
    pub http_token: Option<String>,
    /// HTTP: be an OAuth 2.1 resource server for this authorization server (its issuer URL):
    /// clients sign in there and send its access tokens. Needs --public-url.
    #[arg(long, global = true, env = "PREFECT_MCP_OAUTH_ISSUER")]
    pub oauth_issuer: Option<String>,
    /// HTTP with --oauth-issuer: the /mcp URL clients use (e.g. https://mcp.example.com/mcp),
    /// which access tokens must name as their audience.
    #[arg(long, global = true, env = "PREFECT_MCP_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// HTTP with --oauth-issuer: this server's client id at the authorization server, to
    /// introspect opaque access tokens (JWT access tokens need none).
    #[arg(long, global = true, env = "PREFECT_MCP_OAUTH_CLIENT_ID")]
    pub oauth_client_id: Option<String>,
    /// The secret of --oauth-client-id. Prefer PREFECT_MCP_OAUTH_CLIENT_SECRET.
    #[arg(
        long,
        global = true,
        env = "PREFECT_MCP_OAUTH_CLIENT_SECRET",
        hide_env_values = true
    )]
    pub oauth_client_secret: Option<String>,
    /// HTTP: serve /metrics (Prometheus) on this address without authentication, e.g. a
    /// private 127.0.0.1:9464, instead of beside /mcp behind its authentication.
    #[arg(long, global = true, env = "PREFECT_MCP_METRICS_BIND")]
    pub metrics_bind: Option<std::net::SocketAddr>,
    /// Export traces (one span per MCP request, one per Prefect request under it) and metrics
    /// (every OTEL_METRIC_EXPORT_INTERVAL ms, a minute unless set) over OTLP/HTTP protobuf to
    /// the collector at this base URL, e.g. http://127.0.0.1:4318. Resource from
    /// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES. Off when unset.
    #[arg(long, global = true, env = "OTEL_EXPORTER_OTLP_ENDPOINT")]
    pub otlp_endpoint: Option<reqwest::Url>,
    /// HTTP: no sessions, every request stands alone (for several replicas behind a load
    /// balancer).
    #[arg(long, global = true, env = "PREFECT_MCP_STATELESS")]
    pub stateless: bool,
    /// HTTP: also accept this Host header value (repeatable), e.g. the load balancer's name.
    #[arg(
        long = "allowed-host",
        global = true,
        value_delimiter = ',',
        env = "PREFECT_MCP_ALLOWED_HOSTS"
    )]
    pub allowed_hosts: Vec<String>,
    /// HTTP: allow browser requests from this Origin (repeatable), e.g. https://app.example.com.
    #[arg(
        long = "allowed-origin",
        global = true,
        value_delimiter = ',',
        env = "PREFECT_MCP_ALLOWED_ORIGINS"
    )]
    pub allowed_origins: Vec<String>,
    /// HTTP: the most sessions held at once; at the cap the least recently used idle session
    /// is closed for a new client.
    #[arg(long, global = true, env = "PREFECT_MCP_MAX_SESSIONS",
          default_value_t = limits::DEFAULT_MAX_SESSIONS)]
    pub max_sessions: usize,
    /// HTTP: seconds after which an unused session is closed.
    #[arg(long, global = true, env = "PREFECT_MCP_SESSION_IDLE_SECONDS",
          value_parser = parse_timeout, default_value = "600")]
    pub session_idle_timeout: Duration,
    /// HTTP: seconds a connection has to send a request's headers before it is closed.
    #[arg(long, global = true, env = "PREFECT_MCP_HTTP_HEADER_TIMEOUT_SECONDS",
          value_parser = parse_timeout, default_value = "10")]
    pub http_header_timeout: Duration,
    /// HTTP: seconds a request's body has to arrive after its headers (408 past it).
    #[arg(long, global = true, env = "PREFECT_MCP_HTTP_REQUEST_TIMEOUT_SECONDS",
          value_parser = parse_timeout, default_value = "30")]
    pub http_request_timeout: Duration,
    /// HTTP: the largest request body in bytes (413 past it).
    #[arg(long, global = true, env = "PREFECT_MCP_MAX_REQUEST_BYTES",
          default_value_t = limits::DEFAULT_MAX_REQUEST_BYTES)]
    pub max_request_bytes: usize,
    /// HTTP: requests answered at once (503 with Retry-After past it).
    #[arg(long, global = true, env = "PREFECT_MCP_MAX_IN_FLIGHT",
          default_value_t = limits::DEFAULT_MAX_IN_FLIGHT)]
    pub max_in_flight: usize,
    /// HTTP: sessions one caller (OAuth subject or per-request credential) holds at once; at
    /// its quota its own least recently used idle session is closed, never another caller's.
    #[arg(long, global = true, env = "PREFECT_MCP_MAX_SESSIONS_PER_CALLER",
          default_value_t = limits::DEFAULT_MAX_SESSIONS_PER_CALLER)]
    pub max_sessions_per_caller: usize,
    /// HTTP: requests of one caller (OAuth subject or per-request credential) answered at once
    /// (503 with Retry-After for that caller past it; long waits count against it).
    #[arg(long, global = true, env = "PREFECT_MCP_MAX_IN_FLIGHT_PER_CALLER",
          default_value_t = limits::DEFAULT_MAX_IN_FLIGHT_PER_CALLER)]
    pub max_in_flight_per_caller: usize,
    /// Requests to Prefect in flight at once, whatever the number of callers (more wait their
    /// turn): bounds the load put on Prefect, the connections to it and this server's memory.
    #[arg(long, global = true, env = "PREFECT_MCP_MAX_PREFECT_REQUESTS",
          default_value_t = prefect_mcp_server::prefect_connection::DEFAULT_MAX_PREFECT_REQUESTS,
          value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub max_prefect_requests: u16,
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
    pub per_request_auth: PerRequestAuth,
    /// The key (32 bytes or more) that seals the state of questions asked of 2026-07-28
    /// clients (`requestState`) and, with --stateless, the ids of tasks (which any replica
    /// then answers). Replicas behind one load balancer must share it; without it each process
    /// uses a random key of its own and stateless HTTP offers no tasks. Prefer
    /// PREFECT_MCP_REQUEST_STATE_KEY.
    #[arg(
        long,
        global = true,
        env = "PREFECT_MCP_REQUEST_STATE_KEY",
        hide_env_values = true
    )]
    pub request_state_key: Option<String>,
    /// Seconds a question asked of the person (elicitation) waits for an answer before the
    /// call gives up on it (default 300).
    #[arg(long, global = true, env = "PREFECT_MCP_QUESTION_TIMEOUT_SECONDS",
          value_parser = parse_timeout)]
    pub question_timeout: Option<Duration>,
    /// Seconds a single Prefect request may take (default 60, or PREFECT_MCP_TIMEOUT_SECONDS).
    #[arg(long, global = true, value_parser = parse_timeout)]
    pub timeout: Option<Duration>,
    /// Log filter for stderr, e.g. info, debug, prefect_mcp_server=trace. Default: RUST_LOG,
    /// then info. At info every tool call is logged (tool, duration, outcome, error kind); at
    /// debug also every Prefect request (operation, status, duration, retries).
    #[arg(long, global = true)]
    pub log_level: Option<String>,
    /// Log lines as text, or as JSON objects (one per line) for log collectors.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "text",
        env = "PREFECT_MCP_LOG_FORMAT"
    )]
    pub log_format: LogFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Transport {
    Stdio,
    Http,
}

#[derive(Subcommand)]
pub enum Command {
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

pub(crate) fn parse_timeout(raw: &str) -> Result<Duration, String> {
    prefect_connection::parse_timeout(raw).map_err(|e| e.to_string())
}
