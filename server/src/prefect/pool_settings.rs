//! Work pool and work queue settings: concurrency limit, description, and a queue's priority.
//! Only the fields that change are sent (Prefect applies exactly what it is sent), so a paused
//! pool or queue stays paused; the answer reports each old and new value.

use prefect_api::PrefectCall;

use super::field_changes::FieldChanges;
use super::Prefect;
use crate::errors::{ArgumentError, Doing, ToolError};
use crate::output::SettingsChanged;

const POOL_FIELDS: &str = "concurrency_limit or description";
const QUEUE_FIELDS: &str = "concurrency_limit, priority or description";

/// What update_work_pool or update_work_queue may change; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct PoolSettings {
    /// Runs at once; 0 removes the limit.
    pub concurrency_limit: Option<u64>,
    pub description: Option<String>,
    /// Queues only: 1 is served first.
    pub priority: Option<u64>,
}

impl PoolSettings {
    fn is_empty(&self) -> bool {
        self.concurrency_limit.is_none() && self.description.is_none() && self.priority.is_none()
    }

    /// Each given field against its current value; a limit of 0 is sent as Prefect's `null`
    /// (no limit), because Prefect's own 0 lets nothing run (pausing says that better).
    fn against(
        &self,
        limit: Option<u64>,
        description: Option<&str>,
        priority: Option<u64>,
    ) -> FieldChanges {
        let mut changes = FieldChanges::default();
        if let Some(new) = self.concurrency_limit {
            let new = Some(new).filter(|n| *n > 0);
            changes.change("concurrency_limit", limit.into(), new.into());
        }
        if let Some(new) = &self.description {
            changes.change("description", description.into(), new.as_str().into());
        }
        if let Some(new) = self.priority {
            changes.change("priority", priority.into(), new.into());
        }
        changes
    }
}

impl Prefect {
    pub async fn update_work_pool_settings(
        &self,
        name: &str,
        settings: &PoolSettings,
    ) -> Result<SettingsChanged, ToolError> {
        if settings.is_empty() {
            return Err(ArgumentError::NothingToUpdate {
                fields: POOL_FIELDS,
            }
            .into());
        }
        let pool = self.read_work_pool(name).await?;
        let changes = settings.against(pool.concurrency_limit, pool.description.as_deref(), None);
        if !changes.fields.is_empty() {
            self.client
                .patch_work_pool_fields(name, &changes.fields)
                .value()
                .await
                .doing(format!("updating work pool {name:?}"))?;
        }
        Ok(SettingsChanged {
            id: pool.id,
            message: changes.message(&format!("Work pool {name}")),
            name: name.to_string(),
            changed: changes.changed,
        })
    }

    /// Through the pool's path, so that Prefect keeps the pool's priorities unique.
    pub async fn update_work_queue_settings(
        &self,
        pool: &str,
        name: &str,
        settings: &PoolSettings,
    ) -> Result<SettingsChanged, ToolError> {
        if settings.is_empty() {
            return Err(ArgumentError::NothingToUpdate {
                fields: QUEUE_FIELDS,
            }
            .into());
        }
        let queue = self.read_queue(pool, name).await?;
        let changes = settings.against(
            queue.concurrency_limit,
            queue.description.as_deref(),
            Some(queue.priority.get()),
        );
        if !changes.fields.is_empty() {
            self.client
                .patch_work_queue_fields(pool, name, &changes.fields)
                .value()
                .await
                .doing(format!(
                    "updating work queue {name:?} of work pool {pool:?}"
                ))?;
        }
        let mut message = changes.message(&format!("Work queue {name} of work pool {pool}"));
        if changes.fields.contains_key("priority") {
            message
                .push_str(" Prefect renumbers the pool's other queues to keep priorities unique.");
        }
        Ok(SettingsChanged {
            id: queue.id,
            name: format!("{pool}/{name}"),
            changed: changes.changed,
            message,
        })
    }
}
