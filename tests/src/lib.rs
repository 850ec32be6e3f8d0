//! Harness for the end-to-end tests: find the real Prefect server and the built binary, start
//! the binary as an MCP client would (a child process over stdio), and call tools.
//!
//! There is no skipping: without a reachable Prefect server every test fails, saying how to
//! provide one (`cargo xtask test` starts one with the sample world).

pub mod event_proxy;
pub mod oauth;
pub mod raw_http;
pub mod replicas;

// One module per job; every item is re-exported here, where the tests use it
// (`use integration_tests::*;`).
mod client_scripts;
mod environment;
mod fake_prefect;
mod http_server;
mod mcp_session;
mod parked_runs;
mod raw_stdio;
mod sample_world;
mod server_binary;
mod tool_calls;

pub use client_scripts::*;
pub use environment::*;
pub use fake_prefect::*;
pub use http_server::*;
pub use mcp_session::*;
pub use parked_runs::*;
pub use raw_stdio::*;
pub use sample_world::*;
pub use server_binary::*;
pub use tool_calls::*;
