//! Rules 1 and 2: unions (`anyOf`, type lists) become 3.0's `nullable` and `oneOf`.

use serde_json::{json, Map, Value};

fn is_null_schema(schema: &Value) -> bool {
    schema.get("type") == Some(&json!("null"))
}

/// A schema with no constraining keyword accepts any value.
fn is_any_schema(schema: &Value) -> bool {
    schema.as_object().is_some_and(|o| {
        ![
            "type",
            "$ref",
            "anyOf",
            "oneOf",
            "allOf",
            "enum",
            "const",
            "properties",
            "items",
        ]
        .iter()
        .any(|k| o.contains_key(*k))
    })
}

/// Merge an alternative's keywords into the schema holding the union, without overwriting the
/// outer annotations (title, description, default) the union carried.
fn merge_into(obj: &mut Map<String, Value>, alternative: Value) {
    match alternative {
        Value::Object(alt) if alt.contains_key("$ref") => {
            obj.insert("allOf".into(), json!([{"$ref": alt["$ref"]}]));
        }
        Value::Object(alt) => {
            for (k, v) in alt {
                obj.entry(k).or_insert(v);
            }
        }
        _ => {}
    }
}

/// Rule 1: `anyOf` unions.
pub fn collapse_any_of(obj: &mut Map<String, Value>) {
    let Some(Value::Array(alternatives)) = obj.remove("anyOf") else {
        return;
    };
    let nullable = alternatives.iter().any(is_null_schema);
    let mut rest: Vec<Value> = alternatives
        .into_iter()
        .filter(|a| !is_null_schema(a))
        .collect();
    if nullable {
        obj.insert("nullable".into(), json!(true));
    }
    if rest.iter().any(is_any_schema) {
        // `X | anything` is anything: leave the schema unconstrained.
        return;
    }
    match rest.len() {
        0 => {}
        1 => merge_into(obj, rest.remove(0)),
        _ => {
            obj.insert("oneOf".into(), Value::Array(rest));
        }
    }
}

/// Rule 2: `type: [x, "null"]` and other type lists.
pub fn collapse_type_list(obj: &mut Map<String, Value>) {
    if !obj.get("type").is_some_and(Value::is_array) {
        return;
    }
    let Some(Value::Array(types)) = obj.remove("type") else {
        return;
    };
    let (nulls, non_null): (Vec<Value>, Vec<Value>) = types.into_iter().partition(|t| t == "null");
    if !nulls.is_empty() {
        obj.insert("nullable".into(), json!(true));
    }
    match non_null.as_slice() {
        [] => {}
        [single] => {
            obj.insert("type".into(), single.clone());
        }
        many => {
            let alternatives: Vec<Value> = many.iter().map(|t| json!({ "type": t })).collect();
            obj.insert("oneOf".into(), Value::Array(alternatives));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::schema::normalized;
    use serde_json::json;

    #[test]
    fn nullable_scalar_union_becomes_nullable_type() {
        let out =
            normalized(json!({"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Name"}));
        assert_eq!(
            out,
            json!({"title": "Name", "nullable": true, "type": "string"})
        );
    }

    #[test]
    fn nullable_ref_union_wraps_ref_in_all_of() {
        let out =
            normalized(json!({"anyOf": [{"$ref": "#/c/S"}, {"type": "null"}], "default": null}));
        assert_eq!(
            out,
            json!({"default": null, "nullable": true, "allOf": [{"$ref": "#/c/S"}]})
        );
    }

    #[test]
    fn wider_union_becomes_one_of() {
        let out = normalized(
            json!({"anyOf": [{"type": "integer"}, {"type": "string"}, {"type": "null"}]}),
        );
        assert_eq!(
            out,
            json!({"nullable": true, "oneOf": [{"type": "integer"}, {"type": "string"}]})
        );
    }

    #[test]
    fn union_with_any_value_is_any_value() {
        let out = normalized(json!({"anyOf": [{}, {"type": "null"}], "title": "Value"}));
        assert_eq!(out, json!({"title": "Value", "nullable": true}));
    }

    #[test]
    fn nested_union_alternatives_are_normalised_after_merging() {
        let out =
            normalized(json!({"anyOf": [{"const": "x", "type": "string"}, {"type": "null"}]}));
        assert_eq!(out["type"], "string");
        assert!(out.get("const").is_none());
    }

    #[test]
    fn type_list_with_null_becomes_nullable() {
        assert_eq!(
            normalized(json!({"type": ["integer", "null"]})),
            json!({"nullable": true, "type": "integer"})
        );
        assert_eq!(
            normalized(json!({"type": ["integer", "string"]})),
            json!({"oneOf": [{"type": "integer"}, {"type": "string"}]})
        );
    }
}
