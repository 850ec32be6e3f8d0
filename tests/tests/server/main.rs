//! The server as a process: its tool list, read-only mode, configuration, failures of Prefect,
//! the CLI subcommands, and a stdin that is not clean JSON-RPC.

mod cli;
mod configuration;
mod prefect_failures;
mod stdio;
mod tool_list;
