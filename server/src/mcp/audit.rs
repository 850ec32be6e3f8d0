//! The audit trail of writes. The call seam writes one line at info per tool call (tool,
//! outcome, duration); for a write it is marked `kind=write` and names the target here, so that
//! every change made through the server leaves exactly one line saying what was changed, how it
//! ended and, once the caller is known (OAuth identity), who asked.
//!
//! Tools call [`target`] (or [`runs`]) as soon as they know what they act on, before asking or
//! writing, so that a declined or failed write names its target too.

use std::fmt::Display;

use crate::output::FlowRunView;

/// Span fields the seam declares for these records.
pub const TARGET_ID: &str = "target_id";
pub const TARGET_NAME: &str = "target_name";
/// Filled by the seam from the caller's identity when there is one; absent otherwise.
pub const CALLER: &str = "caller";

/// How many run ids a bulk write's line lists.
const IDS_SHOWN: usize = 20;

/// Name the object this call writes to.
pub fn target(id: impl Display, name: Option<&str>) {
    let span = tracing::Span::current();
    span.record(TARGET_ID, id.to_string());
    if let Some(name) = name {
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
    span.record(TARGET_ID, ids.join(","));
    span.record(TARGET_NAME, format!("{} flow runs", runs.len()));
}
