//! Normalisation of Prefect's OpenAPI 3.1 document into the OpenAPI 3.0 dialect progenitor accepts.
//!
//! Every rule is a small function over one node of the document, with a test below. The walk
//! ([`normalize`]) is context-aware: schema rules run only on schema objects, so a property that
//! happens to be called `examples` or `const` is never mistaken for a keyword.
//!
//! Rules, in the order they apply to each schema:
//! 1. [`collapse_any_of`]: `anyOf: [X, {type: null}]` becomes X with `nullable: true` (a `$ref` is
//!    wrapped in `allOf`); other unions become `oneOf`; a union containing "any value" becomes `{}`.
//! 2. [`collapse_type_list`]: `type: [x, "null"]` likewise.
//! 3. [`drop_ref_siblings`]: a `$ref` with siblings keeps only the `$ref` (3.0 ignores siblings).
//! 4. [`exclusive_bounds`]: numeric `exclusiveMinimum/Maximum` become `minimum/maximum` + boolean.
//! 5. [`const_to_enum`]: `const` becomes a one-value `enum`, without a `default` (it is implied).
//! 6. [`drop_unsupported_keywords`]: `examples` becomes `example`; `prefixItems`,
//!    `contentMediaType` and `contentEncoding` go.
//! 7. [`drop_patterns`]: `pattern` goes. Prefect validates names itself; in the client a pattern
//!    makes decoding brittle (a timezone newer than the list fails) and costs a 9 KB regex.
//! 8. [`open_string_enums`]: closed string enums become plain strings (the known values move to the
//!    description), so a newer server's new state or status never fails decoding. One-value
//!    enums (3.1 `const`s) stay: they are the discriminators of untagged unions.
//! 9. [`drop_inline_title`]: nested schemas lose their `title`, so that typify names an inline type
//!    after its parent and property (`StateAbortDetailsType`) instead of after a title many share
//!    ("Type"), which made unrelated inline enums collapse into one type.
//!
//! Document rules: [`tolerate_unknown_response_fields`] drops `additionalProperties: false` from
//! every schema a response can contain (a newer server's extra field must not fail decoding),
//! and keeps it on request-only schemas, where `deny_unknown_fields` catches a misspelt filter
//! key before it is silently ignored. Operation rules: [`clean_operation_ids`], [`dedupe_tags`],
//! [`drop_api_version_header`], [`drop_declared_validation_errors`],
//! [`success_status_is_a_range`].

use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The header Prefect's own client sends on every request; the hand-written client sets it once
/// as a default header instead of making it an argument of all 187 operations.
pub const API_VERSION_HEADER: &str = "x-prefect-api-version";

const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Normalise a whole document in place.
pub fn normalize(doc: &mut Value) {
    if let Some(root) = doc.as_object_mut() {
        root.insert("openapi".into(), json!("3.0.3"));
        // The served document says `/api`; the offline one says nothing. The client's base URL
        // always includes `/api`, so the document names no server.
        root.remove("servers");
    }
    tolerate_unknown_response_fields(doc);
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for schema in schemas.values_mut() {
            normalize_schema(schema);
        }
    }
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            normalize_path_item(path, item);
        }
    }
    clean_operation_ids(doc);
}

fn normalize_path_item(_path: &str, item: &mut Value) {
    let Some(item) = item.as_object_mut() else {
        return;
    };
    if let Some(params) = item.get_mut("parameters") {
        normalize_parameters(params);
    }
    for method in HTTP_METHODS {
        let Some(op) = item.get_mut(method) else {
            continue;
        };
        dedupe_tags(op);
        drop_api_version_header(op);
        drop_declared_validation_errors(op);
        success_status_is_a_range(op);
        if let Some(params) = op.get_mut("parameters") {
            normalize_parameters(params);
        }
        if let Some(content) = op.pointer_mut("/requestBody/content") {
            normalize_content(content);
        }
        if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
            for response in responses.values_mut() {
                if let Some(content) = response.get_mut("content") {
                    normalize_content(content);
                }
            }
        }
    }
}

