//! The concurrency toolset: limits listed with their use; set_concurrency_limit creates or
//! changes sending only what was given; reset and delete ask a person first and a tag limit's
//! reset also revokes its leases; bad names and sizes are refused before any request.

use serde_json::{json, Value};

use crate::harness::*;

const LIMIT_ID: &str = "3e9d2a4b-7c1f-4d8e-9a6b-2f5c8e1d7a30";

fn limit(name: &str, limit: i64, held: i64) -> Value {
    json!({
        "id": LIMIT_ID, "name": name, "limit": limit, "active": true,
        "active_slots": held, "slot_decay_per_second": 0.0,
        "created": "2026-12-01T00:00:00Z", "updated": "2026-12-01T00:00:00Z"
    })
}

const HOLDER_RUN_ID: &str = "5b0c3a8e-2d4f-4e6a-8b1c-9d7e6f5a4b3c";

/// A slot of the limit acquired or released by the holder run, as Prefect's event has it.
fn held(what: &str, occurred: &str) -> Value {
    json!({
        "id": uuid::Uuid::new_v4(), "occurred": occurred, "received": occurred,
        "event": format!("prefect.concurrency-limit.{what}"),
        "resource": {"prefect.resource.id": format!("prefect.concurrency-limit.{LIMIT_ID}"),
                     "prefect.resource.name": "mcp-limit", "slots-acquired": "1"},
        "related": [{"prefect.resource.id": format!("prefect.flow-run.{HOLDER_RUN_ID}"),
                     "prefect.resource.role": "flow-run"}],
        "payload": {}
    })
}

#[tokio::test]
async fn limits_are_listed_with_their_tag_and_whether_full() {
    let mut h = Harness::new().await;
    let list = json!([limit("mcp-limit", 1, 1), limit("tag:db", 5, 0)]);
    let read = h
        .answer_to(
            "POST",
            "/v2/concurrency_limits/filter",
            json!({"limit": 20, "offset": 0}),
            &list.to_string(),
        )
        .await;
    // The one held slot: a run acquired two and released one; the other limit holds none, so
    // only this one is asked about.
    let events = json!({"events": [
        held("released", "2026-12-01T10:02:00Z"),
        held("acquired", "2026-12-01T10:01:00Z"),
        held("acquired", "2026-12-01T10:00:00Z"),
    ], "total": 3, "next_page": null});
    let asked = body_where(h.mock("POST", "/events/filter"), |b| {
        b["filter"]["resource"]["id"] == json!([format!("prefect.concurrency-limit.{LIMIT_ID}")])
    })
    .with_header("content-type", "application/json")
    .with_body(events.to_string())
    .create_async()
    .await;
    let found = h.ok("list_concurrency_limits", json!({})).await;
    read.assert_async().await;
    asked.assert_async().await;
    assert_eq!(found["count"], 2);
    assert_eq!(found["concurrency_limits"][0]["full"], true);
    assert_eq!(
        found["concurrency_limits"][0]["held_by"],
        json!([{"flow_run_id": HOLDER_RUN_ID, "since": "2026-12-01T10:00:00Z", "slots": 1}])
    );
    assert_eq!(found["concurrency_limits"][0]["unexplained_slots"], 0);
    assert_eq!(found["concurrency_limits"][1]["tag"], "db");
    assert_eq!(found["concurrency_limits"][1]["full"], false);
}

