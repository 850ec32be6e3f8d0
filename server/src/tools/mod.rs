//! The MCP tools, one module per Prefect area, in the order of the tool reference.
//!
//! Each tool parses its arguments ([`args`]), makes typed calls through `prefect-api`, and shapes
//! the answer ([`crate::output`]). No HTTP and no error wording here: failures are
//! [`crate::errors::ToolError`]s, worded in one place.

pub mod args;
pub mod automations;
pub mod dashboard;
pub mod deployments;
pub mod diagnose;
pub mod events;
pub mod filter;
pub mod flow_runs;
pub mod flows;
pub mod logs;
pub mod server_info;
pub mod states;
pub mod task_runs;
pub mod work_pools;

#[cfg(test)]
mod fuzz;
