//! Response schemas tolerate fields a newer server adds; request-only schemas stay strict.

use serde_json::{json, Value};

use super::HTTP_METHODS;

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                if let Some(name) = r.strip_prefix("#/components/schemas/") {
                    out.push(name.to_string());
                }
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

fn remove_additional_properties_false(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("additionalProperties") == Some(&json!(false)) {
                map.remove("additionalProperties");
            }
            map.values_mut()
                .for_each(remove_additional_properties_false);
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(remove_additional_properties_false),
        _ => {}
    }
}

/// `additionalProperties: false` goes from every schema reachable from a response (inline or
/// through `$ref`s), and stays on schemas only ever sent.
pub fn tolerate_unknown_response_fields(doc: &mut Value) {
    let mut pending = Vec::new();
    for item in doc
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|p| p.values_mut())
    {
        for method in HTTP_METHODS {
            if let Some(responses) = item.pointer_mut(&format!("/{method}/responses")) {
                collect_refs(responses, &mut pending);
                remove_additional_properties_false(responses);
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = pending.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = doc.pointer_mut(&format!("/components/schemas/{name}")) {
            collect_refs(schema, &mut pending);
            remove_additional_properties_false(schema);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_schemas_tolerate_unknown_fields_and_request_schemas_stay_strict() {
        let mut doc = json!({
            "paths": {"/x": {"post": {
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Filter"}}}},
                "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}
            }}},
            "components": {"schemas": {
                "Filter": {"type": "object", "additionalProperties": false},
                "Thing": {"type": "object", "additionalProperties": false,
                          "properties": {"schedule": {"$ref": "#/components/schemas/Schedule"}}},
                "Schedule": {"type": "object", "additionalProperties": false}
            }}
        });
        tolerate_unknown_response_fields(&mut doc);
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["Filter"]["additionalProperties"], json!(false));
        assert!(schemas["Thing"].get("additionalProperties").is_none());
        assert!(schemas["Schedule"].get("additionalProperties").is_none());
    }
}
