//! The operations write tools (work pools, work queues, automations) and the variables toolset,
//! against a real Prefect, on throwaway objects so that the sample world stays as other tests
//! expect it; every effect is read back from Prefect's REST API.

mod writes_support;

use integration_tests::*;
use serde_json::json;
use writes_support::{unique, Rest};

#[tokio::test]
async fn pause_and_resume_a_work_pool_and_one_of_its_queues() {
    let (rest, s) = (Rest::new(), connect().await.unwrap());
    let pool = unique("writes-pool");
    rest.ok(
        "POST",
        "/work_pools/",
        Some(json!({"name": pool, "type": "process"})),
    )
    .await;
    rest.ok(
        "POST",
        &format!("/work_pools/{pool}/queues"),
        Some(json!({"name": "q1", "concurrency_limit": 3})),
    )
    .await;
    let paused = call_ok(&s, "pause_work_pool", json!({"name": pool})).await;
    assert_eq!(paused["is_paused"], true, "{paused}");
    assert_eq!(
        rest.get(&format!("/work_pools/{pool}")).await["is_paused"],
        true
    );
    call_ok(&s, "resume_work_pool", json!({"name": pool})).await;
    assert_eq!(
        rest.get(&format!("/work_pools/{pool}")).await["is_paused"],
        false
    );

    let queue = format!("/work_pools/{pool}/queues/q1");
    let paused = call_ok(
        &s,
        "pause_work_queue",
        json!({"work_pool": pool, "name": "q1"}),
    )
    .await;
    assert_eq!(paused["is_paused"], true, "{paused}");
    let read = rest.get(&queue).await;
    assert_eq!(read["is_paused"], true, "{read}");
    assert_eq!(
        read["concurrency_limit"], 3,
        "its other settings stay: {read}"
    );
    call_ok(
        &s,
        "resume_work_queue",
        json!({"work_pool": pool, "name": "q1"}),
    )
    .await;
    assert_eq!(rest.get(&queue).await["is_paused"], false);

    let err = call_err(
        &s,
        "pause_work_queue",
        json!({"work_pool": pool, "name": "nope"}),
    )
    .await;
    assert!(err.contains("nope") && err.contains("q1"), "{err}");
    let err = call_err(
        &s,
        "pause_work_pool",
        json!({"name": unique("no-such-pool")}),
    )
    .await;
    assert!(err.contains("Not found"), "{err}");
    rest.ok("DELETE", &format!("/work_pools/{pool}"), None)
        .await;
}

#[tokio::test]
async fn pool_and_queue_settings_change_and_a_paused_queue_stays_paused() {
    let (rest, s) = (Rest::new(), connect().await.unwrap());
    let pool = unique("settings-pool");
    rest.ok(
        "POST",
        "/work_pools/",
        Some(json!({"name": pool, "type": "process", "concurrency_limit": 4})),
    )
    .await;
    rest.ok(
        "POST",
        &format!("/work_pools/{pool}/queues"),
        Some(json!({"name": "q1", "is_paused": true})),
    )
    .await;

    let changed = call_ok(
        &s,
        "update_work_pool",
        json!({"name": pool, "concurrency_limit": 0, "description": "nightly loads"}),
    )
    .await;
    assert_eq!(
        changed["changed"][0],
        json!({"field": "concurrency_limit", "old": 4, "new": null})
    );
    let read = rest.get(&format!("/work_pools/{pool}")).await;
    assert_eq!(
        (
            read["concurrency_limit"].clone(),
            read["description"].clone()
        ),
        (json!(null), json!("nightly loads")),
        "{read}"
    );

    // A limit and priority 1 for the paused q1: it stays paused, and Prefect moves the pool's
    // default queue (priority 1 until now) down.
    let changed = call_ok(
        &s,
        "update_work_queue",
        json!({"work_pool": pool, "name": "q1", "concurrency_limit": 2, "priority": 1}),
    )
    .await;
    assert!(
        changed["message"].as_str().unwrap().contains("renumbers"),
        "{changed}"
    );
    let q1 = rest.get(&format!("/work_pools/{pool}/queues/q1")).await;
    assert_eq!(
        (
            q1["is_paused"].clone(),
            q1["concurrency_limit"].clone(),
            q1["priority"].clone()
        ),
        (json!(true), json!(2), json!(1)),
        "{q1}"
    );
    let default = rest
        .get(&format!("/work_pools/{pool}/queues/default"))
        .await;
    assert_ne!(default["priority"], 1, "{default}");

    let err = call_err(
        &s,
        "update_work_queue",
        json!({"work_pool": pool, "name": "nope", "priority": 2}),
    )
    .await;
    assert!(err.contains("nope") && err.contains("q1"), "{err}");
    rest.ok("DELETE", &format!("/work_pools/{pool}"), None)
        .await;
}

