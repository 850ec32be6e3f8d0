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

#[tokio::test]
async fn the_sample_secret_is_in_no_answer_error_or_log_line() {
    const PASSWORD: &str = "sample-not-a-real-password";
    let rest = Rest::new();
    let raw = rest
        .get("/block_types/slug/secret/block_documents/name/mcp-secret")
        .await;
    assert!(raw.to_string().contains(PASSWORD), "not seeded: {raw}");
    let id = raw["id"].as_str().unwrap();
    let mut server = RawStdioServer::start();
    let calls = [
        json!({"name": "get_block", "arguments": {"block": "secret/mcp-secret"}}),
        json!({"name": "get_block", "arguments": {"block": id}}),
        json!({"name": "list_blocks", "arguments": {"limit": 200}}),
        json!({"name": "list_blocks", "arguments": {"block_type": "secret"}}),
        json!({"name": "get_block", "arguments": {"block": "secret/mcp-secret/x"}}),
        json!({"name": "get_block", "arguments": {"block": "mcp-secret"}}),
    ];
    let mut every_byte = String::new();
    for (i, params) in calls.iter().enumerate() {
        let reply = server.request(10 + i as u64, "tools/call", params.clone());
        every_byte.push_str(&reply.to_string());
        every_byte.extend(server.logs_until(|line| line.contains("tool call finished")));
    }
    assert!(every_byte.contains("mcp-secret"), "{every_byte}");
    assert!(!every_byte.contains(PASSWORD), "{every_byte}");
}
