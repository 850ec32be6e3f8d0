//! The audit trail of writes. The dispatch writes one line at info per tool call (tool,
//! outcome, duration); for a write it is marked `kind=write` and names the target here, so that
//! every change made through the server leaves exactly one line saying what was changed, how it
//! ended and, once the caller is known (OAuth identity), who asked.
//!
//! Tools call [`target`] (or [`runs`]) as soon as they know what they act on, before asking or
//! writing, so that a declined or failed write names its target too.

use std::fmt::Display;

use rmcp::model::JsonObject;
use serde_json::Value;

use crate::output::{cap_text, FlowRunView};
use crate::telemetry;

/// Span fields the dispatch declares for these records.
pub const TARGET_ID: &str = "target_id";
pub const TARGET_NAME: &str = "target_name";
/// Filled by the dispatch from the caller's identity when there is one; absent otherwise.
pub const CALLER: &str = "caller";

/// How many run ids a bulk write's line lists.
const IDS_SHOWN: usize = 20;
/// The longest argument a line names as the target before the tool names the object.
const ARGUMENT_CHARS: usize = 200;

/// Name the object this call writes to.
pub fn target(id: impl Display, name: Option<&str>) {
    let span = tracing::Span::current();
    let id = id.to_string();
    telemetry::span_attribute("prefect.target.id", || id.clone());
    span.record(TARGET_ID, id);
    if let Some(name) = name {
        telemetry::span_attribute("prefect.target.name", || name.to_string());
        span.record(TARGET_NAME, name);
    }
}

/// Name the runs a bulk write acts on: their ids (the first 20, then how many more).
pub fn runs(runs: &[FlowRunView]) {
    let mut ids: Vec<String> = runs
        .iter()
        .take(IDS_SHOWN)
        .map(|r| r.id.to_string())
        .collect();
    if runs.len() > IDS_SHOWN {
        ids.push(format!("and {} more", runs.len() - IDS_SHOWN));
    }
    let span = tracing::Span::current();
    let (ids, name) = (ids.join(","), format!("{} flow runs", runs.len()));
    telemetry::span_attribute("prefect.target.id", || ids.clone());
    telemetry::span_attribute("prefect.target.name", || name.clone());
    span.record(TARGET_ID, ids);
    span.record(TARGET_NAME, name);
}

/// Before a write runs, its line names what the caller pointed at: the first required argument
/// of the tool's schema (a run id, a deployment's name), so that no write goes unnamed, even
/// one that fails before it finds its object. The tool overwrites it with the object's id and
/// name once it knows them ([`target`]).
pub fn preset_from_arguments(input_schema: &JsonObject, arguments: Option<&JsonObject>) {
    let first_required = input_schema
        .get("required")
        .and_then(Value::as_array)
        .and_then(|names| names.iter().filter_map(Value::as_str).next());
    let Some(given) = first_required
        .and_then(|name| arguments?.get(name))
        .and_then(Value::as_str)
    else {
        return;
    };
    let span = tracing::Span::current();
    match uuid::Uuid::parse_str(given.trim()) {
        Ok(id) => span.record(TARGET_ID, id.to_string()),
        Err(_) => span.record(TARGET_NAME, cap_text(given, ARGUMENT_CHARS)),
    };
}
