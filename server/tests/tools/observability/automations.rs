//! list_automations and get_automation: by name or by id, and a name that matches none or many.

use serde_json::json;

use crate::fixtures::*;
use crate::harness::*;

#[tokio::test]
async fn list_automations_sorts_by_name_and_compacts_triggers() {
    let mut h = Harness::new().await;
    let read = h
        .answer_to(
            "POST",
            "/automations/filter",
            json!({"sort": "NAME_ASC", "limit": 20, "offset": 0}),
            AUTOMATIONS,
        )
        .await;
    let found = h.ok("list_automations", json!({})).await;
    read.assert_async().await;
    assert_eq!(found["count"], 1);
    let automation = &found["automations"][0];
    assert_eq!(automation["name"], "mcp-notify-on-failure");
    assert_eq!(
        automation["trigger"]["expect"],
        json!(["prefect.flow-run.Failed"])
    );
    assert!(automation["trigger"].get("after").is_none(), "{automation}");
    assert_eq!(automation["actions"], json!([{"type": "do-nothing"}]));
    assert!(
        automation.get("actions_on_trigger").is_none(),
        "{automation}"
    );
}

#[tokio::test]
async fn get_automation_by_name_asks_for_that_exact_name() {
    let mut h = Harness::new().await;
    let read = body_where(h.mock("POST", "/automations/filter"), |body| {
        body["automations"]["name"] == json!({"any_": ["mcp-notify-on-failure"]})
            && body["limit"] == 2
    })
    .with_body(AUTOMATIONS)
    .create_async()
    .await;
    let automation = h
        .ok(
            "get_automation",
            json!({"automation": "mcp-notify-on-failure"}),
        )
        .await;
    read.assert_async().await;
    assert_eq!(automation["id"], AUTOMATION_ID);
    assert_eq!(automation["enabled"], true);
}

#[tokio::test]
async fn get_automation_by_id_reads_it_directly() {
    let mut h = Harness::new().await;
    let automation = parse(AUTOMATIONS)[0].to_string();
    let read = h
        .answer("GET", &format!("/automations/{AUTOMATION_ID}"), &automation)
        .await;
    let found = h
        .ok("get_automation", json!({"automation": AUTOMATION_ID}))
        .await;
    read.assert_async().await;
    assert_eq!(found["name"], "mcp-notify-on-failure");
}

#[tokio::test]
async fn get_automation_of_an_unknown_name_is_not_found() {
    let mut h = Harness::new().await;
    h.answer("POST", "/automations/filter", "[]").await;
    let err = h.err("get_automation", json!({"automation": "nope"})).await;
    assert!(
        err.contains("there is no automation named \"nope\""),
        "{err}"
    );
    assert!(err.contains("list_automations"), "{err}");
}

#[tokio::test]
async fn get_automation_of_a_shared_name_asks_for_the_id() {
    let mut h = Harness::new().await;
    let one = parse(AUTOMATIONS)[0].clone();
    let mut other = one.clone();
    other["id"] = "1bb2fabb-236f-41d4-bc7a-682cb19060a6".into();
    h.answer(
        "POST",
        "/automations/filter",
        &json!([one, other]).to_string(),
    )
    .await;
    let err = h
        .err(
            "get_automation",
            json!({"automation": "mcp-notify-on-failure"}),
        )
        .await;
    assert!(err.contains("More than one automation"), "{err}");
    assert!(
        err.contains(AUTOMATION_ID) && err.contains("1bb2fabb-236f-41d4-bc7a-682cb19060a6"),
        "{err}"
    );
}
