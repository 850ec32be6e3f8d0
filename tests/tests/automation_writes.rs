//! set_automation and delete_automation against a real Prefect, on throwaway automations:
//! a definition copied from get_automation is taken back, replacing and deleting ask first,
//! and every effect is read back over REST.

mod writes_support;

use integration_tests::*;
use serde_json::json;
use writes_support::{unique, Rest};

#[tokio::test]
async fn an_automation_is_created_replaced_from_its_own_copy_and_deleted() {
    let (rest, s) = (Rest::new(), connect().await.unwrap());
    let name = unique("mcp-set-automation");
    let created = call_ok(
        &s,
        "set_automation",
        json!({"definition": {"name": name, "enabled": false,
            "trigger": {"type": "event", "posture": "Reactive", "expect": ["mcp.never"],
                        "threshold": 1, "within": 0},
            "actions": [{"type": "do-nothing"}]}}),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_string();
    let stored = rest.get(&format!("/automations/{id}")).await;
    assert_eq!(
        (stored["name"].clone(), stored["enabled"].clone()),
        (json!(name), json!(false)),
        "{stored}"
    );

    // get_automation's answer, edited, is a definition (its id, created and updated go).
    let mut copy = call_ok(&s, "get_automation", json!({"automation": id})).await;
    copy["trigger"]["expect"] = json!(["mcp.still-never"]);
    let err = call_err(
        &s,
        "set_automation",
        json!({"automation": name, "definition": copy}),
    )
    .await;
    assert!(
        err.contains(&format!("Replace automation \"{name}\" (disabled;"))
            && err.contains("mcp.still-never")
            && err.contains("nothing was changed"),
        "{err}"
    );
    let allowed = connect_with(Launch::default().arg("--allow-unconfirmed-writes"))
        .await
        .unwrap();
    let replaced = call_ok(
        &allowed,
        "set_automation",
        json!({"automation": id, "definition": copy}),
    )
    .await;
    assert_eq!(replaced["id"], json!(id), "{replaced}");
    let stored = rest.get(&format!("/automations/{id}")).await;
    assert_eq!(
        stored["trigger"]["expect"],
        json!(["mcp.still-never"]),
        "{stored}"
    );

    let err = call_err(&s, "delete_automation", json!({"automation": id})).await;
    assert!(err.contains("This cannot be undone."), "{err}");
    assert_eq!(
        rest.send("GET", &format!("/automations/{id}"), None)
            .await
            .0,
        200
    );
    call_ok(&allowed, "delete_automation", json!({"automation": name})).await;
    assert_eq!(
        rest.send("GET", &format!("/automations/{id}"), None)
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn a_definition_prefect_refuses_is_its_own_words_and_nothing_is_made() {
    let s = connect().await.unwrap();
    let name = unique("mcp-bad-automation");
    let err = call_err(
        &s,
        "set_automation",
        json!({"definition": {"name": name, "trigger": {"type": "no-such-trigger"},
                              "actions": [{"type": "do-nothing"}]}}),
    )
    .await;
    assert!(
        err.contains("422") || err.to_lowercase().contains("trigger"),
        "{err}"
    );
    let err = call_err(&s, "get_automation", json!({"automation": name})).await;
    assert!(
        err.contains("Not found") || err.contains("not found"),
        "{err}"
    );
}
