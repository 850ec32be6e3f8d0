//! How error statuses and undecodable success bodies map onto [`prefect_api::PrefectError`].

use prefect_api::PrefectError;
use serde_json::json;

use crate::support::read_flow_error;

#[tokio::test]
async fn unauthorized_carries_prefects_exception_message() {
    let err = read_flow_error(401, r#"{"exception_message":"Unauthorized"}"#).await;
    assert_eq!(
        err,
        PrefectError::Unauthorized {
            status: 401,
            message: "Unauthorized".into()
        }
    );
}

#[tokio::test]
async fn forbidden_is_unauthorized() {
    let err = read_flow_error(403, r#"{"detail":"Forbidden"}"#).await;
    assert_eq!(
        err,
        PrefectError::Unauthorized {
            status: 403,
            message: "Forbidden".into()
        }
    );
}

#[tokio::test]
async fn not_found_carries_prefects_detail() {
    let err = read_flow_error(404, r#"{"detail":"Flow not found"}"#).await;
    assert_eq!(
        err,
        PrefectError::NotFound {
            message: "Flow not found".into()
        }
    );
    assert_eq!(err.status(), Some(404));
}

#[tokio::test]
async fn conflict_is_a_validation_error_with_prefects_detail() {
    let detail =
        "Error creating flow run: Validation failed. Failure reason: 'who' is a required property";
    let err = read_flow_error(409, &json!({ "detail": detail }).to_string()).await;
    assert_eq!(
        err,
        PrefectError::Validation {
            status: 409,
            message: detail.into()
        }
    );
}

#[tokio::test]
async fn unprocessable_entity_names_the_offending_field() {
    let body = json!({
        "exception_message": "Invalid request received.",
        "exception_detail": [{
            "loc": ["body", "flows", "name", "equals"],
            "msg": "Extra inputs are not permitted",
            "type": "extra_forbidden"
        }],
        "request_body": {}
    });
    let err = read_flow_error(422, &body.to_string()).await;
    let PrefectError::Validation {
        status: 422,
        message,
    } = &err
    else {
        panic!("expected a 422 validation error, got {err:?}");
    };
    assert!(
        message.contains("body.flows.name.equals: Extra inputs are not permitted"),
        "{message}"
    );
}

// --- Undecodable answers ---------------------------------------------------------------------

#[tokio::test]
async fn success_with_a_body_of_the_wrong_shape_is_a_decode_error() {
    let err = read_flow_error(200, r#"{"id": 3}"#).await;
    assert!(matches!(err, PrefectError::Decode { .. }), "{err:?}");
}

#[tokio::test]
async fn success_with_a_non_json_body_is_a_decode_error() {
    let err = read_flow_error(200, "<html><body>proxy login</body></html>").await;
    let PrefectError::Decode { message } = &err else {
        panic!("expected a decode error, got {err:?}");
    };
    assert!(
        message.contains("proxy login"),
        "quotes the body: {message}"
    );
}
