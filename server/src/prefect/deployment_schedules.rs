//! A deployment's schedules: add one, change one (only what is given; a new timing keeps the
//! old timezone unless another is given, since Prefect's PATCH replaces the whole schedule
//! object), remove one.

use prefect_api::{types, PrefectCall};
use uuid::Uuid;

use super::Prefect;
use crate::errors::{Doing, ToolError};
use crate::output::ScheduleView;

/// When a schedule fires.
#[derive(Debug, Clone, PartialEq)]
pub enum Timing {
    Cron(String),
    IntervalSeconds(f64),
    RRule(String),
}

impl Timing {
    /// The timing of a schedule as it is, to send again with another timezone.
    pub fn of(schedule: &ScheduleView) -> Option<Timing> {
        if let Some(cron) = &schedule.cron {
            Some(Timing::Cron(cron.clone()))
        } else if let Some(seconds) = schedule.interval_seconds {
            Some(Timing::IntervalSeconds(seconds))
        } else {
            schedule.rrule.clone().map(Timing::RRule)
        }
    }

    /// The schedule object Prefect takes, in the create or the update body (two generated
    /// enums over the same three schedule types).
    fn schedule<T>(self, timezone: Option<String>) -> T
    where
        T: From<types::CronSchedule>
            + From<types::IntervalScheduleInput>
            + From<types::RRuleSchedule>,
    {
        match self {
            Timing::Cron(cron) => types::CronSchedule {
                cron,
                day_or: true,
                timezone,
            }
            .into(),
            Timing::IntervalSeconds(seconds) => types::IntervalScheduleInput {
                anchor_date: None,
                interval: types::IntervalScheduleInputInterval::Number(seconds),
                timezone,
            }
            .into(),
            Timing::RRule(rrule) => types::RRuleSchedule { rrule, timezone }.into(),
        }
    }
}

impl Prefect {
    pub async fn deployment_schedules(
        &self,
        deployment: Uuid,
    ) -> Result<Vec<ScheduleView>, ToolError> {
        let schedules = self
            .client
            .read_deployment_schedules(&deployment)
            .value()
            .await
            .doing(format!("reading the schedules of deployment {deployment}"))?;
        Ok(schedules.into_iter().map(ScheduleView::from).collect())
    }

    /// Adds a schedule; the new one.
    pub async fn add_deployment_schedule(
        &self,
        deployment: Uuid,
        timing: Timing,
        timezone: Option<String>,
        active: bool,
    ) -> Result<ScheduleView, ToolError> {
        // Prefect takes a list of schedules here, and refuses a bare object.
        let body = vec![types::DeploymentScheduleCreate {
            active,
            max_scheduled_runs: None,
            parameters: Default::default(),
            replaces: None,
            schedule: timing.schedule(timezone),
            slug: None,
        }];
        let mut made = self
            .client
            .create_deployment_schedules(&deployment, &body)
            .value()
            .await
            .doing(format!("adding a schedule to deployment {deployment}"))?;
        made.pop()
            .map(ScheduleView::from)
            .ok_or_else(|| ToolError::UnexpectedAnswer {
                action: format!("adding a schedule to deployment {deployment}"),
                problem: "Prefect answered no schedule".into(),
            })
    }

    /// Changes what is given of one schedule: its timing (with this timezone), whether it is
    /// active.
    pub async fn update_deployment_schedule(
        &self,
        deployment: Uuid,
        schedule: Uuid,
        timing: Option<(Timing, Option<String>)>,
        active: Option<bool>,
    ) -> Result<(), ToolError> {
        let body = types::DeploymentScheduleUpdate {
            active,
            schedule: timing.map(|(timing, timezone)| timing.schedule(timezone)),
            ..Default::default()
        };
        self.client
            .update_deployment_schedule(&deployment, &schedule, &body)
            .value()
            .await
            .doing(format!(
                "changing schedule {schedule} of deployment {deployment}"
            ))
    }

    pub async fn delete_deployment_schedule(
        &self,
        deployment: Uuid,
        schedule: Uuid,
    ) -> Result<(), ToolError> {
        self.client
            .delete_deployment_schedule(&deployment, &schedule)
            .value()
            .await
            .doing(format!(
                "removing schedule {schedule} of deployment {deployment}"
            ))
    }
}
