//! Views of work pools: their queues and workers, and what keeps their runs from starting.

use chrono::{DateTime, Utc};
use prefect_api::types;
use schemars::JsonSchema;
use serde::Serialize;

use super::quoted;

/// Workers shown per pool (the newest heartbeats; Prefect returns them in that order).
pub const MAX_WORKERS_SHOWN: i64 = 10;

/// One queue of a work pool.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct WorkQueueView {
    pub name: String,
    pub is_paused: bool,
    pub concurrency_limit: Option<u64>,
    /// Lower numbers are served first.
    pub priority: u64,
    /// READY, NOT_READY or PAUSED, when the server reports it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

impl From<types::WorkQueueResponse> for WorkQueueView {
    fn from(q: types::WorkQueueResponse) -> Self {
        WorkQueueView {
            name: q.name,
            is_paused: q.is_paused,
            concurrency_limit: q.concurrency_limit,
            priority: q.priority.get(),
            status: q.status.map(|s| s.0),
        }
    }
}

/// A worker polling a work pool.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct WorkerView {
    pub name: String,
    /// ONLINE or OFFLINE (Prefect marks a worker OFFLINE when its heartbeats stop).
    pub status: Option<String>,
    pub last_heartbeat_time: Option<DateTime<Utc>>,
}

impl From<types::WorkerResponse> for WorkerView {
    fn from(w: types::WorkerResponse) -> Self {
        WorkerView {
            name: w.name,
            status: w.status.map(|s| s.0),
            last_heartbeat_time: w.last_heartbeat_time,
        }
    }
}

/// A work pool with its queues, workers and health.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct WorkPoolView {
    pub name: String,
    /// The kind of infrastructure: process, docker, kubernetes, ecs:push, ...
    #[serde(rename = "type")]
    pub type_: String,
    /// READY (a worker is polling), NOT_READY (none is) or PAUSED.
    pub status: Option<String>,
    pub is_paused: bool,
    pub concurrency_limit: Option<u64>,
    /// The queue that runs go to when their deployment names none.
    pub default_queue: Option<String>,
    pub queues: Vec<WorkQueueView>,
    /// Newest heartbeat first, at most 10.
    pub workers: Vec<WorkerView>,
    /// True when nothing below keeps runs in this pool from starting.
    pub healthy: bool,
    /// What keeps runs in this pool from starting, each with what to do about it.
    pub problems: Vec<String>,
}

impl WorkPoolView {
    pub fn new(
        pool: types::WorkPoolResponse,
        queues: Vec<types::WorkQueueResponse>,
        workers: Vec<types::WorkerResponse>,
    ) -> Self {
        let default_queue = queues
            .iter()
            .find(|q| Some(q.id) == pool.default_queue_id)
            .map(|q| q.name.clone());
        let mut view = WorkPoolView {
            name: pool.name,
            type_: pool.type_,
            status: pool.status.map(|s| s.0),
            is_paused: pool.is_paused,
            concurrency_limit: pool.concurrency_limit,
            default_queue,
            queues: queues.into_iter().map(WorkQueueView::from).collect(),
            workers: workers.into_iter().map(WorkerView::from).collect(),
            healthy: true,
            problems: Vec::new(),
        };
        view.problems = view.find_problems(None);
        view.healthy = view.problems.is_empty();
        view
    }

    /// What keeps a run on `queue` (the pool's default queue when `None`) from starting; the
    /// problems of the pool's other queues do not concern it.
    pub fn problems_for_queue(&self, queue: Option<&str>) -> Vec<String> {
        let queue = queue.or(self.default_queue.as_deref()).unwrap_or_default();
        self.find_problems(Some(queue))
    }

    /// Every problem of the pool, or only those that concern runs on `only_queue`.
    fn find_problems(&self, only_queue: Option<&str>) -> Vec<String> {
        let pool = quoted(&self.name);
        let mut problems = Vec::new();
        if self.is_paused {
            problems.push(format!(
                "the work pool is paused: none of its runs start until it is resumed \
                 (`prefect work-pool resume {pool}`)"
            ));
        }
        let concerns = |name: &str| only_queue.is_none_or(|only| only == name);
        for queue in self
            .queues
            .iter()
            .filter(|q| q.is_paused && concerns(&q.name))
        {
            problems.push(format!(
                "queue {queue} is paused: its runs do not start until it is resumed \
                 (`prefect work-queue resume {queue} --pool {pool}`)",
                queue = quoted(&queue.name)
            ));
        }
        let worker_problem = self.worker_problem();
        let explained = worker_problem.is_some();
        problems.extend(worker_problem);
        if !explained && self.status.as_deref() == Some("NOT_READY") {
            problems.push(
                "Prefect reports the pool NOT_READY (its workers have not polled it recently): \
                 check the workers' logs"
                    .into(),
            );
        }
        problems
    }

