//! Deployment schedule tools (toolset schedules): set_deployment_schedule,
//! delete_deployment_schedule.

use rmcp::service::RequestContext;
use rmcp::{tool, tool_router, Json, RoleServer};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use super::args::{self, Parameters};
use crate::errors::{ArgumentError, ObjectKind, ToolError};
use crate::mcp::ask::{confirm, Asker};
use crate::mcp::declarations::Declaration;
use crate::mcp::server::McpServer;
use crate::output::{ScheduleRemoved, ScheduleSet, ScheduleView};
use crate::prefect::deployment_schedules::Timing;

pub(crate) const DECLARED: &[Declaration] = &[
    Declaration::writes("set_deployment_schedule"),
    Declaration::destroys("delete_deployment_schedule"),
];

/// croniter's shorthands, which Prefect accepts for a cron.
const CRON_MACROS: [&str; 7] = [
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
];

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetDeploymentScheduleArgs {
    /// Deployment UUID or "flow_name/deployment_name".
    pub deployment: String,
    /// Schedule to change; omit to add one.
    #[serde(default)]
    pub schedule_id: Option<String>,
    /// Cron, e.g. "0 3 * * *".
    #[serde(default)]
    pub cron: Option<String>,
    /// Seconds between runs.
    #[serde(default)]
    pub interval_seconds: Option<f64>,
    /// iCalendar RRULE.
    #[serde(default)]
    pub rrule: Option<String>,
    /// IANA timezone, e.g. "UTC".
    #[serde(default)]
    pub timezone: Option<String>,
    /// false pauses only this schedule.
    #[serde(default)]
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleArgs {
    /// Deployment UUID or "flow_name/deployment_name".
    pub deployment: String,
    /// Schedule id.
    pub schedule_id: String,
}

fn bad(path: &str, problem: impl Into<String>) -> ToolError {
    ArgumentError::Decode {
        path: path.into(),
        problem: problem.into(),
    }
    .into()
}

fn cron(value: &str) -> Result<String, ToolError> {
    let cron = value.trim();
    if CRON_MACROS.contains(&cron) {
        return Ok(cron.to_string());
    }
    let fields: Vec<&str> = cron.split_whitespace().collect();
    let allowed = |c: char| c.is_ascii_alphanumeric() || "*/,-?LW#".contains(c);
    if !(5..=6).contains(&fields.len()) || !fields.iter().all(|f| f.chars().all(allowed)) {
        return Err(bad(
            "cron",
            format!(
                "{value:?} is not a cron expression: give 5 fields (minute hour day-of-month \
                 month day-of-week), e.g. \"0 3 * * *\" for 3am daily, or one of {}",
                CRON_MACROS.join(", ")
            ),
        ));
    }
    Ok(fields.join(" "))
}

fn timezone(value: &str) -> Result<String, ToolError> {
    let zone = value.trim();
    let valid = !zone.is_empty()
        && zone.len() <= 64
        && zone
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c));
    if valid {
        Ok(zone.to_string())
    } else {
        Err(bad(
            "timezone",
            format!("{value:?} is not an IANA timezone name such as \"UTC\" or \"Europe/Paris\""),
        ))
    }
}

impl SetDeploymentScheduleArgs {
    /// The timing given, if any: at most one of cron, interval_seconds and rrule.
    fn timing(&self) -> Result<Option<Timing>, ToolError> {
        let given = [
            self.cron.is_some(),
            self.interval_seconds.is_some(),
            self.rrule.is_some(),
        ];
        if given.iter().filter(|g| **g).count() > 1 {
            return Err(bad(
                "",
                "give only one of cron, interval_seconds and rrule: a schedule has one timing",
            ));
        }
        if let Some(value) = &self.cron {
            return cron(value).map(|c| Some(Timing::Cron(c)));
        }
        if let Some(seconds) = self.interval_seconds {
            if !seconds.is_finite() || seconds < 1.0 {
                return Err(bad(
                    "interval_seconds",
                    format!("{seconds} is not an interval: give 1 second or more"),
                ));
            }
            return Ok(Some(Timing::IntervalSeconds(seconds)));
        }
        if let Some(rrule) = &self.rrule {
            let rrule = rrule.trim();
            if !rrule.to_ascii_uppercase().contains("FREQ=") {
                return Err(bad(
                    "rrule",
                    format!(
                        "{rrule:?} is not an RRULE: it needs a FREQ, e.g. \"FREQ=DAILY;BYHOUR=3\""
                    ),
                ));
            }
            return Ok(Some(Timing::RRule(rrule.to_string())));
        }
        Ok(None)
    }
}