#[tokio::test]
async fn set_creates_a_missing_limit_and_changes_only_what_was_given() {
    let mut h = Harness::new().await;
    // The lookup finds none (its one hit), then the read-back finds the new limit.
    h.mock("GET", "/v2/concurrency_limits/nightly")
        .with_status(404)
        .with_body(r#"{"detail": "Concurrency Limit not found"}"#)
        .expect(1)
        .create_async()
        .await;
    h.answer(
        "GET",
        "/v2/concurrency_limits/nightly",
        &limit("nightly", 3, 0).to_string(),
    )
    .await;
    let create = body_where(h.mock("POST", "/v2/concurrency_limits/"), |b| {
        b["name"] == "nightly" && b["limit"] == 3 && b["active"] == true && b["active_slots"] == 0
    })
    .with_status(201)
    .with_body(limit("nightly", 3, 0).to_string())
    .create_async()
    .await;
    let set = h
        .ok(
            "set_concurrency_limit",
            json!({"name": "nightly", "limit": 3}),
        )
        .await;
    create.assert_async().await;
    assert_eq!(set["created"], true);
    assert!(set.get("previous").is_none(), "{set}");
    assert_eq!(set["concurrency_limit"]["limit"], 3);

    let mut h = Harness::new().await;
    h.answer(
        "GET",
        "/v2/concurrency_limits/mcp-limit",
        &limit("mcp-limit", 1, 1).to_string(),
    )
    .await;
    let patch = body_where(h.mock("PATCH", "/v2/concurrency_limits/mcp-limit"), |b| {
        b == &json!({"limit": 4})
    })
    .with_status(204)
    .create_async()
    .await;
    let set = h
        .ok(
            "set_concurrency_limit",
            json!({"name": "mcp-limit", "limit": 4}),
        )
        .await;
    patch.assert_async().await;
    assert_eq!(set["created"], false);
    assert_eq!(set["previous"]["limit"], 1);
}

#[tokio::test]
async fn reset_and_delete_ask_first_and_a_tag_limit_reset_revokes_its_leases() {
    let mut h = Harness::new().await;
    h.answer(
        "GET",
        "/v2/concurrency_limits/tag:db",
        &limit("tag:db", 2, 2).to_string(),
    )
    .await;
    let watch = h.watch_for_requests().await;
    let err = h
        .err("reset_concurrency_limit", json!({"name": "tag:db"}))
        .await;
    assert!(
        err.contains("Free every slot of concurrency limit \"tag:db\" (2 of 2 slots held)")
            && err.contains("--allow-unconfirmed-writes"),
        "{err}"
    );
    assert!(
        watch.sent().iter().all(|r| r.starts_with("GET")),
        "{:?}",
        watch.sent()
    );
    let err = h
        .err("delete_concurrency_limit", json!({"name": "tag:db"}))
        .await;
    assert!(err.contains("Delete concurrency limit \"tag:db\""), "{err}");
    assert!(
        watch.sent().iter().all(|r| r.starts_with("GET")),
        "{:?}",
        watch.sent()
    );

    let mut h = unconfirmed().await;
    h.answer(
        "GET",
        "/v2/concurrency_limits/tag:db",
        &limit("tag:db", 2, 2).to_string(),
    )
    .await;
    let revoke = h
        .answer("POST", "/concurrency_limits/tag/db/reset", "null")
        .await;
    let free = body_where(h.mock("PATCH", "/v2/concurrency_limits/tag:db"), |b| {
        b == &json!({"active_slots": 0})
    })
    .with_status(204)
    .create_async()
    .await;
    let reset = h
        .ok("reset_concurrency_limit", json!({"name": "tag:db"}))
        .await;
    revoke.assert_async().await;
    free.assert_async().await;
    assert_eq!(reset["freed_slots"], 2);
}

#[tokio::test]
async fn bad_names_and_sizes_are_refused_before_any_request() {
    let mut h = Harness::new().await;
    let watch = h.watch_for_requests().await;
    let err = h
        .err("set_concurrency_limit", json!({"name": "a/b", "limit": 1}))
        .await;
    assert!(err.contains("anything but / % & > <"), "{err}");
    let err = h
        .err("set_concurrency_limit", json!({"name": "ok", "limit": -1}))
        .await;
    assert!(err.contains("limit") && err.contains("0"), "{err}");
    let err = h
        .err(
            "set_concurrency_limit",
            json!({"name": "ok", "limit": 1, "slot_decay_per_second": -2.0}),
        )
        .await;
    assert!(err.contains("slot_decay_per_second"), "{err}");
    let err = h
        .err("delete_concurrency_limit", json!({"name": " "}))
        .await;
    assert!(err.contains("must not be empty"), "{err}");
    watch.assert_nothing_sent();
}
