//! get_dashboard: an overview from Prefect's count endpoints ([`crate::prefect::counts`]).

use chrono::{SubsecRound, TimeDelta, Utc};
use rmcp::{tool, tool_router, Json};
use schemars::JsonSchema;
use serde::Deserialize;

use super::args::Parameters;
use crate::errors::{ArgumentError, ToolError};
use crate::mcp::declarations::Declaration;
use crate::mcp::server::McpServer;
use crate::output::Dashboard;

pub(crate) const DECLARED: &[Declaration] =
    &[Declaration::reads("get_dashboard").view("dashboard")];

const MAX_HOURS: i64 = 720;

fn default_hours() -> i64 {
    24
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DashboardArgs {
    /// Hours back the counts and failures look, 1-720.
    #[serde(default = "default_hours")]
    pub hours: i64,
}

fn hours(hours: i64) -> Result<i64, ToolError> {
    if (1..=MAX_HOURS).contains(&hours) {
        Ok(hours)
    } else {
        Err(ArgumentError::OutOfRange {
            field: "hours",
            min: 1,
            max: MAX_HOURS,
            got: hours,
            hint: "That is up to 30 days.",
        }
        .into())
    }
}

#[tool_router(router = dashboard_tools, vis = "pub(crate)")]
impl McpServer {
    /// Overview: exact flow run counts per state type over the last `hours`, late runs, the
    /// newest failures with their messages, work pools whose runs cannot start, and how many
    /// flows, deployments and work pools exist.
    #[tool]
    async fn get_dashboard(
        &self,
        Parameters(args): Parameters<DashboardArgs>,
    ) -> Result<Json<Dashboard>, ToolError> {
        let hours = hours(args.hours)?;
        // Whole seconds: the same `since` pasted into a filter selects the same runs.
        let since = Utc::now().trunc_subsecs(0) - TimeDelta::hours(hours);
        self.prefect.dashboard(hours, since).await.map(Json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_outside_one_to_thirty_days_are_rejected() {
        assert_eq!(hours(1).unwrap(), 1);
        assert_eq!(hours(720).unwrap(), 720);
        for bad in [0, -1, 721] {
            let err = hours(bad).unwrap_err().message();
            assert!(err.contains("between 1 and 720"), "{err}");
        }
    }
}
