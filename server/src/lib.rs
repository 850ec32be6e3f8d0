//! `prefect-mcp-server` as a library: two layers and their leaves.
//!
//! - [`prefect`]: the Prefect layer, a [`prefect::Prefect`] holding the client, with the
//!   operations everything shares; it knows nothing of MCP;
//! - [`mcp`]: the MCP layer over it (handler, dispatch, toolsets, tools, prompts, resources,
//!   completions, subscriptions, tasks, skill, asking);
//! - [`output`] (views) and [`errors`] (typed errors and their wording): leaves both layers use;
//! - [`prefect_connection`]: where Prefect is and how to sign in, from flags, environment and
//!   Prefect's profiles.
//!
//! The binary (`main.rs`) is a thin CLI over this; the crate's own tests drive the tools in
//! process through [`mcp::McpServer::call_in_process`], against a scripted Prefect.

pub mod errors;
pub mod mcp;
pub mod output;
pub mod prefect;
pub mod prefect_connection;
pub mod subcommands;
pub mod telemetry;
pub mod transport;
