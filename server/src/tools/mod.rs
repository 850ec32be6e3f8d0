//! The MCP tools, one module per Prefect area, in the order of the tool reference.
//!
//! Each tool parses its arguments ([`args`]), makes typed calls through `prefect-api`, and shapes
//! the answer ([`crate::output`]). No HTTP and no error wording here: failures are
//! [`crate::errors::ToolError`]s, worded in one place.

pub mod args;
pub mod deployments;
pub mod filter;
pub mod flow_runs;
pub mod flows;