#[tokio::test]
async fn enable_and_disable_an_automation_by_name_or_id() {
    let (rest, s) = (Rest::new(), connect().await.unwrap());
    let name = unique("writes-automation");
    let created = rest
        .ok(
            "POST",
            "/automations/",
            Some(json!({"name": name, "enabled": true,
                "trigger": {"type": "event", "posture": "Reactive", "expect": ["x.never"],
                            "threshold": 1, "within": 0},
                "actions": [{"type": "do-nothing"}]})),
        )
        .await;
    let id = created["id"].as_str().unwrap().to_string();
    let disabled = call_ok(&s, "disable_automation", json!({"automation": name})).await;
    assert_eq!(disabled["enabled"], false, "{disabled}");
    assert_eq!(
        rest.get(&format!("/automations/{id}")).await["enabled"],
        false
    );
    let enabled = call_ok(&s, "enable_automation", json!({"automation": id})).await;
    assert_eq!(enabled["automation_name"], name.as_str(), "{enabled}");
    assert_eq!(
        rest.get(&format!("/automations/{id}")).await["enabled"],
        true
    );
    let err = call_err(
        &s,
        "enable_automation",
        json!({"automation": "no such automation"}),
    )
    .await;
    assert!(err.contains("Not found"), "{err}");
    rest.ok("DELETE", &format!("/automations/{id}"), None).await;
}

#[tokio::test]
async fn variables_are_listed_read_set_and_deleted() {
    let (rest, s) = (Rest::new(), connect().await.unwrap());
    let listed = call_ok(&s, "list_variables", json!({"limit": 200})).await;
    let names: Vec<&str> = listed["variables"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["name"].as_str())
        .collect();
    assert!(
        names.contains(&"mcp_threshold") && names.contains(&"mcp_settings"),
        "{listed}"
    );
    let settings = call_ok(&s, "get_variable", json!({"name": "mcp_settings"})).await;
    assert_eq!(
        settings["value"],
        json!({"region": "eu-west", "retries": 3}),
        "{settings}"
    );
    assert_eq!(settings["tags"], json!(["mcp-demo"]));

    let name = unique("writes_var").replace('-', "_");
    let set = call_ok(
        &s,
        "set_variable",
        json!({"name": name, "value": [1, "two"]}),
    )
    .await;
    assert_eq!(set["created"], true, "{set}");
    let path = format!("/variables/name/{name}");
    assert_eq!(rest.get(&path).await["value"], json!([1, "two"]));
    // Replacing a value needs a person: unasked, the old value stays.
    let err = call_err(&s, "set_variable", json!({"name": name, "value": 3})).await;
    assert!(
        err.contains(r#"[1,"two"] -> 3"#) && err.contains("nothing was changed"),
        "{err}"
    );
    assert_eq!(rest.get(&path).await["value"], json!([1, "two"]));
    let set = call_ok(
        &connect_with(Launch::default().arg("--allow-unconfirmed-writes"))
            .await
            .unwrap(),
        "set_variable",
        json!({"name": name, "value": {"on": true}, "tags": ["t"]}),
    )
    .await;
    assert_eq!(set["created"], false, "{set}");
    let read = rest.get(&path).await;
    assert_eq!(
        (read["value"].clone(), read["tags"].clone()),
        (json!({"on": true}), json!(["t"]))
    );

    // Deleting cannot be undone: refused without a person or the operator's flag.
    let err = call_err(&s, "delete_variable", json!({"name": name})).await;
    assert!(
        err.contains(&format!("Delete variable \"{name}\""))
            && err.contains("--allow-unconfirmed-writes"),
        "{err}"
    );
    rest.get(&path).await;
    let allowed =
        connect_with(Launch::default().env("PREFECT_MCP_ALLOW_UNCONFIRMED_WRITES", "true"))
            .await
            .unwrap();
    let deleted = call_ok(&allowed, "delete_variable", json!({"name": name})).await;
    assert_eq!(deleted["deleted"], true, "{deleted}");
    let (status, _) = rest.send("GET", &path, None).await;
    assert_eq!(status, 404);
    let err = call_err(&s, "get_variable", json!({"name": name})).await;
    assert!(err.contains("Not found"), "{err}");
    let err = call_err(&s, "set_variable", json!({"name": "", "value": 1})).await;
    assert!(err.contains("name must not be empty"), "{err}");
}
