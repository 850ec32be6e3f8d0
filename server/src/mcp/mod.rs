//! The MCP layer: everything that knows rmcp. It answers MCP requests by calling down into the
//! Prefect layer (`crate::prefect`), never the reverse.
//!
//! - [`handler`]: the rmcp `ServerHandler`, its state and capabilities;
//! - [`seam`]: the call seam every `tools/call` passes (credentials, span, argument errors, size
//!   bound);
//! - [`toolsets`]: the [`toolsets::Toolset`] enum, the read-only filter, the tool router;
//! - [`tools`]: one module per toolset, `#[tool]` fns that decode arguments, ask if needed, and
//!   make one call into `crate::prefect`;
//! - [`prompts`] (one file per prompt), [`resources`], [`completions`], [`subscriptions`],
//!   [`tasks`], [`skill`], and [`ask`] (asking the client for what a call is missing).

pub mod ask;
pub mod completions;
pub mod handler;
pub mod prompts;
pub mod resources;
pub mod seam;
pub mod skill;
pub mod subscriptions;
pub mod tasks;
pub mod tools;
pub mod toolsets;

pub use handler::PrefectServer;
pub use toolsets::{ServerOptions, Toolset};
