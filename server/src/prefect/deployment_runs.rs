//! The runs of one deployment: the recent ones, those waiting past their start time, and the
//! upcoming ones (what the deployment prompts brief about).

use chrono::{DateTime, Utc};
use prefect_api::types;
use uuid::Uuid;

use super::flow_runs::flow_runs_body;
use super::Prefect;
use crate::errors::ToolError;
use crate::output::FlowRunView;

/// Runs of `deployment`, in `state` when given, expected to start within `expected` when given.
fn deployment_runs_filter(
    deployment: Uuid,
    state: Option<types::FlowRunFilterState>,
    expected: Option<types::FlowRunFilterExpectedStartTime>,
) -> types::FlowRunFilter {
    types::FlowRunFilter {
        deployment_id: Some(types::FlowRunFilterDeploymentId {
            any: Some(vec![deployment]),
            ..Default::default()
        }),
        state,
        expected_start_time: expected,
        ..Default::default()
    }
}

/// Expected to start before `before`.
fn expected_before(before: DateTime<Utc>) -> types::FlowRunFilterExpectedStartTime {
    types::FlowRunFilterExpectedStartTime {
        after: None,
        before: Some(before),
    }
}

impl Prefect {
    /// The newest `limit` runs of `filter`, newest first by expected start.
    async fn newest_runs(
        &self,
        filter: types::FlowRunFilter,
        limit: i64,
    ) -> Result<Vec<FlowRunView>, ToolError> {
        Ok(self
            .read_flow_runs(&flow_runs_body(Some(filter), None, limit, 0))
            .await?
            .flow_runs)
    }

    /// The newest runs of a deployment, newest first by expected start.
    pub async fn deployment_runs(
        &self,
        deployment: Uuid,
        before: Option<DateTime<Utc>>,
        limit: i64,
    ) -> Result<Vec<FlowRunView>, ToolError> {
        let filter = deployment_runs_filter(deployment, None, before.map(expected_before));
        self.newest_runs(filter, limit).await
    }

    /// The newest runs of a deployment still waiting to start (SCHEDULED or PENDING) that were
    /// expected before `before`: late runs, which Prefect names "Late" once past their time.
    pub async fn waiting_runs(
        &self,
        deployment: Uuid,
        before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<FlowRunView>, ToolError> {
        let waiting = types::FlowRunFilterState {
            type_: Some(types::FlowRunFilterStateType {
                any: Some(vec![
                    types::StateType("SCHEDULED".into()),
                    types::StateType("PENDING".into()),
                ]),
                ..Default::default()
            }),
            ..Default::default()
        };
        let filter =
            deployment_runs_filter(deployment, Some(waiting), Some(expected_before(before)));
        self.newest_runs(filter, limit).await
    }

    /// The next scheduled runs, soonest first.
    pub async fn upcoming_runs(&self, deployment: Uuid) -> Result<Vec<FlowRunView>, ToolError> {
        let after_now = types::FlowRunFilterExpectedStartTime {
            after: Some(Utc::now()),
            before: None,
        };
        let filter = deployment_runs_filter(deployment, None, Some(after_now));
        let body = types::BodyReadFlowRunsFlowRunsFilterPost {
            flow_runs: Some(filter),
            limit: Some(5),
            sort: Some(types::FlowRunSort("EXPECTED_START_TIME_ASC".into())),
            ..Default::default()
        };
        Ok(self.read_flow_runs(&body).await?.flow_runs)
    }
}
