//! The dispatch's size bound (`prefect_mcp_server::mcp::bound::bound_result`), timed on its own:
//! what every tool call pays after the tool answered, for a result under the budget (kept
//! whole) and one over it (cut). No Prefect is needed: the results are built here, shaped like
//! `list_flow_runs` answers. Next to it, the way the dispatch worked before it serialised once: the
//! result serialised again to measure it, and its text twin rebuilt whatever the size.

use std::time::{Duration, Instant};

use prefect_mcp_server::mcp::bound::{bound_result, bound_value, MAX_RESULT_BYTES};
use rmcp::model::CallToolResult;
use serde_json::{json, Value};

/// Results bounded per measure; each is built before the clock starts.
const CALLS: usize = 200;

/// A `list_flow_runs` answer with `runs` flow runs, about 600 bytes each.
fn flow_runs(runs: usize) -> Value {
    let runs: Vec<Value> = (0..runs)
        .map(|i| {
            json!({
                "id": format!("0b6f3c52-8d1e-4a7b-9c2d-{i:012}"),
                "name": format!("crimson-falcon-{i}"),
                "flow_id": "5f1d2c3b-4a59-4e8f-8a7b-6c5d4e3f2a1b",
                "flow_name": "etl-nightly",
                "deployment_id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
                "state_type": "COMPLETED",
                "state_name": "Completed",
                "state_message": "All states completed.",
                "start_time": "2026-12-03T02:00:01.123456Z",
                "end_time": "2026-12-03T02:04:17.654321Z",
                "total_run_time": 256.53,
                "run_count": 1,
                "tags": ["nightly", "etl", "warehouse"],
                "parameters": {"date": "2026-12-02", "full_refresh": false, "tables": ["orders", "customers"]},
                "work_pool_name": "k8s-default",
                "work_queue_name": "default",
                "parent_task_run_id": null,
            })
        })
        .collect();
    json!({"flow_runs": runs, "count": runs.len()})
}

/// The baseline for a result under the budget, as the dispatch worked before: strings capped and
/// the result measured ([`bound_value`]), then serialised once more for a new text twin although
/// rmcp had already serialised one.
fn bound_by_serialising_twice(mut result: CallToolResult) -> Option<CallToolResult> {
    let mut value = result.structured_content.take()?;
    bound_value(&mut value).ok()?;
    result.content = vec![rmcp::model::ContentBlock::text(value.to_string())];
    result.structured_content = Some(value);
    Some(result)
}

/// Mean time of one `bound` call on a result with `runs` flow runs, and the result's size.
fn per_call(
    runs: usize,
    bound: impl Fn(CallToolResult) -> Option<CallToolResult>,
) -> (Duration, usize) {
    let value = flow_runs(runs);
    let size = value.to_string().len();
    let results: Vec<CallToolResult> = (0..CALLS)
        .map(|_| CallToolResult::structured(value.clone()))
        .collect();
    let started = Instant::now();
    let bounded: Vec<_> = results
        .into_iter()
        .map(|result| std::hint::black_box(bound(std::hint::black_box(result))))
        .collect();
    let elapsed = started.elapsed();
    // Freeing the results is the same whichever way they were bounded: not timed.
    drop(bounded);
    (elapsed / CALLS as u32, size)
}

/// The table's lines for the dispatch's bound.
pub fn lines() -> Vec<String> {
    let mut lines: Vec<String> = [40, 200]
        .into_iter()
        .map(|runs| {
            let (elapsed, size) = per_call(runs, |result| bound_result(result).ok());
            format!(
                "| size bound at the dispatch, {runs} flow runs ({:.0} KB{}) | {:.1} µs/call | |",
                size as f64 / 1024.0,
                if size > MAX_RESULT_BYTES {
                    ", cut"
                } else {
                    ", kept"
                },
                elapsed.as_secs_f64() * 1e6
            )
        })
        .collect();
    let (twice, _) = per_call(40, bound_by_serialising_twice);
    lines.insert(
        1,
        format!(
            "| same 40 runs, serialised again to measure and for the text twin (before) | {:.1} µs/call | |",
            twice.as_secs_f64() * 1e6
        ),
    );
    lines
}
