//! The concurrency toolset against a real Prefect, on throwaway limits so that the seeded
//! "mcp-limit" stays as other tests expect it; every effect is read back over REST.

mod writes_support;

use integration_tests::*;
use serde_json::json;
use writes_support::{unique, Rest};

async fn allowed() -> Session {
    connect_with(Launch::default().arg("--allow-unconfirmed-writes"))
        .await
        .unwrap()
}

async fn hold_a_slot(rest: &Rest, name: &str) {
    rest.ok(
        "POST",
        "/v2/concurrency_limits/increment",
        Some(json!({"names": [name], "slots": 1, "mode": "concurrency"})),
    )
    .await;
}

#[tokio::test]
async fn a_limit_is_created_changed_freed_and_deleted() {
    let (rest, s) = (Rest::new(), connect().await.unwrap());
    let listed = call_ok(&s, "list_concurrency_limits", json!({"limit": 200})).await;
    let seeded = listed["concurrency_limits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "mcp-limit")
        .unwrap_or_else(|| panic!("the seeded limit is missing: {listed}"))
        .clone();
    assert_eq!(seeded["limit"], 1, "{seeded}");

    let name = unique("mcp-gcl");
    let path = format!("/v2/concurrency_limits/{name}");
    let set = call_ok(
        &s,
        "set_concurrency_limit",
        json!({"name": name, "limit": 2}),
    )
    .await;
    assert_eq!(set["created"], true, "{set}");
    let read = rest.get(&path).await;
    assert_eq!(
        (read["limit"].clone(), read["active"].clone()),
        (json!(2), json!(true))
    );

    hold_a_slot(&rest, &name).await;
    let set = call_ok(
        &s,
        "set_concurrency_limit",
        json!({"name": name, "limit": 1, "slot_decay_per_second": 0.0}),
    )
    .await;
    assert_eq!(set["created"], false, "{set}");
    assert_eq!(set["previous"]["limit"], 2, "{set}");
    assert_eq!(set["concurrency_limit"]["full"], true, "{set}");
    let read = rest.get(&path).await;
    assert_eq!(
        (read["limit"].clone(), read["active_slots"].clone()),
        (json!(1), json!(1))
    );

    // Freeing slots and deleting need a person: unasked, nothing changes.
    let err = call_err(&s, "reset_concurrency_limit", json!({"name": name})).await;
    assert!(
        err.contains(&format!(
            "Free every slot of concurrency limit \"{name}\" (1 of 1 slots held)"
        )) && err.contains("nothing was changed"),
        "{err}"
    );
    assert_eq!(rest.get(&path).await["active_slots"], 1);
    let reset = call_ok(
        &allowed().await,
        "reset_concurrency_limit",
        json!({"name": name}),
    )
    .await;
    assert_eq!(reset["freed_slots"], 1, "{reset}");
    assert_eq!(rest.get(&path).await["active_slots"], 0);

    let err = call_err(&s, "delete_concurrency_limit", json!({"name": name})).await;
    assert!(
        err.contains(&format!("Delete concurrency limit \"{name}\"")),
        "{err}"
    );
    rest.get(&path).await;
    let deleted = call_ok(
        &allowed().await,
        "delete_concurrency_limit",
        json!({"name": name}),
    )
    .await;
    assert_eq!(deleted["deleted"], true, "{deleted}");
    let (status, _) = rest.send("GET", &path, None).await;
    assert_eq!(status, 404);
    let err = call_err(&s, "delete_concurrency_limit", json!({"name": name})).await;
    assert!(err.to_lowercase().contains("not found"), "{err}");
}

#[tokio::test]
async fn a_tag_limit_is_listed_by_its_tag_and_its_slots_are_freed() {
    let rest = Rest::new();
    let tag = unique("mcp-tag");
    // As `prefect concurrency-limit create TAG 1` makes it: a global limit named tag:TAG.
    rest.ok(
        "POST",
        "/concurrency_limits/",
        Some(json!({"tag": tag, "concurrency_limit": 1})),
    )
    .await;
    let name = format!("tag:{tag}");
    hold_a_slot(&rest, &name).await;
    let s = allowed().await;
    let listed = call_ok(&s, "list_concurrency_limits", json!({"limit": 200})).await;
    let found = listed["concurrency_limits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == name.as_str())
        .unwrap_or_else(|| panic!("{name} is missing: {listed}"))
        .clone();
    assert_eq!(found["tag"], tag.as_str(), "{found}");
    assert_eq!(found["active_slots"], 1, "{found}");
    let reset = call_ok(&s, "reset_concurrency_limit", json!({"name": name})).await;
    assert_eq!(reset["freed_slots"], 1, "{reset}");
    assert_eq!(
        rest.get(&format!("/v2/concurrency_limits/{name}")).await["active_slots"],
        0
    );
    call_ok(&s, "delete_concurrency_limit", json!({"name": name})).await;
}

#[tokio::test]
async fn the_runs_holding_slots_are_named_and_the_rest_counted_unexplained() {
    let (rest, s) = (Rest::new(), connect().await.unwrap());
    let name = unique("mcp-held");
    let created = rest
        .ok(
            "POST",
            "/v2/concurrency_limits/",
            Some(json!({"name": name, "limit": 3})),
        )
        .await;
    let limit_id = created["id"].as_str().unwrap().to_string();
    hold_a_slot(&rest, &name).await;
    hold_a_slot(&rest, &name).await;
    // One of the two as a run inside Prefect reports it: an "acquired" event naming the run.
    let runs = rest
        .ok("POST", "/flow_runs/filter", Some(json!({"limit": 1})))
        .await;
    let run_id = runs[0]["id"].as_str().unwrap().to_string();
    let now = chrono::Utc::now().to_rfc3339();
    rest.ok(
        "POST",
        "/events",
        Some(json!([{
            "id": uuid::Uuid::new_v4(), "occurred": now,
            "event": "prefect.concurrency-limit.acquired",
            "resource": {"prefect.resource.id": format!("prefect.concurrency-limit.{limit_id}"),
                         "prefect.resource.name": name, "slots-acquired": "1", "limit": "3"},
            "related": [{"prefect.resource.id": format!("prefect.flow-run.{run_id}"),
                         "prefect.resource.role": "flow-run"}],
            "payload": {}
        }])),
    )
    .await;

    // Prefect stores events a moment after it takes them.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let listed = loop {
        let listed = call_ok(&s, "list_concurrency_limits", json!({"limit": 200})).await;
        let ours = listed["concurrency_limits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["name"] == json!(name))
            .cloned()
            .unwrap_or_else(|| panic!("{name} not listed: {listed}"));
        if ours["held_by"].as_array().is_some_and(|h| !h.is_empty()) {
            break ours;
        }
        assert!(std::time::Instant::now() < deadline, "no holder: {ours}");
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    };
    assert_eq!(
        listed["held_by"][0]["flow_run_id"],
        json!(run_id),
        "{listed}"
    );
    assert_eq!(listed["active_slots"], 2, "{listed}");
    assert_eq!(listed["unexplained_slots"], 1, "{listed}");
    rest.ok("DELETE", &format!("/v2/concurrency_limits/{name}"), None)
        .await;
}
