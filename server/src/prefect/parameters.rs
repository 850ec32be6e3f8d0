//! Parameter schemas as Prefect writes them (a deployment's `parameter_openapi_schema`, a paused
//! run's `RunInput` schema): resolving references, naming types, and checking values against
//! them before anything is sent, so that a mistake is named instead of crashing a run later.

use serde_json::{Map, Value};

use crate::errors::{ArgumentError, ToolError};

/// Prefect puts enum classes in `definitions` (or `$defs`) and refers to them with
/// `allOf: [{$ref}]`: the property with its reference's keys filled in.
pub fn resolve(root: &Map<String, Value>, property: Value) -> Value {
    let reference = property
        .get("$ref")
        .or_else(|| property.get("allOf")?.as_array()?.first()?.get("$ref"))
        .and_then(Value::as_str);
    let Some(reference) = reference else {
        return property;
    };
    let target = reference
        .strip_prefix("#/definitions/")
        .and_then(|name| root.get("definitions")?.get(name))
        .or_else(|| {
            reference
                .strip_prefix("#/$defs/")
                .and_then(|name| root.get("$defs")?.get(name))
        });
    match (target, property) {
        (Some(Value::Object(target)), Value::Object(mut own)) => {
            for (key, value) in target {
                own.entry(key.clone()).or_insert_with(|| value.clone());
            }
            Value::Object(own)
        }
        (_, property) => property,
    }
}

/// How an error names a type: "string", "integer", "one of \"full\", \"incremental\"".
pub fn type_name(schema: &Value) -> String {
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        return format!("one of {}", values.join(", "));
    }
    match schema.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        _ if schema.get("anyOf").is_some() => "one of several types".into(),
        _ => "any JSON value".into(),
    }
}

fn is_type(type_: &str, value: &Value) -> bool {
    match type_ {
        "string" => value.is_string(),
        "integer" => {
            value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|n| n.fract() == 0.0)
        }
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => value.is_null(),
        _ => true,
    }
}

/// Whether `value` fits `schema` as far as types and enums go (formats and bounds are left to
/// Prefect, which checks them too).
pub fn fits(root: &Map<String, Value>, schema: &Value, value: &Value) -> bool {
    let schema = resolve(root, schema.clone());
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values.contains(value);
    }
    if let Some(options) = schema
        .get("anyOf")
        .or_else(|| schema.get("oneOf"))
        .and_then(Value::as_array)
    {
        return options.iter().any(|option| fits(root, option, value));
    }
    match schema.get("type") {
        Some(Value::String(t)) => is_type(t, value),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .any(|t| is_type(t, value)),
        _ => true,
    }
}

fn properties(schema: &Map<String, Value>) -> Option<&Map<String, Value>> {
    schema.get("properties").and_then(Value::as_object)
}

/// Names in `given` that `schema` does not declare, unless it takes any (`**kwargs`).
fn unknown_names(schema: &Map<String, Value>, given: &Map<String, Value>) -> Vec<String> {
    let Some(known) = properties(schema) else {
        return Vec::new();
    };
    if schema
        .get("additionalProperties")
        .is_some_and(|a| a != &Value::Bool(false))
    {
        return Vec::new();
    }
    given
        .keys()
        .filter(|name| !known.contains_key(*name))
        .cloned()
        .collect()
}

/// (name, expected type) of each value in `given` that does not fit its declared type.
fn wrong_types(schema: &Map<String, Value>, given: &Map<String, Value>) -> Vec<(String, String)> {
    let Some(known) = properties(schema) else {
        return Vec::new();
    };
    given
        .iter()
        .filter_map(|(name, value)| {
            let property = known.get(name)?;
            (!fits(schema, property, value))
                .then(|| (name.clone(), type_name(&resolve(schema, property.clone()))))
        })
        .collect()
}

