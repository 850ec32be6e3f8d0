//! The work pool, work queue and automation writes, the variables toolset, and the tool list
//! the writes add (annotations from the declarations, read-only).

use prefect_mcp_server::mcp::declarations::Effect;
use prefect_mcp_server::mcp::{McpServer, ServerOptions};
use serde_json::json;

use crate::fixtures::*;
use crate::harness::*;

#[tokio::test]
async fn work_pools_and_queues_send_only_is_paused() {
    let mut h = Harness::new().await;
    h.answer("GET", "/work_pools/mcp-pool", WORK_POOL).await;
    let pool = body_where(h.mock("PATCH", "/work_pools/mcp-pool"), |b| {
        b == &json!({"is_paused": true})
    })
    .with_status(204)
    .create_async()
    .await;
    let done = h.ok("pause_work_pool", json!({"name": "mcp-pool"})).await;
    pool.assert_async().await;
    assert_eq!(done["is_paused"], true);

    let queue = parse(WORK_QUEUES)[0].clone();
    h.answer(
        "GET",
        "/work_pools/mcp-pool/queues/default",
        &queue.to_string(),
    )
    .await;
    let patch = body_where(
        h.mock(
            "PATCH",
            &format!("/work_queues/{}", queue["id"].as_str().unwrap()),
        ),
        |b| b == &json!({"is_paused": false}),
    )
    .with_status(204)
    .create_async()
    .await;
    h.ok(
        "resume_work_queue",
        json!({"work_pool": "mcp-pool", "name": "default"}),
    )
    .await;
    patch.assert_async().await;

    h.fail(
        "GET",
        "/work_pools/mcp-pool/queues/nope",
        404,
        r#"{"detail":"Work queue not found."}"#,
    )
    .await;
    h.answer("POST", "/work_pools/mcp-pool/queues/filter", WORK_QUEUES)
        .await;
    let err = h
        .err(
            "pause_work_queue",
            json!({"work_pool": "mcp-pool", "name": "nope"}),
        )
        .await;
    assert!(
        err.contains("no queue named \"nope\"") && err.contains("default"),
        "{err}"
    );
    let err = h
        .refused("pause_work_queue", json!({"work_pool": " ", "name": "x"}))
        .await;
    assert!(err.contains("work_pool must not be empty"), "{err}");
}

#[tokio::test]
async fn automations_are_enabled_and_disabled_by_id() {
    let mut h = Harness::new().await;
    let automation = parse(AUTOMATIONS)[0].clone();
    h.answer(
        "GET",
        &format!("/automations/{AUTOMATION_ID}"),
        &automation.to_string(),
    )
    .await;
    let patch = body_where(
        h.mock("PATCH", &format!("/automations/{AUTOMATION_ID}")),
        |b| b == &json!({"enabled": false}),
    )
    .with_status(204)
    .create_async()
    .await;
    let done = h
        .ok("disable_automation", json!({"automation": AUTOMATION_ID}))
        .await;
    patch.assert_async().await;
    assert_eq!(done["enabled"], false);
    assert_eq!(done["automation_name"], "mcp-notify-on-failure");
}