fn normalize_parameters(params: &mut Value) {
    for param in params.as_array_mut().into_iter().flatten() {
        if let Some(schema) = param.get_mut("schema") {
            normalize_schema(schema);
            parameters_are_never_null(schema);
        }
    }
}

/// A query or header parameter is present or absent, never `null`: FastAPI's `bool | None`
/// header would otherwise become an `Option<Option<bool>>` that cannot be formatted.
pub fn parameters_are_never_null(schema: &mut Value) {
    if let Some(obj) = schema.as_object_mut() {
        obj.remove("nullable");
    }
}

fn normalize_content(content: &mut Value) {
    for media in content
        .as_object_mut()
        .into_iter()
        .flat_map(|m| m.values_mut())
    {
        if let Some(schema) = media.get_mut("schema") {
            normalize_schema(schema);
        }
    }
}

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

/// De-duplicate an operation's tags (progenitor rejects repeats).
pub fn dedupe_tags(op: &mut Value) {
    if let Some(tags) = op.get_mut("tags").and_then(Value::as_array_mut) {
        let mut seen = Vec::new();
        tags.retain(|t| {
            let new = !seen.contains(t);
            if new {
                seen.push(t.clone());
            }
            new
        });
    }
}

/// Drop the optional `x-prefect-api-version` header parameter; the client sends it by default.
pub fn drop_api_version_header(op: &mut Value) {
    if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
        params.retain(|p| {
            !(p.get("in") == Some(&json!("header"))
                && p.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(API_VERSION_HEADER)))
        });
    }
}

/// Drop the declared `422: HTTPValidationError` responses.
///
/// Prefect does not send that shape: its 422 body is `{exception_message, exception_detail,
/// request_body}`, which decodes as an empty `HTTPValidationError` and loses the explanation.
/// Undeclared, every error status reaches the hand-written error mapping as the raw response,
/// which reads the body Prefect really sent (prefect-api/src/error.rs).
pub fn drop_declared_validation_errors(op: &mut Value) {
    if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
        responses.retain(|status, response| {
            let schema_ref = response
                .pointer("/content/application~1json/schema/$ref")
                .and_then(Value::as_str);
            !(status == "422" && schema_ref == Some("#/components/schemas/HTTPValidationError"))
        });
    }
}

/// An operation's one success response with a body is declared as `2XX`.
///
/// FastAPI documents `200` for routes that really answer `201` (for example
/// `POST /deployments/{id}/create_flow_run`), and the generated code would treat the real answer
/// as unexpected. Success responses without a body (`204`) are left alone.
pub fn success_status_is_a_range(op: &mut Value) {
    let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
        return;
    };
    let successes: Vec<String> = responses
        .keys()
        .filter(|k| k.starts_with('2'))
        .cloned()
        .collect();
    if let [only] = successes.as_slice() {
        if responses[only].get("content").is_some() {
            if let Some(response) = responses.remove(only) {
                responses.insert("2XX".into(), response);
            }
        }
    }
}

/// FastAPI's operationId for a route: its name, then the path with every non-word character
/// replaced by `_`, then `_` and the method (`read_flow_by_name_flows_name__name__get`).
fn fastapi_suffix(path: &str, method: &str) -> String {
    let path: String = path
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{path}_{method}")
}

