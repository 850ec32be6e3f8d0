//! Bounded answers: one rule, applied to every tool result at the call seam
//! ([`crate::mcp::seam`]), so that no answer floods a model's context,
//! whichever tool produced it and whatever Prefect sent.
//!
//! - Every string in a result is cut to [`MAX_STRING_CHARS`], keeping its start and its end (the
//!   end of a traceback is the exception) around a marker that says how much was cut.
//! - A result whose JSON is still over [`MAX_RESULT_BYTES`] loses items from the end of its
//!   largest lists (or entries of its largest maps) until it fits; a top-level `truncated`
//!   field says what was dropped and how to get the rest, and a list's `count` is corrected.
//! - Whatever still does not fit (which takes a pathological shape) becomes an error asking
//!   for less, never an oversized answer.
//!
//! Cutting only shortens strings and lists, so a bounded result still conforms to the tool's
//! output schema.

use rmcp::model::{CallToolResult, ContentBlock};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};

/// The longest string returned whole, in characters.
pub const MAX_STRING_CHARS: usize = 4000;
/// The largest structured result, in bytes of compact JSON. The text copy of it that MCP
/// results carry for older clients doubles what goes over the wire.
pub const MAX_RESULT_BYTES: usize = 32 * 1024;
/// An object with more keys than this is a map of data (flow run parameters, event payloads),
/// not a view with fixed fields, and may lose entries.
const MIN_MAP_KEYS: usize = 16;
/// Passes of list shortening before giving up on a shape that will not shrink.
const MAX_PASSES: usize = 16;

/// `text` cut to about `max_chars`, keeping its start and its end; the marker says how much was
/// cut.
pub fn cap_text(text: &str, max_chars: usize) -> String {
    let total = text.chars().count();
    if total <= max_chars {
        return text.to_string();
    }
    let head = max_chars / 2;
    let tail = max_chars - head;
    let omitted = total - head - tail;
    let start: String = text.chars().take(head).collect();
    let end: String = text.chars().skip(total - tail).collect();
    format!("{start}\n…(truncated: {omitted} of {total} chars omitted)…\n{end}")
}

