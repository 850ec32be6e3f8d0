//! Counts and the dashboard: Prefect's count endpoints (true totals, never the length of a
//! capped page), a few examples, and the work pools that have problems. Every call is
//! independent of the others, so they all run at once.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use prefect_api::{types, PrefectCall};

use super::flow_runs::flow_runs_body;
use super::query::{States, MAX_LIMIT};
use super::Prefect;
use crate::errors::{Doing, ToolError};
use crate::output::{
    Dashboard, FailedRun, FailedRuns, LateRun, LateRuns, RunCounts, UnhealthyWorkPool,
    WorkPoolHealth, DASHBOARD_EXAMPLES, STATE_TYPES,
};

/// Runs in `state` (any state when `None`) and, when `since` is given, expected to start at or
/// after it.
fn runs_where(
    state: Option<types::FlowRunFilterState>,
    since: Option<DateTime<Utc>>,
) -> types::FlowRunFilter {
    types::FlowRunFilter {
        state,
        expected_start_time: since.map(|after| types::FlowRunFilterExpectedStartTime {
            after: Some(after),
            before: None,
        }),
        ..Default::default()
    }
}

fn state_types(names: &[&str]) -> Option<types::FlowRunFilterState> {
    States::of_types(names).flow_run_filter()
}

fn state_name(name: &str) -> Option<types::FlowRunFilterState> {
    States::named(name).flow_run_filter()
}

impl Prefect {
    /// The overview of the `hours` before now, counted from `since` (whole seconds, so that
    /// the same `since` pasted into a filter selects the same runs).
    pub async fn dashboard(
        &self,
        hours: i64,
        since: DateTime<Utc>,
    ) -> Result<Dashboard, ToolError> {
        let (flow_runs, late_runs, failed_runs, work_pools, flows, deployments) = tokio::try_join!(
            self.dashboard_run_counts(since),
            self.dashboard_late_runs(),
            self.dashboard_failed_runs(since),
            self.dashboard_work_pools(),
            async {
                self.client
                    .count_flows(&Default::default())
                    .value()
                    .await
                    .doing("counting flows")
            },
            async {
                self.client
                    .count_deployments(&Default::default())
                    .value()
                    .await
                    .doing("counting deployments")
            },
        )?;
        Ok(Dashboard {
            hours,
            since,
            flow_runs,
            late_runs,
            failed_runs,
            work_pools,
            flows,
            deployments,
        })
    }

    /// How many flow runs match `filter`: Prefect's own count, not the length of a page.
    pub async fn count_flow_runs(&self, filter: types::FlowRunFilter) -> Result<i64, ToolError> {
        let body = types::BodyCountFlowRunsFlowRunsCountPost {
            flow_runs: Some(filter),
            ..Default::default()
        };
        self.client
            .count_flow_runs(&body)
            .value()
            .await
            .doing("counting flow runs")
    }

    /// The newest few runs matching `filter`.
    async fn dashboard_examples(
        &self,
        filter: types::FlowRunFilter,
    ) -> Result<Vec<types::FlowRunResponse>, ToolError> {
        let body = flow_runs_body(Some(filter), None, DASHBOARD_EXAMPLES, 0);
        self.client
            .read_flow_runs(&body)
            .value()
            .await
            .doing("reading example flow runs")
    }

    async fn dashboard_run_counts(&self, since: DateTime<Utc>) -> Result<RunCounts, ToolError> {
        let per_type = STATE_TYPES.map(|state_type| async move {
            let count = self
                .count_flow_runs(runs_where(state_types(&[state_type]), Some(since)))
                .await?;
            Ok::<_, ToolError>((state_type.to_string(), count))
        });
        let (total, by_state_type) = tokio::try_join!(
            self.count_flow_runs(runs_where(None, Some(since))),
            futures::future::try_join_all(per_type),
        )?;
        Ok(RunCounts {
            total,
            by_state_type: by_state_type.into_iter().collect::<BTreeMap<_, _>>(),
        })
    }

    async fn dashboard_late_runs(&self) -> Result<LateRuns, ToolError> {
        let late = runs_where(state_name("Late"), None);
        let (count, examples) = tokio::try_join!(
            self.count_flow_runs(late.clone()),
            self.dashboard_examples(late),
        )?;
        Ok(LateRuns {
            count,
            examples: examples.into_iter().map(LateRun::from).collect(),
        })
    }

    async fn dashboard_failed_runs(&self, since: DateTime<Utc>) -> Result<FailedRuns, ToolError> {
        let failed = runs_where(state_types(&["FAILED", "CRASHED"]), Some(since));
        let (count, newest) = tokio::try_join!(
            self.count_flow_runs(failed.clone()),
            self.dashboard_examples(failed),
        )?;
        Ok(FailedRuns {
            count,
            newest: newest.into_iter().map(FailedRun::from).collect(),
        })
    }

    async fn dashboard_work_pools(&self) -> Result<WorkPoolHealth, ToolError> {
        let (count, pools) = tokio::try_join!(
            async {
                self.client
                    .count_work_pools(&Default::default())
                    .value()
                    .await
                    .doing("counting work pools")
            },
            self.work_pool_statuses(MAX_LIMIT, 0),
        )?;
        Ok(WorkPoolHealth {
            count,
            unhealthy: pools
                .into_iter()
                .filter(|pool| !pool.healthy)
                .map(|pool| UnhealthyWorkPool {
                    name: pool.name,
                    problems: pool.problems,
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_filters_serialise_as_prefect_expects() {
        let since = "2026-01-02T03:04:05Z".parse().unwrap();
        let filter = runs_where(state_types(&["FAILED", "CRASHED"]), Some(since));
        assert_eq!(
            serde_json::to_value(filter).unwrap(),
            serde_json::json!({
                "state": {"operator": "and_", "type": {"any_": ["FAILED", "CRASHED"]}},
                "expected_start_time": {"after_": "2026-01-02T03:04:05Z"}
            })
        );
    }
}
