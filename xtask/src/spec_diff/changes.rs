//! One-line accounts of how an operation or a schema changed.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Keys whose change alters no request or response: reported, but as documentation.
const DOC_KEYS: [&str; 3] = ["description", "summary", "title"];

/// `a` and `b` differ only in documentation keys, at any depth.
pub(super) fn only_docs(a: &Value, b: &Value) -> bool {
    fn strip(v: &Value) -> Value {
        match v {
            Value::Object(obj) => Value::Object(
                obj.iter()
                    .filter(|(k, _)| !DOC_KEYS.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), strip(v)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(strip).collect()),
            other => other.clone(),
        }
    }
    strip(a) == strip(b)
}

/// The top-level keys whose values differ, e.g. `parameters, responses`; for parameters, which.
pub(super) fn changed_keys(old: &Value, new: &Value) -> String {
    let keys: BTreeSet<&String> = old
        .as_object()
        .into_iter()
        .chain(new.as_object())
        .flat_map(|o| o.keys())
        .collect();
    keys.into_iter()
        .filter(|k| old.get(k.as_str()) != new.get(k.as_str()))
        .map(|k| {
            if k == "parameters" {
                let by_name = |v: &Value| -> BTreeMap<String, Value> {
                    v.get("parameters")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .map(|p| (p["name"].as_str().unwrap_or("?").to_string(), p.clone()))
                        .collect()
                };
                format!(
                    "parameters ({})",
                    member_change(&by_name(old), &by_name(new))
                )
            } else {
                k.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `+a -b ~c` over two maps of named members.
fn member_change<V: PartialEq>(old: &BTreeMap<String, V>, new: &BTreeMap<String, V>) -> String {
    let mut parts = Vec::new();
    for name in new.keys().filter(|k| !old.contains_key(*k)) {
        parts.push(format!("+{name}"));
    }
    for name in old.keys().filter(|k| !new.contains_key(*k)) {
        parts.push(format!("-{name}"));
    }
    for (name, value) in new {
        if old.get(name).is_some_and(|o| o != value) {
            parts.push(format!("~{name}"));
        }
    }
    parts.join(" ")
}

/// A schema's change: properties added/removed/changed, then other keys that differ (with the
/// values added to and removed from an `enum`).
pub(super) fn schema_change(old: &Value, new: &Value) -> String {
    let props = |v: &Value| -> BTreeMap<String, Value> {
        v.get("properties")
            .and_then(Value::as_object)
            .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    };
    let mut parts = Vec::new();
    let (old_props, new_props) = (props(old), props(new));
    if old_props != new_props {
        parts.push(format!(
            "properties {}",
            member_change(&old_props, &new_props)
        ));
    }
    let keys: BTreeSet<&String> = old
        .as_object()
        .into_iter()
        .chain(new.as_object())
        .flat_map(|o| o.keys())
        .filter(|k| k.as_str() != "properties")
        .collect();
    for key in keys {
        if old.get(key.as_str()) == new.get(key.as_str()) {
            continue;
        }
        if key == "enum" {
            let values = |v: &Value| -> BTreeMap<String, ()> {
                v["enum"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|e| (e.as_str().map_or_else(|| e.to_string(), String::from), ()))
                    .collect()
            };
            parts.push(format!(
                "enum {}",
                member_change(&values(old), &values(new))
            ));
        } else {
            parts.push(key.clone());
        }
    }
    parts.join("; ")
}
