//! Views of flows.

use chrono::{DateTime, Utc};
use prefect_api::types;
use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

/// A flow.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FlowView {
    pub id: Uuid,
    pub name: String,
    pub tags: Vec<String>,
    pub created: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
}

impl From<types::Flow> for FlowView {
    fn from(flow: types::Flow) -> Self {
        FlowView {
            id: flow.id,
            name: flow.name.to_string(),
            tags: flow.tags,
            created: flow.created,
            updated: flow.updated,
        }
    }
}

list_view!(FlowList, flows, FlowView);
