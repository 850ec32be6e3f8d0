//! Work pool writes: pause and resume work pools and their queues (as `prefect work-pool` and
//! `prefect work-queue` do).

use prefect_api::{types, PrefectCall, PrefectError};

use super::field_changes::already;
use super::Prefect;
use crate::errors::{Doing, ToolError, WriteError};
use crate::output::{quoted, WorkPoolChanged, WorkQueueChanged};

fn paused_words(paused: bool) -> &'static str {
    if paused {
        "paused: no worker picks up its runs until it is resumed"
    } else {
        "active: workers pick up its runs again"
    }
}

impl Prefect {
    pub async fn set_work_pool_paused(
        &self,
        name: &str,
        paused: bool,
    ) -> Result<WorkPoolChanged, ToolError> {
        let pool = self.read_work_pool(name).await?;
        let body = types::WorkPoolUpdate {
            is_paused: Some(paused),
            ..Default::default()
        };
        self.client
            .update_work_pool(name, &body)
            .value()
            .await
            .doing(format!("updating work pool {name:?}"))?;
        Ok(WorkPoolChanged {
            work_pool_id: pool.id,
            message: format!(
                "Work pool {} is {}{}.",
                quoted(name),
                paused_words(paused),
                already(pool.is_paused, paused)
            ),
            work_pool: name.to_string(),
            is_paused: paused,
        })
    }

    /// The queue is found by pool and name; Prefect updates queues by id. A queue that is not
    /// there is an error naming the pool's queues.
    pub async fn set_work_queue_paused(
        &self,
        pool: &str,
        name: &str,
        paused: bool,
    ) -> Result<WorkQueueChanged, ToolError> {
        let queue = self.read_queue(pool, name).await?;
        // `is_paused` is the one field sent: the others are skipped when unset, so the queue's
        // limit and priority stay as they are.
        let body = types::WorkQueueUpdate {
            is_paused: paused,
            ..Default::default()
        };
        self.client
            .update_work_queue(&queue.id, &body)
            .value()
            .await
            .doing(format!(
                "updating work queue {name:?} of work pool {pool:?}"
            ))?;
        Ok(WorkQueueChanged {
            work_queue_id: queue.id,
            message: format!(
                "Work queue {} of work pool {} is {}{}.",
                quoted(name),
                quoted(pool),
                paused_words(paused),
                already(queue.is_paused, paused)
            ),
            work_pool: pool.to_string(),
            work_queue: name.to_string(),
            is_paused: paused,
        })
    }

    /// The queue `name` of `pool`; a queue that is not there is an error naming the pool's.
    pub(super) async fn read_queue(
        &self,
        pool: &str,
        name: &str,
    ) -> Result<types::WorkQueueResponse, ToolError> {
        match self
            .client
            .read_work_queue_in_work_pools(pool, name)
            .value()
            .await
        {
            Ok(queue) => Ok(queue),
            Err(PrefectError::NotFound { .. }) => Err(self.queue_not_found(pool, name).await?),
            Err(source) => Err(ToolError::Prefect {
                action: format!("reading work queue {name:?} of work pool {pool:?}"),
                source,
            }),
        }
    }

    /// The error for a queue that is not in `pool`: the pool's queues, or the pool's own 404.
    async fn queue_not_found(&self, pool: &str, name: &str) -> Result<ToolError, ToolError> {
        let body = types::BodyReadWorkQueuesWorkPoolsWorkPoolNameQueuesFilterPost::default();
        let queues = self
            .client
            .read_work_queues_in_work_pools(pool, &body)
            .value()
            .await
            .doing(format!("listing the queues of work pool {pool:?}"))?;
        Ok(ToolError::Write(WriteError::NoSuchQueue {
            pool: pool.to_string(),
            name: name.to_string(),
            queues: queues.into_iter().map(|q| q.name.to_string()).collect(),
        }))
    }
}
