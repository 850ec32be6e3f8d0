//! Operation rules: tags, the API version header, declared validation errors, success statuses.

use serde_json::{json, Value};

use super::API_VERSION_HEADER;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
