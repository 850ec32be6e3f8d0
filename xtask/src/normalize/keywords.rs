//! Rules 3 to 8: single keywords that 3.0 or progenitor reads differently, or that make the
//! client brittle.

use serde_json::{json, Map, Value};

/// Rule 3: OpenAPI 3.0 ignores the siblings of a `$ref`; progenitor rejects them.
pub fn drop_ref_siblings(obj: &mut Map<String, Value>) {
    if obj.contains_key("$ref") {
        obj.retain(|k, _| k == "$ref");
    }
}

/// Rule 4: 3.1's numeric `exclusiveMinimum: 0` is 3.0's `minimum: 0, exclusiveMinimum: true`.
pub fn exclusive_bounds(obj: &mut Map<String, Value>) {
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(value) = obj.get(exclusive).filter(|v| v.is_number()).cloned() {
            obj.insert(bound.into(), value);
            obj.insert(exclusive.into(), json!(true));
        }
    }
}

/// Rule 5: `const: v` is `enum: [v]`; a default other than `v` would not conform any more.
pub fn const_to_enum(obj: &mut Map<String, Value>) {
    let Some(value) = obj.remove("const") else {
        return;
    };
    // The only value is implied; typify also rejects a default on a one-value enum.
    obj.remove("default");
    obj.insert("enum".into(), json!([value]));
}

/// Rule 6: keywords 3.0 does not know.
pub fn drop_unsupported_keywords(obj: &mut Map<String, Value>) {
    if let Some(Value::Array(examples)) = obj.remove("examples") {
        if let Some(first) = examples.into_iter().next() {
            obj.insert("example".into(), first);
        }
    }
    for key in ["prefixItems", "contentMediaType", "contentEncoding"] {
        obj.remove(key);
    }
}

/// Rule 7: string patterns are the server's business.
pub fn drop_patterns(obj: &mut Map<String, Value>) {
    obj.remove("pattern");
}

/// Rule 8: closed string enums become plain strings, the known values listed in the description.
///
/// Generated Rust enums reject values they do not know, and Prefect adds states, statuses and
/// sort orders between minor releases. A string decodes whatever a 3.x server sends.
pub fn open_string_enums(obj: &mut Map<String, Value>) {
    let Some(Value::Array(values)) = obj.get("enum") else {
        return;
    };
    if values.len() < 2 || !values.iter().all(Value::is_string) {
        return;
    }
    let known: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
    let note = format!("Known values: {}.", known.join(", "));
    let description = match obj.get("description").and_then(Value::as_str) {
        Some(existing) => format!("{existing}\n\n{note}"),
        None => note,
    };
    obj.remove("enum");
    obj.insert("type".into(), json!("string"));
    obj.insert("description".into(), json!(description));
}

#[cfg(test)]
mod tests {
    use super::super::schema::normalized;
    use serde_json::json;

    #[test]
    fn ref_siblings_are_dropped() {
        let out = normalized(json!({"$ref": "#/c/S", "description": "d", "default": 1}));
        assert_eq!(out, json!({"$ref": "#/c/S"}));
    }

    #[test]
    fn numeric_exclusive_bounds_become_boolean() {
        let out =
            normalized(json!({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}));
        assert_eq!(
            out,
            json!({"type": "number", "exclusiveMinimum": true, "minimum": 0, "exclusiveMaximum": true, "maximum": 1})
        );
    }

    #[test]
    fn const_becomes_single_value_enum_without_default() {
        let out = normalized(json!({"const": 3, "default": 3}));
        assert_eq!(out, json!({"enum": [3]}));
    }

    #[test]
    fn unsupported_keywords_are_dropped_and_examples_become_example() {
        let out = normalized(
            json!({"type": "array", "examples": [["a"], ["b"]], "prefixItems": [], "contentMediaType": "x"}),
        );
        assert_eq!(out, json!({"type": "array", "example": ["a"]}));
    }

    #[test]
    fn patterns_are_dropped() {
        assert_eq!(
            normalized(json!({"type": "string", "pattern": "^[^/]+$"})),
            json!({"type": "string"})
        );
    }

    #[test]
    fn string_enums_become_open_strings_with_known_values() {
        let out =
            normalized(json!({"type": "string", "enum": ["A", "B"], "description": "State."}));
        assert_eq!(
            out,
            json!({"type": "string", "description": "State.\n\nKnown values: A, B."})
        );
        let discriminator = normalized(json!({"type": "string", "const": "reject_details"}));
        assert_eq!(
            discriminator,
            json!({"type": "string", "enum": ["reject_details"]})
        );
    }
}
