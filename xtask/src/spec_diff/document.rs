//! What a document holds: its operations (named as `generate` names them) and its schemas.

use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

use crate::normalize;

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// One operation of a document: `(path, method)` -> (generated method name, operation object).
pub(super) fn operations(doc: &Value) -> BTreeMap<(String, String), (String, Value)> {
    let mut named = doc.clone();
    normalize::clean_operation_ids(&mut named);
    let mut out = BTreeMap::new();
    for (path, item) in named
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for method in METHODS {
            let Some(named_op) = item.get(method) else {
                continue;
            };
            let name = named_op["operationId"].as_str().unwrap_or("?").to_string();
            // Compare the document's own operation, not the renamed one.
            let op = doc["paths"][path][method].clone();
            out.insert((path.clone(), method.to_string()), (name, op));
        }
    }
    out
}

pub(super) fn schemas(doc: &Value) -> Map<String, Value> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// Every schema name a value refers to (`#/components/schemas/X`), followed transitively.
pub(super) fn reachable_schemas(roots: &[&Value], all: &Map<String, Value>) -> BTreeSet<String> {
    fn refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(obj) => {
                if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
                    if let Some(name) = r.strip_prefix("#/components/schemas/") {
                        out.push(name.to_string());
                    }
                }
                obj.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut seen = BTreeSet::new();
    let mut queue = Vec::new();
    for root in roots {
        refs(root, &mut queue);
    }
    while let Some(name) = queue.pop() {
        if seen.insert(name.clone()) {
            if let Some(schema) = all.get(&name) {
                refs(schema, &mut queue);
            }
        }
    }
    seen
}