    /// Push and managed pools are served by Prefect itself; every other pool needs a worker
    /// that is online.
    fn worker_problem(&self) -> Option<String> {
        if self.type_.ends_with(":push") || self.type_ == "prefect:managed" {
            return None;
        }
        let start = format!("`prefect worker start --pool {}`", quoted(&self.name));
        if self.workers.is_empty() {
            return Some(format!(
                "no worker has ever polled this pool, so its runs never start: start one with {start}"
            ));
        }
        if self
            .workers
            .iter()
            .any(|w| w.status.as_deref() == Some("ONLINE"))
        {
            return None;
        }
        let last = self
            .workers
            .iter()
            .filter_map(|w| w.last_heartbeat_time)
            .max()
            .map_or_else(|| "never".to_string(), |t| t.to_rfc3339());
        Some(format!(
            "no worker is online (last heartbeat: {last}), so its runs do not start: \
             restart one with {start}"
        ))
    }
}

list_view!(WorkPoolList, work_pools, WorkPoolView);

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const QUEUE_ID: &str = "2f9a6c1e-8d3b-4a8e-9c55-0d1e2f3a4b5c";
    const POOL_ID: &str = "0d1e2f3a-8d3b-4a8e-9c55-2f9a6c1e4b5c";

    fn pool(pool_type: &str, paused: bool, status: &str) -> types::WorkPoolResponse {
        serde_json::from_value(json!({
            "id": POOL_ID, "name": "p", "type": pool_type, "is_paused": paused,
            "status": status, "default_queue_id": QUEUE_ID,
            "created": null, "updated": null, "base_job_template": {}
        }))
        .unwrap()
    }

    fn queue(name: &str, id: &str, paused: bool) -> types::WorkQueueResponse {
        serde_json::from_value(json!({
            "id": id, "name": name, "is_paused": paused, "priority": 1,
            "created": null, "updated": null
        }))
        .unwrap()
    }

    fn worker(status: &str) -> types::WorkerResponse {
        serde_json::from_value(json!({
            "id": QUEUE_ID, "name": "w", "status": status, "work_pool_id": POOL_ID,
            "last_heartbeat_time": "2026-01-02T03:04:05Z", "created": null, "updated": null
        }))
        .unwrap()
    }

    #[test]
    fn a_pool_with_an_online_worker_and_active_queues_is_healthy() {
        let view = WorkPoolView::new(
            pool("process", false, "READY"),
            vec![queue("default", QUEUE_ID, false)],
            vec![worker("ONLINE")],
        );
        assert!(view.healthy, "{:?}", view.problems);
        assert_eq!(view.default_queue.as_deref(), Some("default"));
    }

    #[test]
    fn paused_pool_paused_queue_and_missing_worker_are_each_a_problem() {
        let view = WorkPoolView::new(
            pool("process", true, "PAUSED"),
            vec![
                queue("default", QUEUE_ID, false),
                queue("q2", POOL_ID, true),
            ],
            vec![],
        );
        assert!(!view.healthy);
        assert_eq!(view.problems.len(), 3, "{:?}", view.problems);
        assert!(view.problems[0].contains("work pool is paused"));
        assert!(view.problems[1].contains("queue \"q2\" is paused"));
        assert!(view.problems[2].contains("prefect worker start --pool \"p\""));
    }

    #[test]
    fn offline_workers_are_reported_with_their_last_heartbeat() {
        let view = WorkPoolView::new(
            pool("docker", false, "NOT_READY"),
            vec![],
            vec![worker("OFFLINE")],
        );
        assert_eq!(view.problems.len(), 1, "{:?}", view.problems);
        assert!(
            view.problems[0].contains("2026-01-02T03:04:05"),
            "{:?}",
            view.problems
        );
    }

    #[test]
    fn push_pools_need_no_worker() {
        let view = WorkPoolView::new(pool("ecs:push", false, "READY"), vec![], vec![]);
        assert!(view.healthy, "{:?}", view.problems);
    }
}