/// What bounding removed from a result, reported in its `truncated` field.
#[derive(Debug, Default, Serialize, JsonSchema, PartialEq)]
pub struct Truncation {
    /// How many strings were cut (each keeps its start and end around a marker).
    #[serde(skip_serializing_if = "is_zero")]
    pub strings_cut: usize,
    /// Items left out, per list (as a JSON path such as `flow_runs`), from the end.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub items_dropped: Map<String, Value>,
    /// How to get what was left out.
    pub hint: String,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The result as it may leave the server. `Err` carries the size of a result that could not be
/// brought under the budget.
///
/// Most results are under the budget and hold no long string: they are measured once (a
/// counting pass, nothing built) and leave with the text twin rmcp already serialised. Only a
/// result over the budget is cut, which may take more passes.
pub fn bound_result(mut result: CallToolResult) -> Result<CallToolResult, usize> {
    match result.structured_content.take() {
        Some(mut value) => {
            let strings_cut = cap_strings(&mut value);
            let twin = match result.content.as_slice() {
                [block] => block.as_text().map(|text| text.text.as_bytes()),
                _ => None,
            };
            let (size, twin_is_same) = measure_against(&value, twin);
            if strings_cut == 0 && size <= MAX_RESULT_BYTES {
                // Nothing to cut: the text twin stays as serialised, unless it is not this JSON.
                if !twin_is_same {
                    result.content = vec![ContentBlock::text(value.to_string())];
                }
                result.structured_content = Some(value);
                return Ok(result);
            }
            if let Some(truncation) = cut_to_budget(&mut value, strings_cut, size)? {
                if let Value::Object(fields) = &mut value {
                    fields.insert(
                        "truncated".into(),
                        serde_json::to_value(truncation).unwrap_or_default(),
                    );
                }
            }
            // The text twin is the same JSON, so it is rebuilt from the bounded value.
            result.content = vec![ContentBlock::text(value.to_string())];
            result.structured_content = Some(value);
        }
        None => {
            for block in &mut result.content {
                if let Some(text) = block.as_text() {
                    if text.text.len() > MAX_STRING_CHARS {
                        *block = ContentBlock::text(cap_text(&text.text, MAX_STRING_CHARS));
                    }
                }
            }
        }
    }
    Ok(result)
}

/// Bound `value` in place; `None` when nothing had to go.
pub fn bound_value(value: &mut Value) -> Result<Option<Truncation>, usize> {
    let strings_cut = cap_strings(value);
    let size = json_len(value);
    cut_to_budget(value, strings_cut, size)
}

/// Drop entries until `value` (`size` bytes, after `strings_cut` strings were cut) fits the
/// budget; `None` when nothing had to go. Each pass is one walk, which both sizes the result
/// and finds the container to cut.
fn cut_to_budget(
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

/// A sink for serde_json that keeps no byte: it counts them, and checks them against
/// `expected` (a text already serialised) as they come.
struct Measure<'a> {
    written: usize,
    expected: Option<&'a [u8]>,
}

impl std::io::Write for Measure<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let end = self.written + bytes.len();
        if let Some(expected) = self.expected {
            if expected.get(self.written..end) != Some(bytes) {
                self.expected = None;
            }
        }
        self.written = end;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The compact JSON size of `value`, and whether that JSON is `expected` byte for byte; one
/// serialisation that builds nothing.
fn measure_against<T: Serialize + ?Sized>(value: &T, expected: Option<&[u8]>) -> (usize, bool) {
    let mut sink = Measure {
        written: 0,
        expected,
    };
    match serde_json::to_writer(&mut sink, value) {
        Ok(()) => {
            let same = sink.expected.is_some_and(|e| e.len() == sink.written);
            (sink.written, same)
        }
        Err(_) => (usize::MAX, false),
    }
}

fn json_len<T: Serialize + ?Sized>(value: &T) -> usize {
    measure_against(value, None).0
}

/// Cut every string (and map key) longer than the cap; how many were cut.
fn cap_strings(value: &mut Value) -> usize {
    match value {
        Value::String(text) if text.chars().count() > MAX_STRING_CHARS => {
            *text = cap_text(text, MAX_STRING_CHARS);
            1
        }
        Value::Array(items) => items.iter_mut().map(cap_strings).sum(),
        Value::Object(fields) => {
            let long_keys: Vec<String> = fields
                .keys()
                .filter(|k| k.chars().count() > MAX_STRING_CHARS)
                .cloned()
                .collect();
            let cut = long_keys.len();
            for key in long_keys {
                if let Some(v) = fields.remove(&key) {
                    fields.insert(cap_text(&key, MAX_STRING_CHARS), v);
                }
            }
            cut + fields.values_mut().map(cap_strings).sum::<usize>()
        }
        _ => 0,
    }
}

/// A container that may lose entries: its size and its path.
type Found = Option<(usize, Vec<String>)>;

/// The path of the container holding the most bytes that may lose entries (a non-empty list,
/// or a map of data), and its size. A path is a list of segments (keys, and list indexes as
/// text), never a joined string: keys may hold dots (`"s3.paths"`).
///
/// One walk: each value's serialised size is added up from its children's, so no subtree is
/// serialised twice; the first item is the whole value's size.
fn largest_container(value: &Value) -> (usize, Found) {
    /// The subtree's size and its largest container.
    fn walk(value: &Value, path: &mut Vec<String>) -> (usize, Found) {
        let mut children: Vec<Found> = Vec::new();
        let (size, own) = match value {
            Value::Array(items) => {
                let mut size = 2 + items.len().saturating_sub(1);
                for (i, item) in items.iter().enumerate() {
                    path.push(i.to_string());
                    let (child, found) = walk(item, path);
                    path.pop();
                    size += child;
                    children.push(found);
                }
                (size, !items.is_empty())
            }
            Value::Object(fields) => {
                let mut size = 2 + fields.len().saturating_sub(1);
                for (key, field) in fields {
                    path.push(key.clone());
                    let (child, found) = walk(field, path);
                    path.pop();
                    size += json_len(key.as_str()) + 1 + child;
                    children.push(found);
                }
                (size, fields.len() > MIN_MAP_KEYS)
            }
            other => return (json_len(other), None),
        };
        let mut best = own.then(|| (size, path.clone()));
        for found in children.into_iter().flatten() {
            // The deeper container wins a tie, and a child as large as its parent is the one
            // to cut (a list inside a one-field wrapper).
            if best.as_ref().is_none_or(|(largest, _)| found.0 >= *largest) {
                best = Some(found);
            }
        }
        (size, best)
    }
    walk(value, &mut Vec::new())
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn short_text_is_kept_whole() {
        assert_eq!(cap_text("ünï", 3), "ünï");
    }

    #[test]
    fn long_text_keeps_start_and_end_with_a_marker() {
        let text = format!("Traceback{}ValueError: boom", "x".repeat(5000));
        let capped = cap_text(&text, 100);
        assert!(capped.starts_with("Traceback"), "{capped}");
        assert!(capped.ends_with("ValueError: boom"), "{capped}");
        assert!(
            capped.contains(&format!(
                "truncated: {} of {} chars omitted",
                text.len() - 100,
                text.len()
            )),
            "{capped}"
        );
    }

    #[test]
    fn capping_counts_characters_not_bytes() {
        let capped = cap_text(&"ü".repeat(10), 4);
        assert!(
            capped.starts_with("üü\n") && capped.ends_with("\nüü"),
            "{capped}"
        );
    }

    #[test]
    fn a_huge_string_field_is_cut_and_reported() {
        let mut value = json!({"id": "x", "name": "n".repeat(30_000_000)});
        let truncation = bound_value(&mut value).unwrap().unwrap();
        assert_eq!(truncation.strings_cut, 1);
        assert!(json_len(&value) < 5_000, "{}", json_len(&value));
        assert!(value["name"].as_str().unwrap().contains("chars omitted"));
    }

    #[test]
    fn a_long_list_loses_items_from_its_end_and_its_count_follows() {
        let runs: Vec<Value> = (0..400)
            .map(|i| json!({"id": i, "name": "r".repeat(200)}))
            .collect();
        let mut value = json!({"flow_runs": runs, "count": 400});
        let truncation = bound_value(&mut value).unwrap().unwrap();
        let kept = value["flow_runs"].as_array().unwrap().len();
        assert!(kept > 100 && kept < 400, "{kept}");
        assert_eq!(value["count"], json!(kept));
        assert_eq!(
            value["flow_runs"][0]["id"],
            json!(0),
            "the first items stay"
        );
        assert_eq!(truncation.items_dropped["flow_runs"], json!(400 - kept));
        assert!(json_len(&value) <= MAX_RESULT_BYTES);
        assert!(truncation.hint.contains("offset"), "{}", truncation.hint);
    }

    #[test]
    fn a_huge_parameter_map_loses_entries() {
        let params: Map<String, Value> = (0..5000)
            .map(|i| (format!("p{i:05}"), json!("v".repeat(20))))
            .collect();
        let mut value = json!({"flow_run": {"id": 1, "parameters": params}});
        let truncation = bound_value(&mut value).unwrap().unwrap();
        assert!(truncation.items_dropped.contains_key("flow_run.parameters"));
        assert!(json_len(&value) <= MAX_RESULT_BYTES);
        assert_eq!(value["flow_run"]["id"], json!(1));
    }

    #[test]
    fn a_dotted_key_is_found_again_and_reported() {
        // Issue 18: a flow run parameter named "s3.paths" with 4,000 items.
        let paths: Vec<Value> = (0..4000)
            .map(|i| json!(format!("s3://bucket/data/part-{i:05}.parquet")))
            .collect();
        let mut value = json!({"flow_run": {"id": 1, "parameters": {"s3.paths": paths}}});
        let truncation = bound_value(&mut value).unwrap().unwrap();
        assert!(
            truncation
                .items_dropped
                .contains_key("flow_run.parameters.s3.paths"),
            "{truncation:?}"
        );
        assert!(json_len(&value) <= MAX_RESULT_BYTES);
        let kept = value["flow_run"]["parameters"]["s3.paths"]
            .as_array()
            .unwrap();
        assert!(!kept.is_empty() && kept.len() < 4000, "{}", kept.len());
    }

    #[test]
    fn sizes_add_up_to_the_serialised_length() {
        let value = json!({"a.b": [1, "two", {"c": null}], "d": {"e\"": 3.5}, "f": []});
        let (total, largest) = largest_container(&value);
        assert_eq!(total, json_len(&value));
        let (size, path) = largest.unwrap();
        assert_eq!(size, json_len(&value["a.b"]));
        assert_eq!(path, ["a.b"]);
    }

    #[test]
    fn a_small_result_is_left_alone() {
        let mut value = json!({"flows": [{"id": 1}], "count": 1});
        let before = value.clone();
        assert_eq!(bound_value(&mut value).unwrap(), None);
        assert_eq!(value, before);
    }

    #[test]
    fn a_shape_that_cannot_shrink_is_refused() {
        // Many fixed-looking fields, each under the string cap: nothing may be dropped.
        let fields: Map<String, Value> = (0..MIN_MAP_KEYS)
            .map(|i| (format!("f{i}"), json!("x".repeat(MAX_STRING_CHARS))))
            .collect();
        let mut value = Value::Object(fields);
        assert!(bound_value(&mut value).is_err());
    }

    #[test]
    fn a_result_under_the_budget_keeps_its_text_twin() {
        let result = CallToolResult::structured(json!({"flows": [{"id": 1}], "count": 1}));
        let twin = result.content[0].as_text().unwrap().text.as_ptr();
        let bounded = bound_result(result).unwrap();
        let text = &bounded.content[0].as_text().unwrap().text;
        assert_eq!(
            text.as_ptr(),
            twin,
            "the twin was kept, not serialised again"
        );
        assert_eq!(text, r#"{"count":1,"flows":[{"id":1}]}"#);
    }

    #[test]
    fn a_text_twin_that_is_not_the_json_is_rebuilt() {
        let mut result = CallToolResult::structured(json!({"a": 1}));
        result.content = vec![ContentBlock::text(r#"{"a":2}"#)];
        let bounded = bound_result(result).unwrap();
        assert_eq!(bounded.content[0].as_text().unwrap().text, r#"{"a":1}"#);
    }

    #[test]
    fn measuring_agrees_with_serialising() {
        let value = json!({"k\u{e9}y": ["\"q\"", 1.5, null, {"x": []}], "n": -3});
        let text = value.to_string();
        assert_eq!(
            measure_against(&value, Some(text.as_bytes())),
            (text.len(), true)
        );
        assert_eq!(
            measure_against(&value, Some(&text.as_bytes()[1..])),
            (text.len(), false)
        );
        assert_eq!(measure_against(&value, None), (text.len(), false));
    }

    #[test]
    fn results_get_a_truncated_field_and_a_matching_text_twin() {
        let result = CallToolResult::structured(json!({"name": "n".repeat(10_000)}));
        let bounded = bound_result(result).unwrap();
        let value = bounded.structured_content.clone().unwrap();
        assert_eq!(value["truncated"]["strings_cut"], json!(1));
        let text = bounded.content[0].as_text().unwrap().text.clone();
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), value);
    }
}