#[tokio::test]
async fn variables_are_set_created_or_updated_and_deleted_only_when_allowed() {
    let variable = json!({"id": "6a0c8a55-31b4-4c4a-9a0e-0cf0a3a0e1aa", "name": "limits",
        "value": {"max": 3}, "tags": ["ops"], "created": "2026-12-01T10:00:00Z",
        "updated": "2026-12-01T10:00:00Z"});
    let mut h = Harness::new().await;
    h.fail(
        "GET",
        "/variables/name/limits",
        404,
        r#"{"detail":"Variable not found."}"#,
    )
    .await;
    let create = h
        .answer_to(
            "POST",
            "/variables/",
            json!({"name": "limits", "value": {"max": 3}}),
            &variable.to_string(),
        )
        .await;
    let done = h
        .ok(
            "set_variable",
            json!({"name": "limits", "value": {"max": 3}}),
        )
        .await;
    create.assert_async().await;
    assert_eq!(done["created"], true);

    // Replacing a value is a change a person confirms: unasked, nothing is sent.
    let mut h = Harness::new().await;
    h.answer("GET", "/variables/name/limits", &variable.to_string())
        .await;
    let untouched = h
        .mock("PATCH", "/variables/name/limits")
        .expect(0)
        .create_async()
        .await;
    let err = h
        .err("set_variable", json!({"name": "limits", "value": 4}))
        .await;
    untouched.assert_async().await;
    assert!(
        err.contains(r#"Replace the value of variable "limits": {"max":3} -> 4"#)
            && err.contains("nothing was changed"),
        "{err}"
    );
    // The same value again overwrites nothing: nothing to ask, nothing sent.
    let same = h
        .ok(
            "set_variable",
            json!({"name": "limits", "value": {"max": 3}}),
        )
        .await;
    assert_eq!(same["created"], false);
    untouched.assert_async().await;

    let mut h = unconfirmed().await;
    h.answer("GET", "/variables/name/limits", &variable.to_string())
        .await;
    let update = body_where(h.mock("PATCH", "/variables/name/limits"), |b| {
        b == &json!({"value": 4})
    })
    .with_status(204)
    .create_async()
    .await;
    let done = h
        .ok("set_variable", json!({"name": "limits", "value": 4}))
        .await;
    update.assert_async().await;
    assert_eq!(done["created"], false);
    let mut h = Harness::new().await;
    h.answer("GET", "/variables/name/limits", &variable.to_string())
        .await;
    let err = h.err("delete_variable", json!({"name": "limits"})).await;
    assert!(
        err.contains(r#"Delete variable "limits" (value {"max":3})? This cannot be undone."#),
        "{err}"
    );

    let mut h = unconfirmed().await;
    h.answer("GET", "/variables/name/limits", &variable.to_string())
        .await;
    let delete = h
        .mock("DELETE", "/variables/name/limits")
        .with_status(204)
        .create_async()
        .await;
    h.ok("delete_variable", json!({"name": "limits"})).await;
    delete.assert_async().await;
}

#[tokio::test]
async fn variable_arguments_are_checked_first() {
    let mut h = Harness::new().await;
    let err = h
        .refused("set_variable", json!({"name": "x", "value": null}))
        .await;
    assert!(err.contains("value must not be null"), "{err}");
    let long = "v".repeat(300);
    let err = h.refused("get_variable", json!({"name": long})).await;
    assert!(err.contains("at most 255 characters, got 300"), "{err}");
    let err = h.refused("list_variables", json!({"limit": 0})).await;
    assert!(err.contains("limit must be between 1 and 200"), "{err}");
}

#[tokio::test]
async fn listed_annotations_are_the_declarations_and_read_only_keeps_only_the_reads() {
    let h = Harness::new().await;
    let listed = h.server.tools();
    for (_, declared) in McpServer::declared() {
        let tool = listed.iter().find(|t| t.name == declared.name).unwrap();
        assert_eq!(
            serde_json::to_value(&tool.annotations).unwrap(),
            serde_json::to_value(declared.annotations()).unwrap(),
            "{}",
            declared.name
        );
    }
    let hint = |name: &str| {
        let tool = listed.iter().find(|t| t.name == name).unwrap();
        tool.annotations.as_ref().unwrap().destructive_hint
    };
    // Spot checks of the declarations themselves, as a client reads them.
    assert_eq!(hint("delete_variable"), Some(true));
    assert_eq!(hint("pause_work_pool"), Some(false));
    assert_eq!(hint("list_variables"), None);

    let read_only = Harness::with_options(ServerOptions {
        read_only: true,
        ..every_toolset()
    })
    .await;
    let kept: Vec<String> = read_only
        .server
        .tools()
        .into_iter()
        .map(|t| t.name.into_owned())
        .collect();
    let reads: Vec<String> = McpServer::declared()
        .filter(|(_, d)| d.effect == Effect::Reads)
        .map(|(_, d)| d.name.to_string())
        .collect();
    let mut kept_sorted = kept.clone();
    kept_sorted.sort();
    let mut reads_sorted = reads.clone();
    reads_sorted.sort();
    assert_eq!(kept_sorted, reads_sorted);
}
