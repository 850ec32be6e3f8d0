//! Which Prefect server this is: Cloud or self-hosted, its release, API version and health.

use prefect_api::{PrefectCall, PREFECT_API_VERSION};

use super::Prefect;
use crate::errors::{Doing, ToolError};
use crate::output::ServerInfo;

const CLOUD_API_HOST: &str = "api.prefect.cloud";

/// What the API URL says about the server: Cloud or not, and Cloud's account and workspace.
#[derive(Debug, PartialEq)]
struct UrlFacts {
    is_cloud: bool,
    account_id: Option<String>,
    workspace_id: Option<String>,
}

fn url_facts(api_url: &str) -> UrlFacts {
    let rest = api_url.split_once("://").map_or(api_url, |(_, rest)| rest);
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = host.split(':').next().unwrap_or(host);
    let segments: Vec<&str> = path.split('/').collect();
    let after = |key: &str| {
        segments
            .iter()
            .position(|s| *s == key)
            .and_then(|i| segments.get(i + 1))
            .filter(|s| !s.is_empty())
            .map(|s| (*s).to_string())
    };
    let is_cloud = host.eq_ignore_ascii_case(CLOUD_API_HOST);
    UrlFacts {
        is_cloud,
        account_id: after("accounts").filter(|_| is_cloud),
        workspace_id: after("workspaces").filter(|_| is_cloud),
    }
}

/// Why Prefect is not there to serve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NotServing {
    /// It answered its health check with this status, 500 or above.
    Answered(u16),
    /// It sent no HTTP answer at all.
    Unreachable,
}

impl Prefect {
    /// Whether Prefect is there to serve: any HTTP answer below 500 to its health endpoint
    /// says it is, a 404 (Prefect Cloud offers none) or a 401 (a server that expects each
    /// caller's own credentials) included.
    pub async fn serving(&self) -> Result<(), NotServing> {
        match self.client.health_check().value().await {
            Ok(_) => Ok(()),
            Err(error) => match error.status() {
                Some(status) if status < 500 => Ok(()),
                Some(status) => Err(NotServing::Answered(status)),
                None => Err(NotServing::Unreachable),
            },
        }
    }

    pub async fn server_info(&self) -> Result<ServerInfo, ToolError> {
        let (release, api_version, health) = tokio::join!(
            self.client.read_version().value(),
            self.client.server_version().value(),
            self.client.health_check().value(),
        );
        // A 404 means the server does not offer this endpoint (Prefect Cloud serves fewer).
        let healthy = health.doing_or_none("checking the server's health")?;
        let prefect_version = release.doing_or_none("reading the server's Prefect version")?;
        let api_version = api_version.doing_or_none("reading the server's API version")?;
        let api_url = self.client.api_url().to_string();
        let facts = url_facts(&api_url);
        Ok(ServerInfo {
            server_type: if facts.is_cloud {
                "Prefect Cloud"
            } else {
                "self-hosted Prefect server"
            }
            .into(),
            is_cloud: facts.is_cloud,
            cloud_account_id: facts.account_id,
            cloud_workspace_id: facts.workspace_id,
            api_url,
            auth: self.auth_kind().into(),
            prefect_version,
            api_version,
            client_api_version: PREFECT_API_VERSION.into(),
            healthy,
            mcp_server_version: env!("CARGO_PKG_VERSION").into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloud_workspace_urls_give_account_and_workspace() {
        let facts = url_facts(
            "https://api.prefect.cloud/api/accounts/0f2e6c1a-1111-4a8e-9c55-0d1e2f3a4b5c/workspaces/9a8b7c6d-2222-4a8e-9c55-0d1e2f3a4b5c",
        );
        assert_eq!(
            facts,
            UrlFacts {
                is_cloud: true,
                account_id: Some("0f2e6c1a-1111-4a8e-9c55-0d1e2f3a4b5c".into()),
                workspace_id: Some("9a8b7c6d-2222-4a8e-9c55-0d1e2f3a4b5c".into()),
            }
        );
    }

    #[test]
    fn other_hosts_are_self_hosted_whatever_their_path() {
        for url in [
            "http://127.0.0.1:4200/api",
            "https://prefect.example.com/api/accounts/a/workspaces/b",
            "http://api.prefect.cloud.evil.example/api",
        ] {
            let facts = url_facts(url);
            assert!(!facts.is_cloud, "{url}");
            assert_eq!(facts.account_id, None, "{url}");
        }
        assert!(url_facts("https://API.prefect.cloud:443/api").is_cloud);
    }
}
