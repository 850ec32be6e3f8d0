//! `prefect-mcp-server` as a library: the MCP handler, its tools and transports.
//!
//! The binary (`main.rs`) is a thin CLI over this; the crate's own tests drive the tools in
//! process through [`server::PrefectServer::call_in_process`], against a scripted Prefect.

pub mod apps;
pub mod ask;
pub mod cli;
pub mod completions;
pub mod config;
pub mod errors;
pub mod output;
pub mod prompts;
pub mod resources;
pub mod server;
pub mod skill;
pub mod subscriptions;
pub mod tasks;
pub mod tools;
pub mod transport;