/// Give operations clean method names: the route name without FastAPI's path-and-method suffix.
///
/// Collision rule: where several operations share a clean name, the one with the fewest path
/// segments keeps it and each other one gets `_in_<first path segment>`
/// (`create_work_queue` for `POST /work_queues/`, `create_work_queue_in_work_pools` for
/// `POST /work_pools/{name}/queues`). With a tie for fewest, all of them get the suffix.
pub fn clean_operation_ids(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    // clean name -> [(path, method)]
    let mut by_name: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (path, item) in paths.iter() {
        for method in HTTP_METHODS {
            let Some(id) = item
                .pointer(&format!("/{method}/operationId"))
                .and_then(Value::as_str)
            else {
                continue;
            };
            let clean = id
                .strip_suffix(&fastapi_suffix(path, method))
                .filter(|c| !c.is_empty())
                .unwrap_or(id);
            by_name
                .entry(clean.to_string())
                .or_default()
                .push((path.clone(), method.to_string()));
        }
    }
    let segments = |path: &str| path.split('/').filter(|s| !s.is_empty()).count();
    for (clean, ops) in by_name {
        let fewest = ops.iter().map(|(p, _)| segments(p)).min().unwrap_or(0);
        let keepers = ops.iter().filter(|(p, _)| segments(p) == fewest).count();
        for (path, method) in &ops {
            let name = if ops.len() == 1 || (keepers == 1 && segments(path) == fewest) {
                clean.clone()
            } else {
                let first = path.split('/').find(|s| !s.is_empty()).unwrap_or("root");
                format!("{clean}_in_{first}")
            };
            if let Some(op) = paths.get_mut(path).and_then(|i| i.get_mut(method)) {
                op["operationId"] = json!(name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(v: Value) -> Value {
        let mut v = v;
        normalize_schema(&mut v);
        v
    }

    #[test]
    fn nullable_scalar_union_becomes_nullable_type() {
        let out = schema(json!({"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Name"}));
        assert_eq!(
            out,
            json!({"title": "Name", "nullable": true, "type": "string"})
        );
    }

    #[test]
    fn nullable_ref_union_wraps_ref_in_all_of() {
        let out = schema(json!({"anyOf": [{"$ref": "#/c/S"}, {"type": "null"}], "default": null}));
        assert_eq!(
            out,
            json!({"default": null, "nullable": true, "allOf": [{"$ref": "#/c/S"}]})
        );
    }

    #[test]
    fn wider_union_becomes_one_of() {
        let out =
            schema(json!({"anyOf": [{"type": "integer"}, {"type": "string"}, {"type": "null"}]}));
        assert_eq!(
            out,
            json!({"nullable": true, "oneOf": [{"type": "integer"}, {"type": "string"}]})
        );
    }

    #[test]
    fn union_with_any_value_is_any_value() {
        let out = schema(json!({"anyOf": [{}, {"type": "null"}], "title": "Value"}));
        assert_eq!(out, json!({"title": "Value", "nullable": true}));
    }

    #[test]
    fn nested_union_alternatives_are_normalised_after_merging() {
        let out = schema(json!({"anyOf": [{"const": "x", "type": "string"}, {"type": "null"}]}));
        assert_eq!(out["type"], "string");
        assert!(out.get("const").is_none());
    }

    #[test]
    fn type_list_with_null_becomes_nullable() {
        assert_eq!(
            schema(json!({"type": ["integer", "null"]})),
            json!({"nullable": true, "type": "integer"})
        );
        assert_eq!(
            schema(json!({"type": ["integer", "string"]})),
            json!({"oneOf": [{"type": "integer"}, {"type": "string"}]})
        );
    }

    #[test]
    fn ref_siblings_are_dropped() {
        let out = schema(json!({"$ref": "#/c/S", "description": "d", "default": 1}));
        assert_eq!(out, json!({"$ref": "#/c/S"}));
    }

    #[test]
    fn numeric_exclusive_bounds_become_boolean() {
        let out = schema(json!({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}));
        assert_eq!(
            out,
            json!({"type": "number", "exclusiveMinimum": true, "minimum": 0, "exclusiveMaximum": true, "maximum": 1})
        );
    }

    #[test]
    fn const_becomes_single_value_enum_without_default() {
        let out = schema(json!({"const": 3, "default": 3}));
        assert_eq!(out, json!({"enum": [3]}));
    }

    #[test]
    fn unsupported_keywords_are_dropped_and_examples_become_example() {
        let out = schema(
            json!({"type": "array", "examples": [["a"], ["b"]], "prefixItems": [], "contentMediaType": "x"}),
        );
        assert_eq!(out, json!({"type": "array", "example": ["a"]}));
    }

    #[test]
    fn patterns_are_dropped() {
        assert_eq!(
            schema(json!({"type": "string", "pattern": "^[^/]+$"})),
            json!({"type": "string"})
        );
    }

    #[test]
    fn string_enums_become_open_strings_with_known_values() {
        let out = schema(json!({"type": "string", "enum": ["A", "B"], "description": "State."}));
        assert_eq!(
            out,
            json!({"type": "string", "description": "State.\n\nKnown values: A, B."})
        );
        let discriminator = schema(json!({"type": "string", "const": "reject_details"}));
        assert_eq!(
            discriminator,
            json!({"type": "string", "enum": ["reject_details"]})
        );
    }

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

    #[test]
    fn nested_titles_are_dropped_and_top_level_titles_kept() {
        let out = schema(json!({"title": "Thing", "type": "object", "properties": {
            "type": {"title": "Type", "type": "string", "const": "thing"}
        }}));
        assert_eq!(out["title"], "Thing");
        assert!(out["properties"]["type"].get("title").is_none());
    }

    #[test]
    fn keywords_named_like_properties_are_left_alone() {
        let out = schema(
            json!({"type": "object", "properties": {"examples": {"type": "string"}, "const": {"type": "integer"}}}),
        );
        assert_eq!(out["properties"]["examples"], json!({"type": "string"}));
        assert_eq!(out["properties"]["const"], json!({"type": "integer"}));
    }

    #[test]
    fn parameters_lose_nullable() {
        let mut param = json!({"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": false});
        normalize_schema(&mut param);
        parameters_are_never_null(&mut param);
        assert_eq!(param, json!({"type": "boolean", "default": false}));
    }

    #[test]
    fn tags_are_deduplicated() {
        let mut op = json!({"tags": ["Flows", "Flows", "Runs"]});
        dedupe_tags(&mut op);
        assert_eq!(op["tags"], json!(["Flows", "Runs"]));
    }

    #[test]
    fn declared_validation_error_responses_are_dropped() {
        let mut op = json!({"responses": {
            "200": {"description": "ok"},
            "422": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}}}
        }});
        drop_declared_validation_errors(&mut op);
        assert_eq!(op["responses"], json!({"200": {"description": "ok"}}));
    }

    #[test]
    fn a_single_success_response_with_a_body_covers_every_2xx() {
        let mut op = json!({"responses": {"200": {"content": {"application/json": {}}}}});
        success_status_is_a_range(&mut op);
        assert_eq!(
            op["responses"],
            json!({"2XX": {"content": {"application/json": {}}}})
        );
        let mut empty = json!({"responses": {"204": {"description": "No Content"}}});
        success_status_is_a_range(&mut empty);
        assert_eq!(
            empty["responses"],
            json!({"204": {"description": "No Content"}})
        );
    }

    #[test]
    fn api_version_header_parameter_is_dropped() {
        let mut op = json!({"parameters": [
            {"in": "header", "name": "x-prefect-api-version"},
            {"in": "path", "name": "id"}
        ]});
        drop_api_version_header(&mut op);
        assert_eq!(op["parameters"], json!([{"in": "path", "name": "id"}]));
    }

    #[test]
    fn operation_ids_lose_fastapi_suffix_and_collisions_follow_the_rule() {
        let mut doc = json!({"paths": {
            "/flows/name/{name}": {"get": {"operationId": "read_flow_by_name_flows_name__name__get"}},
            "/work_queues/": {"post": {"operationId": "create_work_queue_work_queues__post"}},
            "/work_pools/{work_pool_name}/queues": {"post": {"operationId": "create_work_queue_work_pools__work_pool_name__queues_post"}}
        }});
        clean_operation_ids(&mut doc);
        assert_eq!(
            doc["paths"]["/flows/name/{name}"]["get"]["operationId"],
            "read_flow_by_name"
        );
        assert_eq!(
            doc["paths"]["/work_queues/"]["post"]["operationId"],
            "create_work_queue"
        );
        assert_eq!(
            doc["paths"]["/work_pools/{work_pool_name}/queues"]["post"]["operationId"],
            "create_work_queue_in_work_pools"
        );
    }
}
