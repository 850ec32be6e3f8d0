//! Artifact tools: list_artifacts, get_artifact, delete_artifact.

use rmcp::service::RequestContext;
use rmcp::{tool, tool_router, Json, RoleServer};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use super::args::{self, tool_args, Parameters};
use crate::errors::{ArgumentError, ObjectKind, ToolError};
use crate::mcp::ask::{confirm_target, resolve, Asker};
use crate::mcp::declarations::Declaration;
use crate::mcp::server::McpServer;
use crate::output::{quoted, ArtifactList, ArtifactView, Deleted, ARTIFACT_TYPES};
use crate::prefect::artifacts::ArtifactQuery;

pub(crate) const DECLARED: &[Declaration] = &[
    Declaration::reads("list_artifacts"),
    Declaration::reads("get_artifact"),
    Declaration::destroys("delete_artifact"),
];

tool_args! {
    pub struct ListArtifactsArgs paged {
        /// Only this key's versions.
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
    /// Artifact UUID, or a key (its latest).
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
        self.find_artifact(&args.artifact).await.map(Json)
    }

    /// Delete one artifact (its key's other versions stay), after the user confirms.
    #[tool]
    async fn delete_artifact(
        &self,
        Parameters(args): Parameters<ArtifactArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<Deleted>, ToolError> {
        let artifact = self.find_artifact(&args.artifact).await?.summary;
        let Some(id) = artifact.id else {
            return Err(ToolError::NotFound {
                kind: ObjectKind::Artifact,
                name: args.artifact,
            });
        };
        let made = artifact
            .created
            .map(|at| format!(", made {}", at.format("%Y-%m-%d %H:%M UTC")))
            .unwrap_or_default();
        let what = match artifact.type_ {
            Some(type_) => format!("{} artifact", quoted(&type_)),
            None => "artifact".to_string(),
        };
        let of_key = artifact.key.as_deref().map_or(String::new(), |key| {
            format!(" of key {} (its other versions stay)", quoted(key))
        });
        confirm_target(
            &Asker::of(&context),
            id,
            artifact.key.as_deref(),
            &format!("Delete the {what} {id}{of_key}{made}? This cannot be undone."),
        )
        .await?;
        self.prefect.delete_artifact(id).await?;
        Ok(Json(Deleted {
            id,
            name: artifact.key.unwrap_or_default(),
            deleted: true,
            message: format!("Artifact {id} was deleted."),
        }))
    }
}

impl McpServer {
    /// An artifact by UUID, or the latest of a key.
    async fn find_artifact(&self, given: &str) -> Result<ArtifactView, ToolError> {
        let given = args::name("artifact", given)?;
        match Uuid::parse_str(given) {
            Ok(id) => self.prefect.read_artifact(id).await,
            Err(_) => self.prefect.latest_artifact(artifact_key(given)?).await,
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
