//! The MCP tools, one module per toolset ([`super::toolsets::Toolset`]; its writes in
//! `<area>_writes.rs`), in the order of the tool reference. Each module starts with `DECLARED`,
//! what its tools declare about themselves ([`super::declarations`]).
//!
//! Each tool decodes its arguments ([`args`]), asks the client if it must ([`super::ask`]), and
//! makes one call into [`crate::prefect`], whose views ([`crate::output`]) it returns. No HTTP
//! and no error wording here: failures are [`crate::errors::ToolError`]s, worded in one place.

pub mod args;
pub mod artifacts;
pub mod automation_writes;
pub mod automations;
pub mod blocks;
pub mod concurrency;
pub mod dashboard;
pub mod deployment_schedules;
pub mod deployment_writes;
pub mod deployments;
pub mod diagnose;
pub mod events;
pub mod filter;
pub mod flow_run_writes;
pub mod flow_runs;
pub mod flow_writes;
pub mod flows;
pub mod logs;
pub mod server_info;
pub mod task_runs;
pub mod variables;
pub mod work_pool_writes;
pub mod work_pools;

#[cfg(test)]
mod argument_properties;