fn required(schema: &Map<String, Value>) -> Vec<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Check a deployment's parameters: names the flow does not take and values of the wrong type
/// are errors naming each with what is valid.
pub fn check(
    given_as: &str,
    schema: Option<&Map<String, Value>>,
    given: &Map<String, Value>,
) -> Result<(), ToolError> {
    let Some(schema) = schema else {
        return Ok(());
    };
    let unknown = unknown_names(schema, given);
    if !unknown.is_empty() {
        return Err(ArgumentError::UnknownParameters {
            deployment: given_as.to_string(),
            unknown,
            valid: properties(schema)
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default(),
        }
        .into());
    }
    let wrong = wrong_types(schema, given);
    if wrong.is_empty() {
        return Ok(());
    }
    Err(ArgumentError::WrongParameterTypes {
        deployment: given_as.to_string(),
        wrong,
    }
    .into())
}

/// What is wrong with `given` as the input of a paused run whose input schema is `schema`, one
/// sentence each; empty when it fits.
pub fn input_problems(schema: &Map<String, Value>, given: &Map<String, Value>) -> Vec<String> {
    let mut problems: Vec<String> = unknown_names(schema, given)
        .into_iter()
        .map(|name| format!("{name} is not one of its fields"))
        .collect();
    problems.extend(
        wrong_types(schema, given)
            .into_iter()
            .map(|(name, expected)| format!("{name} must be {expected}")),
    );
    problems.extend(
        required(schema)
            .into_iter()
            .filter(|name| !given.contains_key(*name))
            .map(|name| format!("{name} is required")),
    );
    problems
}

/// Each field of an input schema as an error lists it: "approved (boolean, required: Whether
/// the load may go ahead.)", "note (string, default \"no note\")".
pub fn field_lines(schema: &Map<String, Value>) -> Vec<String> {
    let required = required(schema);
    properties(schema)
        .into_iter()
        .flatten()
        .map(|(name, property)| {
            let property = resolve(schema, property.clone());
            let mut line = format!("{name} ({}", type_name(&property));
            if required.contains(&name.as_str()) {
                line.push_str(", required");
            } else if let Some(default) = property.get("default") {
                line.push_str(&format!(", default {default}"));
            }
            if let Some(description) = property.get("description").and_then(Value::as_str) {
                line.push_str(&format!(": {description}"));
            }
            line.push(')');
            line
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Map<String, Value> {
        json!({
            "properties": {
                "n": {"type": "integer"},
                "who": {"type": "string"},
                "level": {"allOf": [{"$ref": "#/definitions/Level"}]},
                "maybe": {"anyOf": [{"type": "integer"}, {"type": "null"}]}
            },
            "definitions": {"Level": {"enum": ["low", "high"], "type": "string"}}
        })
        .as_object()
        .cloned()
        .unwrap()
    }

    fn given(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn values_of_the_right_types_pass() {
        let ok = given(json!({"n": 3, "who": "x", "level": "low", "maybe": null}));
        assert!(check("d", Some(&schema()), &ok).is_ok());
        assert!(check("d", Some(&schema()), &given(json!({"n": 3.0}))).is_ok());
    }

    #[test]
    fn wrong_types_and_unknown_names_are_named() {
        let err = check(
            "d",
            Some(&schema()),
            &given(json!({"n": "three", "level": "mid"})),
        )
        .unwrap_err()
        .message();
        assert!(err.contains("n (integer)"), "{err}");
        assert!(err.contains("level (one of \"low\", \"high\")"), "{err}");
        let err = check("d", Some(&schema()), &given(json!({"bogus": 1})))
            .unwrap_err()
            .message();
        assert!(err.contains("bogus") && err.contains("who"), "{err}");
    }

    #[test]
    fn run_input_problems_and_fields_are_named() {
        let mut input = schema();
        input.insert("required".into(), json!(["n"]));
        let problems = input_problems(&input, &given(json!({"who": 1, "x": 2})));
        assert_eq!(
            problems,
            [
                "x is not one of its fields",
                "who must be string",
                "n is required"
            ]
        );
        let lines = field_lines(&input);
        assert!(
            lines.contains(&"n (integer, required)".to_string()),
            "{lines:?}"
        );
    }

    #[test]
    fn a_flow_taking_any_keyword_accepts_any_name() {
        let mut open = schema();
        open.insert("additionalProperties".into(), json!(true));
        assert!(check("d", Some(&open), &given(json!({"bogus": 1}))).is_ok());
    }
}
