//! list_automations and get_automation against the seeded automation "mcp-notify-on-failure"
//! (reacts to prefect.flow-run.Failed, does nothing).

use integration_tests::*;
use serde_json::{json, Value};

const SEEDED: &str = "mcp-notify-on-failure";

fn assert_is_the_seeded_automation(automation: &Value) {
    assert_eq!(automation["name"], SEEDED, "{automation}");
    assert_eq!(automation["enabled"], true);
    let trigger = &automation["trigger"];
    assert_eq!(trigger["type"], "event", "{automation}");
    assert_eq!(trigger["posture"], "Reactive");
    assert_eq!(trigger["expect"], json!(["prefect.flow-run.Failed"]));
    assert_eq!(trigger["threshold"], 1);
    assert!(
        trigger.get("after").is_none(),
        "empty fields are dropped: {trigger}"
    );
    assert_eq!(automation["actions"], json!([{"type": "do-nothing"}]));
}

#[tokio::test]
async fn list_automations_shows_the_seeded_one_sorted_by_name() {
    let s = connect().await.unwrap();
    let list = call_ok(&s, "list_automations", json!({"limit": 200})).await;
    let all = names(&list, "automations");
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted);
    assert_eq!(list["count"], all.len());
    let seeded = list["automations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == SEEDED)
        .unwrap_or_else(|| panic!("{SEEDED} is missing: {list}"));
    assert_is_the_seeded_automation(seeded);
}

#[tokio::test]
async fn get_automation_by_name_and_by_id_agree() {
    let s = connect().await.unwrap();
    let by_name = call_ok(&s, "get_automation", json!({"automation": SEEDED})).await;
    assert_is_the_seeded_automation(&by_name);
    let by_id = call_ok(&s, "get_automation", json!({"automation": by_name["id"]})).await;
    assert_eq!(by_id, by_name);
}

#[tokio::test]
async fn unknown_automations_are_not_found_by_name_or_id() {
    let s = connect().await.unwrap();
    let err = call_err(
        &s,
        "get_automation",
        json!({"automation": "no-such-automation"}),
    )
    .await;
    assert!(
        err.contains("Not found") && err.contains("no-such-automation"),
        "{err}"
    );
    // Names are exact: another case is another name.
    let err = call_err(
        &s,
        "get_automation",
        json!({"automation": SEEDED.to_uppercase()}),
    )
    .await;
    assert!(err.contains("Not found"), "{err}");
    let err = call_err(
        &s,
        "get_automation",
        json!({"automation": "00000000-0000-4000-8000-000000000005"}),
    )
    .await;
    assert!(err.contains("Not found"), "{err}");
}

#[tokio::test]
async fn bad_arguments_are_rejected() {
    let s = connect().await.unwrap();
    let err = call_err(&s, "get_automation", json!({"automation": "  "})).await;
    assert!(err.contains("automation must not be empty"), "{err}");
    for limit in [0, 500] {
        let err = call_err(&s, "list_automations", json!({"limit": limit})).await;
        assert!(err.contains("limit must be between 1 and 200"), "{err}");
    }
}
