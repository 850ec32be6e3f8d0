//! What tools return: compact, JSON-serialisable views of Prefect objects, one module per area.
//!
//! Each view keeps what an assistant needs to act on an object without a second call (ids,
//! names, state, timing, tags, parameters, schedule) and drops what nobody reads in a chat
//! (parameter schemas, job variables, pull steps, infrastructure documents). The `JsonSchema`
//! derives become the tools' output schemas.

/// `{"<items>": [...], "count": n}`: the documented shape of every list answer.
macro_rules! list_view {
    ($name:ident, $items:ident, $view:ty) => {
        #[derive(Debug, serde::Serialize, schemars::JsonSchema)]
        pub struct $name {
            pub $items: Vec<$view>,
            /// How many items this answer holds.
            pub count: usize,
        }

        impl $name {
            pub fn new($items: Vec<$view>) -> Self {
                $name {
                    count: $items.len(),
                    $items,
                }
            }
        }
    };
}

mod artifacts;
mod automations;
mod blocks;
mod concurrency;
mod dashboard;
mod deployments;
mod diagnose;
mod events;
mod flow_runs;
mod flows;
mod logs;
mod quoted;
mod server_info;
mod task_runs;
mod text;
mod tracebacks;
mod work_pools;
mod writes;

pub use artifacts::*;
pub use automations::*;
pub use blocks::*;
pub use concurrency::*;
pub use dashboard::*;
pub use deployments::*;
pub use diagnose::*;
pub use events::*;
pub use flow_runs::*;
pub use flows::*;
pub use logs::*;
pub use quoted::{fence, quoted, quoted_value, quoted_value_within, quoted_within, FENCE_TAG};
pub use server_info::*;
pub use task_runs::*;
pub use text::cap_text;
pub use tracebacks::{cut_repeated_tracebacks, headline};
pub use work_pools::*;
pub use writes::*;

use chrono::{DateTime, Utc};
use prefect_api::types;
use schemars::JsonSchema;
use serde::Serialize;

/// A run's current state.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct StateView {
    /// SCHEDULED, PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, CANCELLING, CRASHED or PAUSED.
    #[serde(rename = "type")]
    pub type_: String,
    /// The display name, e.g. "Late" for a SCHEDULED run whose time has passed.
    pub name: Option<String>,
    /// Prefect's explanation, e.g. the exception of a failed run.
    pub message: Option<String>,
    pub timestamp: Option<DateTime<Utc>>,
}

impl From<types::State> for StateView {
    fn from(state: types::State) -> Self {
        StateView {
            type_: state.type_.0,
            name: state.name,
            message: state.message.filter(|m| !m.is_empty()),
            timestamp: state.timestamp,
        }
    }
}

/// Prefect's state types, as the API spells them.
pub const STATE_TYPES: [&str; 9] = [
    "SCHEDULED",
    "PENDING",
    "RUNNING",
    "COMPLETED",
    "FAILED",
    "CANCELLED",
    "CRASHED",
    "PAUSED",
    "CANCELLING",
];

/// Final states: a run in one of these will not change again.
pub const FINAL_STATE_TYPES: [&str; 4] = ["COMPLETED", "FAILED", "CANCELLED", "CRASHED"];
