//! The view of the Prefect server this MCP server talks to.

use schemars::JsonSchema;
use serde::Serialize;

/// Where the tools point, how they authenticate, and what answers there.
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize, JsonSchema)]
pub struct ServerInfo {
    /// The Prefect API URL in use (credentials removed).
    pub api_url: String,
    /// "Prefect Cloud" or "self-hosted Prefect server".
    pub server_type: String,
    pub is_cloud: bool,
    /// Prefect Cloud account id, from the workspace URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_account_id: Option<String>,
    /// Prefect Cloud workspace id, from the workspace URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_workspace_id: Option<String>,
    /// How requests authenticate: "none", "api key (Bearer)" or "auth string (Basic)".
    pub auth: String,
    /// The Prefect release of the server (GET /admin/version), e.g. "3.9.1"; absent when the
    /// server does not offer it.
    pub prefect_version: Option<String>,
    /// The server's REST API version (GET /version), e.g. "0.8.4"; absent when not offered.
    pub api_version: Option<String>,
    /// The REST API version this MCP server speaks.
    pub client_api_version: String,
    /// Whether the server reports itself healthy (GET /health); absent when not offered.
    pub healthy: Option<bool>,
    /// This MCP server's own version.
    pub mcp_server_version: String,
}
