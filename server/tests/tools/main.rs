//! The fast tier: every tool called in this process, through the same dispatch as MCP `tools/call`,
//! against a scripted Prefect (mockito) answering with bodies captured from a real one. No
//! Prefect, Python or built binary is needed: `cargo test -p prefect-mcp-server`.
//!
//! Each test checks what reached Prefect (path, method, body) and what the tool made of the
//! answer; argument errors are shown to send nothing at all.

mod fixtures;
mod harness;
mod person;
mod raw_session;
mod snapshots;
mod typescript;

mod architecture;
mod automation_writes;
mod concurrency;
mod confirmations;
mod declarations;
mod deployments;
mod dispatch;
mod failures;
mod filters;
mod flow_runs;
mod flows;
mod observability;
mod ops_writes;
mod overview;
mod pool_settings;
mod run_writes;
mod session_tasks;
mod states;
mod tasks;
mod tool_list;
mod tool_reference;
mod view_types;
mod writes;
