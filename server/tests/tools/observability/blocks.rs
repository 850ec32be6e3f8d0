//! list_blocks and get_block: never a secret in an answer or an error, whatever Prefect sends
//! (a Secret block holding JSON comes back from Prefect in clear).

use serde_json::{json, Value};

use crate::harness::*;

const BLOCK_ID: &str = "6a1f8e2d-4b3c-4d5e-8f70-9a1b2c3d4e5f";
const PASSWORD: &str = "hunter2-do-not-show";

fn secret_block() -> Value {
    json!({
        "id": BLOCK_ID, "name": "mcp-secret",
        "data": {"value": {"user": "bob", "password": PASSWORD}},
        "block_schema_id": "6a1f8e2d-4b3c-4d5e-8f70-9a1b2c3d4e60",
        "block_type_id": "6a1f8e2d-4b3c-4d5e-8f70-9a1b2c3d4e61",
        "block_type_name": "Secret", "is_anonymous": false, "block_document_references": {},
        "block_type": {"id": "6a1f8e2d-4b3c-4d5e-8f70-9a1b2c3d4e61", "name": "Secret",
                       "slug": "secret", "is_protected": true, "created": null, "updated": null,
                       "logo_url": null, "documentation_url": null, "description": null,
                       "code_example": null},
        "block_schema": {"id": "6a1f8e2d-4b3c-4d5e-8f70-9a1b2c3d4e60", "checksum": "x",
                         "fields": {"secret_fields": ["value"], "properties": {}},
                         "capabilities": [], "version": "1", "block_type_id": null,
                         "block_type": null, "created": null, "updated": null},
        "created": null, "updated": "2026-12-01T00:00:00Z"
    })
}

#[tokio::test]
async fn list_blocks_never_asks_for_secrets_and_shows_no_values() {
    let mut h = Harness::new().await;
    let read = body_where(h.mock("POST", "/block_documents/filter"), |body| {
        body["include_secrets"] == false
            && body["sort"] == "NAME_ASC"
            && body["block_types"]["slug"] == json!({"any_": ["secret"]})
    })
    .with_body(json!([secret_block()]).to_string())
    .create_async()
    .await;
    let found = h.ok("list_blocks", json!({"block_type": "secret"})).await;
    read.assert_async().await;
    assert_eq!(found["blocks"][0]["block_type"], "secret");
    assert_eq!(found["blocks"][0]["name"], "mcp-secret");
    assert!(!found.to_string().contains(PASSWORD) && !found.to_string().contains("bob"));
}

#[tokio::test]
async fn get_block_masks_a_secret_block_that_prefect_sent_in_clear() {
    let mut h = Harness::new().await;
    let read = h
        .mock(
            "GET",
            "/block_types/slug/secret/block_documents/name/mcp-secret",
        )
        .match_query(mockito::Matcher::UrlEncoded(
            "include_secrets".into(),
            "false".into(),
        ))
        .with_body(secret_block().to_string())
        .create_async()
        .await;
    let result = h
        .call("get_block", json!({"block": "secret/mcp-secret"}))
        .await;
    read.assert_async().await;
    let wire = serde_json::to_string(&result).unwrap();
    assert!(!wire.contains(PASSWORD) && !wire.contains("bob"), "{wire}");
    let block = result.structured_content.unwrap();
    assert_eq!(block["fields"]["value"], "********");
    assert_eq!(block["secret_fields"], json!(["value"]));
}

#[tokio::test]
async fn a_block_that_does_not_decode_is_not_quoted_in_the_error() {
    let mut h = Harness::new().await;
    let broken = json!({"id": BLOCK_ID, "data": {"value": PASSWORD}});
    h.mock("GET", &format!("/block_documents/{BLOCK_ID}"))
        .match_query(mockito::Matcher::Any)
        .with_body(broken.to_string())
        .create_async()
        .await;
    let err = h.err("get_block", json!({"block": BLOCK_ID})).await;
    assert!(!err.contains(PASSWORD), "{err}");
    assert!(err.contains("may hold secrets"), "{err}");
}

#[tokio::test]
async fn a_block_name_without_its_type_is_refused_before_any_request() {
    let mut h = Harness::new().await;
    let watch = h.watch_for_requests().await;
    let err = h.err("get_block", json!({"block": "mcp-secret"})).await;
    assert!(err.contains("\"type-slug/name\""), "{err}");
    let err = h
        .err("list_blocks", json!({"block_type": "S3 Bucket"}))
        .await;
    assert!(err.contains("lowercase letters"), "{err}");
    watch.assert_nothing_sent();
}
