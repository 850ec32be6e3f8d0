//! Artifact tools: list_artifacts, get_artifact.

use rmcp::service::RequestContext;
use rmcp::{tool, tool_router, Json, RoleServer};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use super::args::{self, tool_args, Parameters};
use crate::errors::{ArgumentError, ToolError};
use crate::mcp::ask::{resolve, Asker};
use crate::mcp::declarations::Declaration;
use crate::mcp::server::McpServer;
use crate::output::{ArtifactList, ArtifactView, ARTIFACT_TYPES};
use crate::prefect::artifacts::ArtifactQuery;

pub(crate) const DECLARED: &[Declaration] = &[
    Declaration::reads("list_artifacts"),
    Declaration::reads("get_artifact"),
];

tool_args! {
    pub struct ListArtifactsArgs paged {
        /// Only this key's versions (lowercase letters, digits and dashes).
        #[serde(default)]
        pub key: Option<String>,
        /// Only this flow run's (UUID or name).
        #[serde(default)]
        pub flow_run: Option<String>,
        /// Only this type: table, markdown (links too), progress, image or result.
        #[serde(default, rename = "type")]
        pub type_: Option<String>,
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ArtifactArgs {
    /// Artifact UUID, or a key for the latest artifact of that key.
    pub artifact: String,
}

/// A key as Prefect's SDK allows them: lowercase letters, digits and dashes.
fn artifact_key(value: &str) -> Result<&str, ToolError> {
    let key = args::name("artifact key", value)?;
    if args::is_slug(key) {
        Ok(key)
    } else {
        Err(ArgumentError::NotAnArtifactKey {
            value: value.to_string(),
        }
        .into())
    }
}

fn artifact_type(value: &str) -> Result<String, ToolError> {
    let lower = value.trim().to_ascii_lowercase();
    if ARTIFACT_TYPES.contains(&lower.as_str()) {
        Ok(lower)
    } else {
        Err(ArgumentError::UnknownArtifactType {
            value: value.to_string(),
        }
        .into())
    }
}

#[tool_router(router = artifacts_tools, vis = "pub(crate)")]
impl McpServer {
    /// List artifacts (tables, markdown, links, progress that flows publish), newest first,
    /// every version of each key.
    #[tool]
    async fn list_artifacts(
        &self,
        Parameters(args): Parameters<ListArtifactsArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<ArtifactList>, ToolError> {
        let (limit, offset) = args.page()?;
        let key = args.key.as_deref().map(artifact_key).transpose()?;
        let type_ = args.type_.as_deref().map(artifact_type).transpose()?;
        let flow_run_id = match args.flow_run.as_deref() {
            None => None,
            Some(given) => match Uuid::parse_str(given.trim()) {
                Ok(id) => Some(id),
                Err(_) => {
                    let asker = Asker::of(&context);
                    let (run, _) = resolve::flow_run(&self.prefect, given, &asker).await?;
                    Some(run.id)
                }
            },
        };
        let query = ArtifactQuery {
            key: key.map(str::to_string),
            flow_run_id,
            type_,
        };
        self.prefect
            .list_artifacts(query, limit, offset)
            .await
            .map(Json)
    }

    /// Get an artifact by UUID, or a key's latest: a table's rows, markdown text or other
    /// data, and where it came from.
    #[tool]
    async fn get_artifact(
        &self,
        Parameters(args): Parameters<ArtifactArgs>,
    ) -> Result<Json<ArtifactView>, ToolError> {
        let given = args::name("artifact", &args.artifact)?;
        match Uuid::parse_str(given) {
            Ok(id) => self.prefect.read_artifact(id).await.map(Json),
            Err(_) => {
                let key = artifact_key(given)?;
                self.prefect.latest_artifact(key).await.map(Json)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_lowercase_letters_digits_and_dashes() {
        assert_eq!(artifact_key(" sales-report-2 ").unwrap(), "sales-report-2");
        for bad in ["Sales", "a_b", "a/b", "a b", "ü"] {
            let error = artifact_key(bad).unwrap_err().to_string();
            assert!(error.contains("lowercase letters"), "{bad}: {error}");
        }
        assert!(artifact_key("  ")
            .unwrap_err()
            .to_string()
            .contains("empty"));
    }

    #[test]
    fn types_are_checked_case_insensitively() {
        assert_eq!(artifact_type("Table").unwrap(), "table");
        let error = artifact_type("link").unwrap_err().to_string();
        assert!(
            error.contains("markdown") && error.contains("progress"),
            "{error}"
        );
    }
}
