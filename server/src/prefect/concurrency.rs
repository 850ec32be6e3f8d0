//! Global concurrency limits (v2; tag limits are the ones named `tag:<tag>`): pages of them, one
//! by name, and creating, changing, freeing and deleting one.

use prefect_api::{types, PrefectCall, PrefectError};

use super::Prefect;
use crate::errors::{ArgumentError, Doing, ToolError};
use crate::output::{ConcurrencyLimitList, ConcurrencyLimitView, TAG_LIMIT_PREFIX};

/// What set_concurrency_limit changes; `None` leaves a field as it is.
#[derive(Debug, Default, Clone)]
pub struct LimitSettings {
    pub limit: u64,
    pub active: Option<bool>,
    pub slot_decay_per_second: Option<f64>,
}

fn by_name(name: &str) -> types::IdOrName {
    types::IdOrName::String(name.to_string())
}

impl Prefect {
    /// Every global limit, tag limits among them, sorted by name (Prefect's order; its filter
    /// takes no criteria), with what holds the slots of those in use.
    pub async fn list_concurrency_limits(
        &self,
        limit: i64,
        offset: u64,
    ) -> Result<ConcurrencyLimitList, ToolError> {
        let body = types::BodyReadAllConcurrencyLimitsV2V2ConcurrencyLimitsFilterPost {
            limit: Some(limit),
            offset,
        };
        let limits = self
            .client
            .read_all_concurrency_limits_v2(&body)
            .value()
            .await
            .doing("listing concurrency limits")?;
        let mut limits: Vec<ConcurrencyLimitView> =
            limits.into_iter().map(ConcurrencyLimitView::from).collect();
        self.add_limit_holders(&mut limits).await?;
        Ok(ConcurrencyLimitList::new(limits))
    }

    /// The limit of that name, or `None` when there is none.
    pub async fn find_concurrency_limit(
        &self,
        name: &str,
    ) -> Result<Option<ConcurrencyLimitView>, ToolError> {
        self.client
            .read_concurrency_limit_v2(&by_name(name))
            .value()
            .await
            .doing_or_none(format!("reading concurrency limit {name:?}"))
            .map(|found| found.map(ConcurrencyLimitView::from))
    }

    /// The limit of that name; Prefect's 404 when there is none.
    pub async fn read_concurrency_limit(
        &self,
        name: &str,
    ) -> Result<ConcurrencyLimitView, ToolError> {
        self.client
            .read_concurrency_limit_v2(&by_name(name))
            .value()
            .await
            .doing(format!("reading concurrency limit {name:?}"))
            .map(ConcurrencyLimitView::from)
    }

    pub async fn create_concurrency_limit(
        &self,
        name: &str,
        settings: &LimitSettings,
    ) -> Result<ConcurrencyLimitView, ToolError> {
        let body = types::ConcurrencyLimitV2Create {
            name: name.to_string(),
            limit: settings.limit,
            active: settings.active.unwrap_or(true),
            active_slots: 0,
            denied_slots: 0,
            slot_decay_per_second: settings.slot_decay_per_second.unwrap_or(0.0),
        };
        self.client
            .create_concurrency_limit_v2(&body)
            .value()
            .await
            .doing(format!("creating concurrency limit {name:?}"))
            .map(ConcurrencyLimitView::from)
    }

    /// Sends only what is set, so that held slots and unnamed settings stay as they are.
    pub async fn update_concurrency_limit(
        &self,
        name: &str,
        settings: &LimitSettings,
    ) -> Result<ConcurrencyLimitView, ToolError> {
        let body = types::ConcurrencyLimitV2Update {
            limit: Some(settings.limit),
            active: settings.active,
            slot_decay_per_second: settings.slot_decay_per_second,
            ..Default::default()
        };
        self.client
            .update_concurrency_limit_v2(&by_name(name), &body)
            .value()
            .await
            .doing(format!("changing concurrency limit {name:?}"))?;
        self.read_concurrency_limit(name).await
    }

    /// Frees every slot. Prefect has no reset for global limits: the count is set to 0 (as
    /// `prefect gcl update NAME --active-slots 0` does). A tag limit's leases are revoked first
    /// through the tag API, whose own reset leaves the count as it was.
    pub async fn reset_concurrency_limit(
        &self,
        name: &str,
    ) -> Result<ConcurrencyLimitView, ToolError> {
        if let Some(tag) = name.strip_prefix(TAG_LIMIT_PREFIX) {
            let body =
                types::BodyResetConcurrencyLimitByTagConcurrencyLimitsTagTagResetPost::default();
            // Its answer carries nothing needed, and a v2-only tag limit has no v1 record.
            match self
                .client
                .reset_concurrency_limit_by_tag(tag, &body)
                .value()
                .await
            {
                Ok(_) | Err(PrefectError::NotFound { .. } | PrefectError::Decode { .. }) => {}
                Err(source) => {
                    return Err(ToolError::Prefect {
                        action: format!("revoking the slots of tag {tag:?}"),
                        source,
                    })
                }
            }
        }
        let body = types::ConcurrencyLimitV2Update {
            active_slots: Some(0),
            ..Default::default()
        };
        self.client
            .update_concurrency_limit_v2(&by_name(name), &body)
            .value()
            .await
            .doing(format!("freeing the slots of concurrency limit {name:?}"))?;
        self.read_concurrency_limit(name).await
    }

    pub async fn delete_concurrency_limit(&self, name: &str) -> Result<(), ToolError> {
        self.client
            .delete_concurrency_limit_v2(&by_name(name))
            .value()
            .await
            .doing(format!("deleting concurrency limit {name:?}"))
    }
}

/// A limit name Prefect accepts: not blank, none of `/ % & > <`.
pub fn check_limit_name(name: &str) -> Result<&str, ToolError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ArgumentError::Blank { field: "name" }.into());
    }
    if let Some(bad) = name.chars().find(|c| "/%&><".contains(*c)) {
        return Err(ArgumentError::BadLimitName {
            value: name.to_string(),
            character: bad,
        }
        .into());
    }
    Ok(name)
}
