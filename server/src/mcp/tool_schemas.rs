//! Schemas as `tools/list` sends them: lean input schemas and shallow output schemas.
//!
//! Input schemas are what a model reads to call a tool, on every turn: they keep names, types,
//! descriptions, defaults and enumerations, and lose what only a validator reads (`$schema`,
//! `additionalProperties`, integer formats, `null` in the types of optional arguments,
//! `default: null`).
//!
//! Output schemas derived from the views are complete but large (55 KB for all tools, mostly
//! nested `$defs` repeated per tool), and every client loads them with the tool list. The
//! shallow form keeps each top-level field with its type (what validators check), and says only
//! "object" or "array" below that; field meanings are in the tool descriptions and the data.
//! It only removes constraints, so every result still conforms.

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

/// The lean form of a derived input schema.
pub fn lean_input(schema: &JsonObject) -> JsonObject {
    let mut out = schema.clone();
    out.remove("$schema");
    // Unknown arguments are refused with an error naming them; the model needs no flag for it.
    out.remove("additionalProperties");
    if let Some(Value::Object(props)) = out.get_mut("properties") {
        for prop in props.values_mut() {
            if let Value::Object(prop) = prop {
                lean_property(prop);
            }
        }
    }
    out
}

/// A doc comment's text as one paragraph: its wrapping newlines become spaces (a newline costs a
/// model two bytes of JSON and says nothing); blank-line paragraph breaks stay.
pub fn unwrapped(text: &str) -> String {
    text.split("\n\n")
        .map(|paragraph| paragraph.replace('\n', " "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn lean_property(prop: &mut Map<String, Value>) {
    prop.remove("format");
    if let Some(Value::String(text)) = prop.get_mut("description") {
        *text = unwrapped(text);
    }
    if prop.get("default") == Some(&Value::Null) {
        prop.remove("default");
    }
    // A free-form object says so by being an object; `additionalProperties: true` adds nothing.
    if prop.get("additionalProperties") == Some(&Value::Bool(true)) {
        prop.remove("additionalProperties");
    }
    // Optional arguments are optional by not being required; `null` in their type is noise.
    if let Some(Value::Array(types)) = prop.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let single = types.remove(0);
            prop.insert("type".into(), single);
        }
    }
    if let Some(Value::Object(items)) = prop.get_mut("items") {
        lean_property(items);
    }
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
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_doc_lines_join_and_paragraphs_stay() {
        assert_eq!(
            unwrapped("One line\nwrapped.\n\nA second\nparagraph."),
            "One line wrapped.\n\nA second paragraph."
        );
    }

    #[test]
    fn input_schemas_lose_what_only_validators_read() {
        let schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "limit": {"type": "integer", "format": "int64", "default": 20, "description": "Max."},
                "name": {"type": ["string", "null"], "default": null},
                "tags": {"type": ["array", "null"], "items": {"type": "string"}},
                "filter": {"type": "object", "additionalProperties": true}
            },
            "required": []
        });
        let out = lean_input(schema.as_object().unwrap());
        assert_eq!(
            Value::Object(out),
            json!({
                "type": "object",
                "properties": {
                    "limit": {"type": "integer", "default": 20, "description": "Max."},
                    "name": {"type": "string"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "filter": {"type": "object"}
                },
                "required": []
            })
        );
    }

    #[test]
    fn nested_structure_becomes_types() {
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
                    "count": {"type": "integer"},
                    "items": {"type": "array"},
                    "state": {"type": ["object", "null"]},
                    "anything": {}
                },
                "required": ["count", "items"]
            })
        );
    }
}