/// The deployment's schedule with this id.
fn schedule_of(schedules: Vec<ScheduleView>, id: Uuid) -> Result<ScheduleView, ToolError> {
    schedules
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| ToolError::NotFound {
            kind: ObjectKind::Schedule,
            name: id.to_string(),
        })
}

#[tool_router(router = deployment_schedules_tools, vis = "pub(crate)")]
impl McpServer {
    /// Add a deployment schedule (one of cron, interval_seconds, rrule), or change the one
    /// schedule_id names, keeping its timezone unless given.
    #[tool]
    async fn set_deployment_schedule(
        &self,
        Parameters(args): Parameters<SetDeploymentScheduleArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<ScheduleSet>, ToolError> {
        let timing = args.timing()?;
        let zone = args.timezone.as_deref().map(timezone).transpose()?;
        let schedule_id = args
            .schedule_id
            .as_deref()
            .map(|id| args::uuid("schedule_id", id, "get_deployment_by_name lists the ids"))
            .transpose()?;
        if schedule_id.is_none() && timing.is_none() {
            return Err(bad(
                "",
                "a new schedule needs one of cron, interval_seconds or rrule (or give \
                 schedule_id to change an existing one)",
            ));
        }
        if schedule_id.is_some() && timing.is_none() && zone.is_none() && args.active.is_none() {
            return Err(bad(
                "",
                "nothing to change: give cron, interval_seconds, rrule, timezone or active",
            ));
        }
        let (deployment, name) = self.target_deployment(&args.deployment, &context).await?;
        let Some(schedule_id) = schedule_id else {
            let timing = timing.expect("checked above");
            let schedule = self
                .prefect
                .add_deployment_schedule(deployment.id, timing, zone, args.active.unwrap_or(true))
                .await?;
            return Ok(Json(ScheduleSet {
                deployment: name,
                added: true,
                previous: None,
                schedule,
            }));
        };
        let previous = schedule_of(
            self.prefect.deployment_schedules(deployment.id).await?,
            schedule_id,
        )?;
        // Prefect's PATCH replaces the whole schedule object: send the timing again with the
        // timezone to keep, or the old timing with the new timezone.
        let new_timing = match (timing, zone) {
            (Some(timing), zone) => Some((timing, zone.or_else(|| previous.timezone.clone()))),
            (None, Some(zone)) => Timing::of(&previous).map(|timing| (timing, Some(zone))),
            (None, None) => None,
        };
        self.prefect
            .update_deployment_schedule(deployment.id, schedule_id, new_timing, args.active)
            .await?;
        let schedule = schedule_of(
            self.prefect.deployment_schedules(deployment.id).await?,
            schedule_id,
        )?;
        Ok(Json(ScheduleSet {
            deployment: name,
            added: false,
            previous: Some(previous),
            schedule,
        }))
    }

    /// Remove a deployment schedule and the runs it scheduled, after the user confirms.
    #[tool]
    async fn delete_deployment_schedule(
        &self,
        Parameters(args): Parameters<ScheduleArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<ScheduleRemoved>, ToolError> {
        let schedule_id = args::uuid(
            "schedule_id",
            &args.schedule_id,
            "get_deployment_by_name lists the ids",
        )?;
        let (deployment, name) = self.target_deployment(&args.deployment, &context).await?;
        let removed = schedule_of(
            self.prefect.deployment_schedules(deployment.id).await?,
            schedule_id,
        )?;
        confirm(
            &Asker::of(&context),
            &format!(
                "Remove the schedule {} from deployment {}? The runs it had scheduled are \
                 deleted with it.",
                removed.described(),
                crate::output::quoted(&name)
            ),
            &[schedule_id.to_string()],
        )
        .await?;
        self.prefect
            .delete_deployment_schedule(deployment.id, schedule_id)
            .await?;
        let schedules = self.prefect.deployment_schedules(deployment.id).await?;
        Ok(Json(ScheduleRemoved {
            deployment: name,
            removed,
            schedules,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crons_are_checked_before_prefect_sees_them() {
        assert_eq!(cron(" 0  3 * * * ").unwrap(), "0 3 * * *");
        assert_eq!(cron("@daily").unwrap(), "@daily");
        assert_eq!(cron("30 2 * * MON-FRI").unwrap(), "30 2 * * MON-FRI");
        for bad in ["3am", "0 3 * *", "0 3 * * * * *", "0 3 * * $"] {
            let error = cron(bad).unwrap_err().to_string();
            assert!(error.contains("5 fields"), "{bad}: {error}");
        }
    }

    #[test]
    fn timezones_are_names() {
        assert_eq!(
            timezone("America/Argentina/Buenos_Aires").unwrap(),
            "America/Argentina/Buenos_Aires"
        );
        assert!(timezone("Europe/Paris; DROP").is_err());
        assert!(timezone("").is_err());
    }
}
