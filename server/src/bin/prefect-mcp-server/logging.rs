//! Logging to stderr (stdout carries the protocol): the level, the format, rmcp's request
//! bodies kept out unless asked for by name, and lines nobody else can write
//! ([`crate::log_lines`]).

use tracing_subscriber::EnvFilter;

use crate::args::LogFormat;
use crate::log_lines::{SafeFields, SafeLines};

/// `default` applies when neither --log-level nor RUST_LOG says otherwise: the server logs
/// its startup at info; `tools` and `call` print results and stay quiet.
pub fn init_logging(level: Option<&str>, default: &str, format: LogFormat) {
    let directives = match level {
        Some(level) => level.to_string(),
        None => std::env::var(EnvFilter::DEFAULT_ENV)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| default.to_string()),
    };
    let filter = EnvFilter::new(quiet_rmcp(&directives));
    let json = matches!(format, LogFormat::Json);
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(SafeLines { json })
        .with_ansi(false);
    match format {
        LogFormat::Text => logs.fmt_fields(SafeFields).init(),
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
