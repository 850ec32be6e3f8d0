//! Cutting a result over the budget: entries go from the end of its largest lists (or maps of
//! data), pass by pass, until it fits; what went is recorded for its `truncated` field.

use serde_json::Value;

use super::size::{json_len, largest_container};
use super::{Truncation, MAX_PASSES, MAX_RESULT_BYTES};

/// Drop entries until `value` (`size` bytes, after `strings_cut` strings were cut) fits the
/// budget; `None` when nothing had to go. Each pass is one walk, which both sizes the result
/// and finds the container to cut.
pub(super) fn cut_to_budget(
    value: &mut Value,
    strings_cut: usize,
    size: usize,
) -> Result<Option<Truncation>, usize> {
    let mut truncation = Truncation {
        strings_cut,
        ..Default::default()
    };
    let mut size = size;
    // The container to cut, when the walk that measured `size` found it.
    let mut walked = None;
    let mut passes = 0;
    while size > MAX_RESULT_BYTES {
        passes += 1;
        if passes > MAX_PASSES {
            return Err(size);
        }
        let largest = walked.take().unwrap_or_else(|| largest_container(value).1);
        let Some((_, path)) = largest else {
            return Err(size);
        };
        let dropped = shrink(value, &path, size - MAX_RESULT_BYTES);
        if dropped == 0 {
            return Err(size);
        }
        // Reported as a readable JSON path; the path itself stayed a list of segments.
        let key = if path.is_empty() {
            "(top level)".to_string()
        } else {
            path.join(".")
        };
        let before = truncation
            .items_dropped
            .get(&key)
            .and_then(Value::as_u64)
            .unwrap_or(0);
        truncation
            .items_dropped
            .insert(key, Value::from(before + dropped as u64));
        let (shrunk, largest) = largest_container(value);
        size = shrunk;
        walked = Some(largest);
    }
    if truncation.strings_cut == 0 && truncation.items_dropped.is_empty() {
        return Ok(None);
    }
    truncation.hint = if truncation.items_dropped.is_empty() {
        "Long texts keep their start and end. For a complete log use get_flow_run_logs, \
         which pages with offset."
            .into()
    } else {
        format!(
            "The answer was cut to {} KB. Ask for fewer items (a smaller limit), page with \
             offset, or narrow the filter.",
            MAX_RESULT_BYTES / 1024
        )
    };
    Ok(Some(truncation))
}

fn container_at<'a>(value: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    let mut current = value;
    for segment in path {
        current = match current {
            Value::Array(items) => items.get_mut(segment.parse::<usize>().ok()?)?,
            Value::Object(fields) => fields.get_mut(segment)?,
            _ => return None,
        };
    }
    Some(current)
}

/// Drop entries from the end of the container at `path` until about `excess` bytes are gone
/// (at least one); how many were dropped. A sibling `count` that counted the list follows it.
fn shrink(root: &mut Value, path: &[String], excess: usize) -> usize {
    let Some(container) = container_at(root, path) else {
        return 0;
    };
    let (dropped, before, after) = match container {
        Value::Array(items) => {
            let before = items.len();
            let mut freed = 0;
            while freed < excess && !items.is_empty() {
                let last = items.pop().expect("not empty");
                freed += json_len(&last) + 1;
            }
            (before - items.len(), before, items.len())
        }
        Value::Object(fields) => {
            let before = fields.len();
            let mut freed = 0;
            while freed < excess && !fields.is_empty() {
                let Some(key) = fields.keys().next_back().cloned() else {
                    break;
                };
                let v = fields.remove(&key).expect("present");
                freed += key.len() + json_len(&v) + 4;
            }
            (before - fields.len(), before, fields.len())
        }
        _ => return 0,
    };
    // `{"flow_runs": [...], "count": n}`: the count says how many the answer holds.
    let parent = path
        .split_last()
        .and_then(|(_, parent)| container_at(root, parent));
    if let Some(Value::Object(fields)) = parent {
        if fields.get("count").and_then(Value::as_u64) == Some(before as u64) {
            fields.insert("count".into(), Value::from(after as u64));
        }
    }
    dropped
}
