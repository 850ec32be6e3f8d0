//! Concurrency limit tools: list_concurrency_limits, set_concurrency_limit,
//! reset_concurrency_limit, delete_concurrency_limit.

use rmcp::service::RequestContext;
use rmcp::{tool, tool_router, Json, RoleServer};
use schemars::JsonSchema;
use serde::Deserialize;

use super::args::{tool_args, Parameters};
use crate::errors::{ArgumentError, ToolError};
use crate::mcp::ask::{confirm_target, Asker};
use crate::mcp::audit;
use crate::mcp::declarations::Declaration;
use crate::mcp::server::McpServer;
use crate::output::{
    quoted, ConcurrencyLimitList, ConcurrencyLimitReset, ConcurrencyLimitSet, ConcurrencyLimitView,
    Deleted,
};
use crate::prefect::concurrency::{check_limit_name, LimitSettings};

pub(crate) const DECLARED: &[Declaration] = &[
    Declaration::reads("list_concurrency_limits"),
    Declaration::writes("set_concurrency_limit").idempotent(),
    Declaration::destroys("reset_concurrency_limit").idempotent(),
    Declaration::destroys("delete_concurrency_limit"),
];

/// The most slots a limit may have here: beyond any real use, and well inside Prefect's range.
const MAX_SLOTS: i64 = 1_000_000;

tool_args! {
    pub struct ListConcurrencyLimitsArgs paged {}
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetConcurrencyLimitArgs {
    /// Limit name; a tag's limit is named "tag:<tag>".
    pub name: String,
    /// How many slots can be held at once (0 lets nothing through).
    pub limit: i64,
    /// false turns the limit off (everything passes) without deleting it.
    #[serde(default)]
    pub active: Option<bool>,
    /// Slots freed per second, for a rate limit (0: none).
    #[serde(default)]
    pub slot_decay_per_second: Option<f64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitNameArgs {
    /// Limit name (a tag's limit is "tag:<tag>").
    pub name: String,
}

impl SetConcurrencyLimitArgs {
    fn settings(&self) -> Result<LimitSettings, ToolError> {
        let limit = u64::try_from(self.limit)
            .ok()
            .filter(|_| self.limit <= MAX_SLOTS)
            .ok_or(ArgumentError::OutOfRange {
                field: "limit",
                min: 0,
                max: MAX_SLOTS,
                got: self.limit,
                hint: "0 lets nothing through; active: false turns the limit off",
            })?;
        if let Some(decay) = self.slot_decay_per_second {
            if !decay.is_finite() || decay < 0.0 {
                return Err(ArgumentError::Decode {
                    path: "slot_decay_per_second".into(),
                    problem: format!("{decay} is not a rate: give 0 or more slots per second"),
                }
                .into());
            }
        }
        Ok(LimitSettings {
            limit,
            active: self.active,
            slot_decay_per_second: self.slot_decay_per_second,
        })
    }
}

/// How a limit reads in a question: its name, size and use.
fn described(limit: &ConcurrencyLimitView) -> String {
    format!(
        "concurrency limit {} ({} of {} slots held{})",
        quoted(&limit.name),
        limit.active_slots,
        limit.limit,
        if limit.active { "" } else { ", inactive" }
    )
}

impl McpServer {
    /// The limit named, once the user has said yes to `question` about it as it is now.
    async fn confirmed_limit<'a>(
        &self,
        given: &'a str,
        context: &RequestContext<RoleServer>,
        question: impl FnOnce(&ConcurrencyLimitView) -> String,
    ) -> Result<(&'a str, ConcurrencyLimitView), ToolError> {
        let name = check_limit_name(given)?;
        let limit = self.prefect.read_concurrency_limit(name).await?;
        confirm_target(
            &Asker::of(context),
            limit.id,
            Some(&limit.name),
            &question(&limit),
        )
        .await?;
        Ok((name, limit))
    }
}

#[tool_router(router = concurrency_tools, vis = "pub(crate)")]
impl McpServer {
    /// List global and tag ("tag:<tag>") concurrency limits by name: size, slots held and
    /// the runs holding them, whether full (work that needs a full limit waits).
    #[tool]
    async fn list_concurrency_limits(
        &self,
        Parameters(args): Parameters<ListConcurrencyLimitsArgs>,
    ) -> Result<Json<ConcurrencyLimitList>, ToolError> {
        let (limit, offset) = args.page()?;
        self.prefect
            .list_concurrency_limits(limit, offset)
            .await
            .map(Json)
    }

    /// Create a global concurrency limit, or change the one of that name (held slots stay);
    /// the answer has the previous settings.
    #[tool]
    async fn set_concurrency_limit(
        &self,
        Parameters(args): Parameters<SetConcurrencyLimitArgs>,
    ) -> Result<Json<ConcurrencyLimitSet>, ToolError> {
        let name = check_limit_name(&args.name)?;
        let settings = args.settings()?;
        let (created, previous, concurrency_limit) =
            match self.prefect.find_concurrency_limit(name).await? {
                None => {
                    let made = self
                        .prefect
                        .create_concurrency_limit(name, &settings)
                        .await?;
                    (true, None, made)
                }
                Some(previous) => {
                    let changed = self
                        .prefect
                        .update_concurrency_limit(name, &settings)
                        .await?;
                    (false, Some(previous), changed)
                }
            };
        audit::target(concurrency_limit.id, Some(&concurrency_limit.name));
        Ok(Json(ConcurrencyLimitSet {
            created,
            previous,
            concurrency_limit,
        }))
    }

    /// Free every slot of a concurrency limit (leaked by crashed work), after the user
    /// confirms; running work keeps running.
    #[tool]
    async fn reset_concurrency_limit(
        &self,
        Parameters(args): Parameters<LimitNameArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<ConcurrencyLimitReset>, ToolError> {
        let (name, limit) = self
            .confirmed_limit(&args.name, &context, |limit| {
                format!(
                    "Free every slot of {}? Work waiting on it may start at once; work that \
                     still runs keeps running, without a slot.",
                    described(limit)
                )
            })
            .await?;
        let concurrency_limit = self.prefect.reset_concurrency_limit(name).await?;
        Ok(Json(ConcurrencyLimitReset {
            freed_slots: limit.active_slots,
            concurrency_limit,
        }))
    }

    /// Delete a concurrency limit, after the user confirms.
    #[tool]
    async fn delete_concurrency_limit(
        &self,
        Parameters(args): Parameters<LimitNameArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<Deleted>, ToolError> {
        let (name, limit) = self
            .confirmed_limit(&args.name, &context, |limit| {
                format!(
                    "Delete {}? Work that used it then runs unlimited by it. This cannot be \
                     undone.",
                    described(limit)
                )
            })
            .await?;
        self.prefect.delete_concurrency_limit(name).await?;
        Ok(Json(Deleted {
            id: limit.id,
            message: format!("Concurrency limit {} was deleted.", quoted(&limit.name)),
            name: limit.name,
            deleted: true,
        }))
    }
}
