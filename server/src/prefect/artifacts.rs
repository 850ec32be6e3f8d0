//! Artifacts: pages of them, newest first, one by id or by key (its latest version), and deleting
//! one.

use prefect_api::{types, PrefectCall};
use uuid::Uuid;

use super::query::page_body;
use super::Prefect;
use crate::errors::{Doing, ObjectKind, ToolError};
use crate::output::{ArtifactList, ArtifactSummary, ArtifactView};

/// What list_artifacts narrows to; every part is optional.
#[derive(Debug, Default)]
pub struct ArtifactQuery {
    pub key: Option<String>,
    pub flow_run_id: Option<Uuid>,
    pub type_: Option<String>,
}

impl ArtifactQuery {
    fn filter(self) -> types::ArtifactFilter {
        types::ArtifactFilter {
            key: self.key.map(|key| types::ArtifactFilterKey {
                any: Some(vec![key]),
                ..Default::default()
            }),
            flow_run_id: self.flow_run_id.map(|id| types::ArtifactFilterFlowRunId {
                any: Some(vec![id]),
            }),
            type_: self.type_.map(|type_| types::ArtifactFilterType {
                any: Some(vec![type_]),
                ..Default::default()
            }),
            ..Default::default()
        }
    }
}

/// Newest first: Prefect's default order is by id, which is not time.
fn artifacts_body(
    query: ArtifactQuery,
    limit: i64,
    offset: u64,
) -> types::BodyReadArtifactsArtifactsFilterPost {
    page_body!(
        BodyReadArtifactsArtifactsFilterPost,
        ArtifactSort("CREATED_DESC"),
        limit,
        offset,
        artifacts: Some(query.filter()),
    )
}

impl Prefect {
    /// Artifacts (every version of every key), newest first.
    pub async fn list_artifacts(
        &self,
        query: ArtifactQuery,
        limit: i64,
        offset: u64,
    ) -> Result<ArtifactList, ToolError> {
        let artifacts = self
            .client
            .read_artifacts(&artifacts_body(query, limit, offset))
            .value()
            .await
            .doing("listing artifacts")?;
        Ok(ArtifactList::new(
            artifacts.iter().map(ArtifactSummary::from).collect(),
        ))
    }

    /// An artifact by id.
    pub async fn read_artifact(&self, id: Uuid) -> Result<ArtifactView, ToolError> {
        self.client
            .read_artifact(&id)
            .value()
            .await
            .doing(format!("reading artifact {id}"))
            .map(ArtifactView::from)
    }

    /// The latest artifact of a key. Prefect's `/artifacts/{key}/latest` answers a collection
    /// whose id is not the artifact's, so the newest of the key is asked for instead.
    pub async fn latest_artifact(&self, key: &str) -> Result<ArtifactView, ToolError> {
        let query = ArtifactQuery {
            key: Some(key.to_string()),
            ..Default::default()
        };
        let mut found = self
            .client
            .read_artifacts(&artifacts_body(query, 1, 0))
            .value()
            .await
            .doing(format!("reading the latest artifact of key {key:?}"))?;
        if found.is_empty() {
            return Err(ToolError::NotFound {
                kind: ObjectKind::Artifact,
                name: key.to_string(),
            });
        }
        Ok(ArtifactView::from(found.remove(0)))
    }

    /// Delete one artifact (one version of its key; the others stay).
    pub async fn delete_artifact(&self, id: Uuid) -> Result<(), ToolError> {
        self.client
            .delete_artifact(&id)
            .value()
            .await
            .doing(format!("deleting artifact {id}"))
    }
}
