//! Output schemas as `tools/list` sends them: shallow.
//!
//! The schemas derived from the views are complete but large (55 KB for all tools, mostly nested
//! `$defs` repeated per tool), and every client loads them with the tool list. The shallow form
//! keeps each top-level field with its type and description, and says only "object" or "array
//! of objects" below that. It only removes constraints, so every result still conforms.

use rmcp::model::JsonObject;
use serde_json::{json, Map, Value};

/// The shallow form of a derived output schema.
pub fn shallow(schema: &JsonObject) -> JsonObject {
    let defs = schema.get("$defs").and_then(Value::as_object);
    let mut out = Map::new();
    out.insert("type".into(), json!("object"));
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        let summarised: Map<String, Value> = props
            .iter()
            .map(|(name, prop)| (name.clone(), summarise(prop, defs)))
            .collect();
        out.insert("properties".into(), Value::Object(summarised));
    }
    if let Some(required) = schema.get("required") {
        out.insert("required".into(), required.clone());
    }
    out
}

/// Follow a local `$ref` into `$defs`.
fn resolve<'a>(schema: &'a Value, defs: Option<&'a Map<String, Value>>) -> &'a Value {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
        .and_then(|name| defs?.get(name))
        .unwrap_or(schema)
}

/// The JSON types a schema allows (as a list), looking through `$ref`, `anyOf` and `oneOf`.
fn types_of(schema: &Value, defs: Option<&Map<String, Value>>) -> Vec<Value> {
    let schema = resolve(schema, defs);
    let mut types = Vec::new();
    let mut add = |t: &Value| {
        if !types.contains(t) {
            types.push(t.clone());
        }
    };
    match schema.get("type") {
        Some(Value::Array(list)) => list.iter().for_each(&mut add),
        Some(single @ Value::String(_)) => add(single),
        _ => {}
    }
    for key in ["anyOf", "oneOf"] {
        for alternative in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            types_of(alternative, defs).iter().for_each(&mut add);
        }
    }
    if schema.get("properties").is_some() {
        add(&json!("object"));
    }
    types
}

fn summarise(prop: &Value, defs: Option<&Map<String, Value>>) -> Value {
    let mut out = Map::new();
    let types = types_of(prop, defs);
    // No known type means any value: leave the field unconstrained.
    match types.as_slice() {
        [] => {}
        [single] => {
            out.insert("type".into(), single.clone());
        }
        many => {
            out.insert("type".into(), Value::Array(many.to_vec()));
        }
    }
    if let Some(description) = prop
        .get("description")
        .or_else(|| resolve(prop, defs).get("description"))
    {
        out.insert("description".into(), description.clone());
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_structure_becomes_types_and_descriptions() {
        let schema = json!({
            "type": "object",
            "properties": {
                "count": {"type": "integer", "format": "uint", "description": "How many."},
                "items": {"type": "array", "items": {"$ref": "#/$defs/Item"}},
                "state": {"anyOf": [{"$ref": "#/$defs/Item"}, {"type": "null"}]},
                "anything": {}
            },
            "required": ["count", "items"],
            "$defs": {"Item": {"type": "object", "properties": {"a": {"type": "string"}}}}
        });
        let out = shallow(schema.as_object().unwrap());
        assert_eq!(
            Value::Object(out),
            json!({
                "type": "object",
                "properties": {
                    "count": {"type": "integer", "description": "How many."},
                    "items": {"type": "array"},
                    "state": {"type": ["object", "null"]},
                    "anything": {}
                },
                "required": ["count", "items"]
            })
        );
    }
}
