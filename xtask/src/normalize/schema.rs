//! The walk over one schema and everything nested in it, applying the schema rules in order.

use serde_json::{Map, Value};

use super::keywords::{
    const_to_enum, drop_patterns, drop_ref_siblings, drop_unsupported_keywords, exclusive_bounds,
    open_string_enums,
};
use super::unions::{collapse_any_of, collapse_type_list};

/// Apply the schema rules to one schema, then to every schema nested in it.
pub fn normalize_schema(schema: &mut Value) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    collapse_any_of(obj);
    collapse_type_list(obj);
    drop_ref_siblings(obj);
    exclusive_bounds(obj);
    const_to_enum(obj);
    drop_unsupported_keywords(obj);
    drop_patterns(obj);
    open_string_enums(obj);

    if let Some(props) = obj.get_mut("properties").and_then(Value::as_object_mut) {
        for prop in props.values_mut() {
            normalize_nested_schema(prop);
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(child) = obj.get_mut(key) {
            normalize_nested_schema(child);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for child in obj
            .get_mut(key)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            normalize_nested_schema(child);
        }
    }
}

fn normalize_nested_schema(schema: &mut Value) {
    if let Some(obj) = schema.as_object_mut() {
        drop_inline_title(obj);
    }
    normalize_schema(schema);
}

/// Rule 9: a nested schema's `title` is FastAPI's Title Case of the field name.
pub fn drop_inline_title(obj: &mut Map<String, Value>) {
    obj.remove("title");
}

/// `schema` after [`normalize_schema`], for the tests of every schema rule.
#[cfg(test)]
pub(super) fn normalized(v: Value) -> Value {
    let mut v = v;
    normalize_schema(&mut v);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_titles_are_dropped_and_top_level_titles_kept() {
        let out = normalized(json!({"title": "Thing", "type": "object", "properties": {
            "type": {"title": "Type", "type": "string", "const": "thing"}
        }}));
        assert_eq!(out["title"], "Thing");
        assert!(out["properties"]["type"].get("title").is_none());
    }

    #[test]
    fn keywords_named_like_properties_are_left_alone() {
        let out = normalized(
            json!({"type": "object", "properties": {"examples": {"type": "string"}, "const": {"type": "integer"}}}),
        );
        assert_eq!(out["properties"]["examples"], json!({"type": "string"}));
        assert_eq!(out["properties"]["const"], json!({"type": "integer"}));
    }
}
