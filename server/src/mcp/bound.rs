//! Bounded answers: one rule, applied to every tool result at the dispatch
//! ([`super::dispatch`]), so that no answer floods a model's context,
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

use crate::errors::ToolError;
use crate::output::cap_text;

mod cut;
mod size;

use cut::cut_to_budget;
use size::{json_len, measure_against};

/// The longest string returned whole, in characters.
pub const MAX_STRING_CHARS: usize = 4000;
/// The largest structured result, in bytes of compact JSON. The text copy of it that MCP
/// results carry for older clients doubles what goes over the wire.
pub const MAX_RESULT_BYTES: usize = 32 * 1024;
/// An object with more keys than this is a map of data (flow run parameters, event payloads),
/// not a view with fixed fields, and may lose entries.
pub(super) const MIN_MAP_KEYS: usize = 16;
/// Passes of list shortening before giving up on a shape that will not shrink.
pub(super) const MAX_PASSES: usize = 16;

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
/// Most results are under the budget and hold no long string: their size is their text twin's
/// length (rmcp serialised it once), they are not serialised again, and they leave with that
/// twin. Only a result over the budget is cut, which may take more passes.
pub fn bound_result(mut result: CallToolResult) -> Result<CallToolResult, usize> {
    match result.structured_content.take() {
        Some(mut value) => {
            let strings_cut = cap_strings(&mut value);
            let twin = match result.content.as_slice() {
                [block] => block.as_text().map(|text| text.text.as_bytes()),
                _ => None,
            };
            // A tool's structured result comes with its compact JSON as text twin (rmcp's
            // `Json` serialises the value once for it): while no string was cut, the twin's
            // length is the value's size, and the value is not serialised again.
            let size = match twin {
                Some(twin) if strings_cut == 0 => {
                    debug_assert!(
                        measure_against(&value, Some(twin)).1,
                        "a text twin that is not the structured result's JSON"
                    );
                    twin.len()
                }
                _ => json_len(&value),
            };
            if strings_cut == 0 && size <= MAX_RESULT_BYTES {
                // Nothing to cut: the text twin stays as serialised (made when there is none).
                if twin.is_none() {
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

/// A tool's result within the size bound, or the error saying it would be too large.
pub fn bounded(result: CallToolResult) -> CallToolResult {
    bound_result(result).unwrap_or_else(|bytes| {
        ToolError::AnswerTooLarge {
            bytes,
            limit: MAX_RESULT_BYTES,
        }
        .into_result()
    })
}

/// Bound `value` in place; `None` when nothing had to go.
pub fn bound_value(value: &mut Value) -> Result<Option<Truncation>, usize> {
    let strings_cut = cap_strings(value);
    let size = json_len(value);
    cut_to_budget(value, strings_cut, size)
}

/// Whether `text` has more characters than the cap; a text of no more bytes cannot, and is not
/// counted (most are).
fn longer_than_cap(text: &str) -> bool {
    text.len() > MAX_STRING_CHARS && text.chars().count() > MAX_STRING_CHARS
}

/// Cut every string (and map key) longer than the cap; how many were cut.
fn cap_strings(value: &mut Value) -> usize {
    match value {
        Value::String(text) if longer_than_cap(text) => {
            *text = cap_text(text, MAX_STRING_CHARS);
            1
        }
        Value::Array(items) => items.iter_mut().map(cap_strings).sum(),
        Value::Object(fields) => {
            let long_keys: Vec<String> = fields
                .keys()
                .filter(|k| longer_than_cap(k))
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

    /// The size is read off the twin, so a twin that is not the JSON would be measured wrong:
    /// debug builds (every test) stop on it; the fast tier calls every tool through the dispatch.
    #[test]
    #[should_panic(expected = "not the structured result's JSON")]
    fn a_text_twin_that_is_not_the_json_is_caught_in_tests() {
        let mut result = CallToolResult::structured(json!({"a": 1}));
        result.content = vec![ContentBlock::text(r#"{"a":2}"#)];
        let _ = bound_result(result);
    }

    #[test]
    fn a_result_without_a_twin_gets_one() {
        let mut result = CallToolResult::structured(json!({"a": 1}));
        result.content.clear();
        let bounded = bound_result(result).unwrap();
        assert_eq!(bounded.content[0].as_text().unwrap().text, r#"{"a":1}"#);
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
