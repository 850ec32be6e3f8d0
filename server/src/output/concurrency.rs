//! Views of global concurrency limits (tag limits are the global limits named `tag:<tag>`).

use chrono::{DateTime, Utc};
use prefect_api::types;
use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

/// Prefect's prefix of the global limits that stand for a tag's limit.
pub const TAG_LIMIT_PREFIX: &str = "tag:";

/// A global concurrency limit and how much of it is in use.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ConcurrencyLimitView {
    pub id: Uuid,
    pub name: String,
    /// The tag whose task runs it limits, for a tag limit (`tag:<tag>`).
    pub tag: Option<String>,
    pub limit: i64,
    /// An inactive limit lets everything through.
    pub active: bool,
    /// Slots held now; slots left behind by crashed work stay held until freed
    /// (reset_concurrency_limit).
    pub active_slots: i64,
    /// true when every slot is held: work that needs one waits.
    pub full: bool,
    /// Slots freed per second when used as a rate limit (0: not a rate limit).
    pub slot_decay_per_second: f64,
    pub updated: Option<DateTime<Utc>>,
    /// Runs holding slots now, from Prefect's acquired/released events (listed limits with
    /// slots held only).
    pub held_by: Option<Vec<SlotHolder>>,
    /// Held slots no event explains: taken through the API, or by work whose events are older
    /// than 7 days. Slots leaked by crashed work are freed with reset_concurrency_limit.
    pub unexplained_slots: Option<i64>,
}

/// A run that acquired slots of a limit and has not released them.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SlotHolder {
    pub flow_run_id: Option<Uuid>,
    pub task_run_id: Option<Uuid>,
    /// When it acquired them.
    pub since: DateTime<Utc>,
    pub slots: i64,
}

/// Prefect answers a limit in two shapes (a read, and a create's answer) with the same fields.
macro_rules! limit_view_from {
    ($answer:ty) => {
        impl From<$answer> for ConcurrencyLimitView {
            fn from(l: $answer) -> Self {
                ConcurrencyLimitView {
                    tag: l.name.strip_prefix(TAG_LIMIT_PREFIX).map(str::to_string),
                    full: l.active && l.active_slots >= l.limit,
                    id: l.id,
                    name: l.name,
                    limit: l.limit,
                    active: l.active,
                    active_slots: l.active_slots,
                    slot_decay_per_second: l.slot_decay_per_second,
                    updated: l.updated,
                    held_by: None,
                    unexplained_slots: None,
                }
            }
        }
    };
}
limit_view_from!(types::GlobalConcurrencyLimitResponse);
limit_view_from!(types::ConcurrencyLimitV2);

list_view!(
    ConcurrencyLimitList,
    concurrency_limits,
    ConcurrencyLimitView
);

/// The outcome of set_concurrency_limit.
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize, JsonSchema)]
pub struct ConcurrencyLimitSet {
    /// true: there was no limit of that name and one was made.
    pub created: bool,
    /// The limit as it was before, when it was changed.
    pub previous: Option<ConcurrencyLimitView>,
    pub concurrency_limit: ConcurrencyLimitView,
}

/// The outcome of reset_concurrency_limit.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ConcurrencyLimitReset {
    /// How many slots were held before the reset.
    pub freed_slots: i64,
    pub concurrency_limit: ConcurrencyLimitView,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_tag_limit_names_its_tag_and_a_held_limit_is_full() {
        let limit: types::GlobalConcurrencyLimitResponse = serde_json::from_value(json!({
            "id": "0f0e0d0c-0b0a-4909-8807-060504030201", "name": "tag:database",
            "limit": 2, "active": true, "active_slots": 2, "slot_decay_per_second": 0.0,
            "created": null, "updated": null
        }))
        .unwrap();
        let view = ConcurrencyLimitView::from(limit);
        assert_eq!(view.tag.as_deref(), Some("database"));
        assert!(view.full);
    }
}
