//! The binary started as an MCP client would: a child process over stdio, initialised by rmcp.

use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use rmcp::model::{ClientCapabilities, ClientConfig, Implementation, ProgressNotificationParam};
use rmcp::service::{NotificationContext, RunningService};
use rmcp::transport::{ConfigureCommandExt, TokioChildProcess};
use rmcp::{ClientHandler, RoleClient, ServiceExt};

use crate::environment::{empty_prefect_home, prefect_api_url};
use crate::server_binary::server_binary;

/// A client that records the progress notifications it receives.
#[derive(Clone, Default)]
pub struct RecordingClient {
    pub progress: Arc<Mutex<Vec<ProgressNotificationParam>>>,
}

impl ClientHandler for RecordingClient {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _cx: NotificationContext<RoleClient>,
    ) {
        self.progress.lock().expect("progress lock").push(params);
    }

    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new("prefect-mcp-integration-tests", env!("CARGO_PKG_VERSION")),
        )
    }
}

pub type Session = RunningService<RoleClient, RecordingClient>;

/// How to launch the server.
#[derive(Clone, Debug, Default)]
pub struct Launch {
    pub args: Vec<String>,
    /// Extra environment; `PREFECT_API_URL` defaults to the server under test.
    pub env: Vec<(String, String)>,
}

impl Launch {
    pub fn arg(mut self, arg: &str) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }
}

/// Start the binary against the Prefect under test, initialised and ready.
pub async fn connect() -> Result<Session> {
    connect_with(Launch::default()).await
}

pub async fn connect_with(launch: Launch) -> Result<Session> {
    let api_url = prefect_api_url();
    let binary = server_binary();
    let transport =
        TokioChildProcess::new(tokio::process::Command::new(&binary).configure(|cmd| {
            cmd.args(&launch.args)
                // A clean slate: no profile or key of the developer's leaks into a test.
                .env_remove("PREFECT_API_KEY")
                .env_remove("PREFECT_API_AUTH_STRING")
                .env_remove("PREFECT_PROFILE")
                .env("PREFECT_HOME", empty_prefect_home())
                .env("PREFECT_API_URL", &api_url)
                .env(crate::EVERY_TOOLSET.0, crate::EVERY_TOOLSET.1)
                .env("RUST_LOG", "warn");
            for (key, value) in &launch.env {
                cmd.env(key, value);
            }
        }))
        .with_context(|| format!("starting {}", binary.display()))?;
    Ok(RecordingClient::default().serve(transport).await?)
}
