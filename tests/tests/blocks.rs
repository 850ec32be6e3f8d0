//! list_blocks and get_block against a real Prefect: a Secret block holding a JSON object,
//! which Prefect itself answers in clear, never shows its value through this server.

mod writes_support;

use integration_tests::*;
use serde_json::json;
use writes_support::{unique, Rest};

/// A Secret block as `Secret(value={...}).save(name)` makes it; its id.
async fn secret_block(rest: &Rest, name: &str, value: serde_json::Value) -> String {
    let block_type = rest.get("/block_types/slug/secret").await;
    let schemas = rest
        .ok(
            "POST",
            "/block_schemas/filter",
            Some(json!({"block_schemas": {"block_type_id": {"any_": [block_type["id"]]}}})),
        )
        .await;
    let schema = &schemas[0];
    let made = rest
        .ok(
            "POST",
            "/block_documents/",
            Some(json!({
                "name": name, "block_type_id": block_type["id"], "block_schema_id": schema["id"],
                "data": {"value": value}
            })),
        )
        .await;
    made["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_secret_block_holding_json_never_shows_its_value() {
    let rest = Rest::new();
    let name = unique("mcp-secret");
    let password = unique("pw-never-shown");
    let id = secret_block(&rest, &name, json!({"user": "bob", "password": password})).await;
    // What Prefect itself answers by default: the JSON in clear.
    let raw = rest.get(&format!("/block_documents/{id}")).await;
    assert!(
        raw.to_string().contains(&password),
        "Prefect masked it after all: {raw}"
    );

    let s = connect().await.unwrap();
    for block in [format!("secret/{name}"), id.clone()] {
        let result = call(&s, "get_block", json!({"block": block}))
            .await
            .unwrap();
        let wire = serde_json::to_string(&result).unwrap();
        assert!(!wire.contains(&password) && !wire.contains("bob"), "{wire}");
        let found = result.structured_content.unwrap();
        assert_eq!(found["fields"]["value"], "********", "{found}");
        assert_eq!(found["name"], name.as_str());
        assert_eq!(found["block_type"], "secret");
    }
    let listed = call(
        &s,
        "list_blocks",
        json!({"block_type": "secret", "limit": 200}),
    )
    .await
    .unwrap();
    let wire = serde_json::to_string(&listed).unwrap();
    assert!(wire.contains(&name) && !wire.contains(&password), "{wire}");

    let err = call_err(
        &s,
        "get_block",
        json!({"block": "secret/mcp-no-such-block"}),
    )
    .await;
    assert!(err.to_lowercase().contains("not found"), "{err}");
    rest.ok("DELETE", &format!("/block_documents/{id}"), None)
        .await;
}
