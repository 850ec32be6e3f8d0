//! Views of artifacts: what flows publish for people to read (tables, markdown reports, links,
//! progress, images, results).

use chrono::{DateTime, Utc};
use prefect_api::types;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

/// The artifact types Prefect's SDK makes (`create_link_artifact` stores `markdown`).
pub const ARTIFACT_TYPES: [&str; 5] = ["table", "markdown", "progress", "image", "result"];

/// An artifact in a list: what it is and where it came from, without its data.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ArtifactSummary {
    pub id: Option<Uuid>,
    /// Its key; the versions of one key are one report over time (get_artifact takes the key
    /// for the latest).
    pub key: Option<String>,
    /// table, markdown (links too), progress, image or result.
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub description: Option<String>,
    pub flow_run_id: Option<Uuid>,
    pub task_run_id: Option<Uuid>,
    pub created: Option<DateTime<Utc>>,
}

impl From<&types::Artifact> for ArtifactSummary {
    fn from(a: &types::Artifact) -> Self {
        ArtifactSummary {
            id: a.id,
            key: a.key.clone(),
            type_: a.type_.clone(),
            description: a.description.clone().filter(|d| !d.trim().is_empty()),
            flow_run_id: a.flow_run_id,
            task_run_id: a.task_run_id,
            created: a.created,
        }
    }
}

list_view!(ArtifactList, artifacts, ArtifactSummary);

/// One artifact with its data, shaped by its type.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ArtifactView {
    #[serde(flatten)]
    pub summary: ArtifactSummary,
    pub updated: Option<DateTime<Utc>>,
    /// A table's rows (a list of objects, or an object of columns), as the flow gave them.
    pub rows: Option<Value>,
    /// A markdown artifact's text (a link artifact is markdown: `[text](url)`).
    pub markdown: Option<String>,
    /// Any other type's data (a progress percentage, an image URL, a result reference).
    pub data: Option<Value>,
    /// Its metadata (string keys and values), when it has any.
    pub metadata: Option<std::collections::HashMap<String, String>>,
}

impl From<types::Artifact> for ArtifactView {
    fn from(a: types::Artifact) -> Self {
        let summary = ArtifactSummary::from(&a);
        let (mut rows, mut markdown, mut data) = (None, None, None);
        match (a.type_.as_deref(), a.data) {
            (_, None | Some(Value::Null)) => {}
            // Prefect stores a table as a JSON-encoded string; one that does not parse is shown
            // as the text it is.
            (Some("table"), Some(Value::String(text))) => match serde_json::from_str(&text) {
                Ok(parsed) => rows = Some(parsed),
                Err(_) => data = Some(Value::String(text)),
            },
            (Some("table"), Some(value)) => rows = Some(value),
            (Some("markdown"), Some(Value::String(text))) => markdown = Some(text),
            (_, Some(value)) => data = Some(value),
        }
        ArtifactView {
            summary,
            updated: a.updated,
            rows,
            markdown,
            data,
            metadata: a.metadata.filter(|m| !m.is_empty()),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn artifact(type_: &str, data: Value) -> types::Artifact {
        serde_json::from_value(json!({
            "id": "0b1f7c4e-8a8e-4f59-9f43-4a1d8b2a6a11", "key": "sales-report",
            "type": type_, "description": "", "data": data, "metadata_": {},
            "flow_run_id": null, "task_run_id": null,
            "created": "2026-12-01T03:00:00Z", "updated": "2026-12-01T03:00:00Z"
        }))
        .unwrap()
    }

    #[test]
    fn a_table_stored_as_a_json_string_becomes_rows() {
        let view = ArtifactView::from(artifact(
            "table",
            json!("[{\"region\": \"eu\", \"rows\": 10}, {\"region\": \"us\", \"rows\": 7}]"),
        ));
        assert_eq!(view.rows.unwrap()[1], json!({"region": "us", "rows": 7}));
        assert!(view.data.is_none() && view.markdown.is_none());
        assert_eq!(view.summary.description, None);
        assert_eq!(view.metadata, None);
    }

    #[test]
    fn a_table_that_is_not_json_is_kept_as_its_text() {
        let view = ArtifactView::from(artifact("table", json!("not [json")));
        assert_eq!(view.rows, None);
        assert_eq!(view.data, Some(json!("not [json")));
    }

    #[test]
    fn markdown_is_text_and_other_types_keep_their_data() {
        let md = ArtifactView::from(artifact("markdown", json!("# Report\nall good")));
        assert_eq!(md.markdown.as_deref(), Some("# Report\nall good"));
        let progress = ArtifactView::from(artifact("progress", json!(42.5)));
        assert_eq!(progress.data, Some(json!(42.5)));
        let serialised = serde_json::to_value(&progress).unwrap();
        assert_eq!(serialised["type"], "progress");
        assert_eq!(serialised["key"], "sales-report");
    }
}
