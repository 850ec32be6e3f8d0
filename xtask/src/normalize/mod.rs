//! Normalisation of Prefect's OpenAPI 3.1 document into the OpenAPI 3.0 dialect progenitor accepts.
//!
//! Every rule is a small function over one node of the document, with its tests beside it. The
//! walk ([`normalize`]) is context-aware: schema rules run only on schema objects, so a property
//! that happens to be called `examples` or `const` is never mistaken for a keyword.
//!
//! Rules, in the order they apply to each schema ([`schema::normalize_schema`]):
//! 1. [`unions::collapse_any_of`]: `anyOf: [X, {type: null}]` becomes X with `nullable: true` (a
//!    `$ref` is wrapped in `allOf`); other unions become `oneOf`; a union containing "any value"
//!    becomes `{}`.
//! 2. [`unions::collapse_type_list`]: `type: [x, "null"]` likewise.
//! 3. [`keywords::drop_ref_siblings`]: a `$ref` with siblings keeps only the `$ref` (3.0 ignores
//!    siblings).
//! 4. [`keywords::exclusive_bounds`]: numeric `exclusiveMinimum/Maximum` become
//!    `minimum/maximum` + boolean.
//! 5. [`keywords::const_to_enum`]: `const` becomes a one-value `enum`, without a `default` (it is
//!    implied).
//! 6. [`keywords::drop_unsupported_keywords`]: `examples` becomes `example`; `prefixItems`,
//!    `contentMediaType` and `contentEncoding` go.
//! 7. [`keywords::drop_patterns`]: `pattern` goes. Prefect validates names itself; in the client
//!    a pattern makes decoding brittle (a timezone newer than the list fails) and costs a 9 KB
//!    regex.
//! 8. [`keywords::open_string_enums`]: closed string enums become plain strings (the known values
//!    move to the description), so a newer server's new state or status never fails decoding.
//!    One-value enums (3.1 `const`s) stay: they are the discriminators of untagged unions.
//! 9. [`schema::drop_inline_title`]: nested schemas lose their `title`, so that typify names an
//!    inline type after its parent and property (`StateAbortDetailsType`) instead of after a title
//!    many share ("Type"), which made unrelated inline enums collapse into one type.
//!
//! Document rules: [`responses::tolerate_unknown_response_fields`] drops
//! `additionalProperties: false` from every schema a response can contain (a newer server's extra
//! field must not fail decoding), and keeps it on request-only schemas, where
//! `deny_unknown_fields` catches a misspelt filter key before it is silently ignored. Operation
//! rules: [`operation_ids::clean_operation_ids`], [`operations::dedupe_tags`],
//! [`operations::drop_api_version_header`], [`operations::drop_declared_validation_errors`],
//! [`operations::success_status_is_a_range`].

mod keywords;
mod operation_ids;
mod operations;
mod responses;
mod schema;
mod unions;

use serde_json::{json, Value};

pub use operation_ids::clean_operation_ids;
use operations::{
    dedupe_tags, drop_api_version_header, drop_declared_validation_errors,
    success_status_is_a_range,
};
use responses::tolerate_unknown_response_fields;
use schema::normalize_schema;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_lose_nullable() {
        let mut param = json!({"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": false});
        normalize_schema(&mut param);
        parameters_are_never_null(&mut param);
        assert_eq!(param, json!({"type": "boolean", "default": false}));
    }
}
