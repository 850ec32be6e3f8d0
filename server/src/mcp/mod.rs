//! The MCP layer: everything that knows rmcp. It answers MCP requests by calling down into the
//! Prefect layer (`crate::prefect`), never the reverse.
//!
//! - [`server`]: the server value (configuration, Prefect layer, routers);
//! - [`handler`]: the rmcp `ServerHandler`: capabilities, and each request sent on;
//! - [`dispatch`]: the dispatch every `tools/call` passes (credentials, span, argument errors, size
//!   bound);
//! - [`toolsets`]: the [`toolsets::Toolset`] enum, the read-only filter, the tool router;
//! - [`tools`]: one module per toolset, `#[tool]` fns that decode arguments, ask if needed, and
//!   make one call into `crate::prefect`;
//! - [`prompts`] (one file per prompt), [`resources`], [`completions`], [`subscriptions`],
//!   [`tasks`], [`skill`], and [`ask`] (asking the client for what a call is missing);
//! - [`apps`]: the MCP Apps views (`ui://` resources) and the tools' `_meta.ui` for clients
//!   that render them.

pub mod apps;
pub mod ask;
pub mod audit;
pub mod bound;
pub mod caller;
pub mod completions;
pub mod credentials;
pub mod declarations;
pub mod dispatch;
pub mod handler;
pub mod instructions;
pub mod prompts;
pub mod resources;
pub mod server;
pub mod skill;
pub mod subscriptions;
pub mod tasks;
pub mod tool_schemas;
pub mod tools;
pub mod toolsets;

pub use credentials::PerRequestAuth;
pub use server::McpServer;
pub use toolsets::{ServerOptions, Toolset};
