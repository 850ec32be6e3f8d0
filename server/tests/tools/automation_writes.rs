//! set_automation and delete_automation: a definition is sent as Prefect takes it (without the
//! keys get_automation adds), creating asks nothing, and replacing shows the person the
//! automation as it is and the whole new definition.

use serde_json::{json, Value};

use crate::fixtures::*;
use crate::harness::*;

fn copied_definition() -> Value {
    let mut definition = parse(AUTOMATIONS)[0].clone();
    definition["name"] = "mcp-notify-on-failure-copy".into();
    definition
}

#[tokio::test]
async fn a_copied_definition_is_created_without_its_read_only_keys() {
    let mut h = Harness::new().await;
    let mut sent = copied_definition();
    for key in ["id", "created", "updated"] {
        sent.as_object_mut().unwrap().remove(key);
    }
    let created = body_where(h.mock("POST", "/automations/"), move |b| b == &sent)
        .with_status(201)
        .with_header("content-type", "application/json")
        .with_body(copied_definition().to_string())
        .create_async()
        .await;
    let done = h
        .ok("set_automation", json!({"definition": copied_definition()}))
        .await;
    created.assert_async().await;
    assert_eq!(done["name"], "mcp-notify-on-failure-copy", "{done}");
    assert_eq!(done["id"], AUTOMATION_ID, "{done}");
}

#[tokio::test]
async fn replacing_and_deleting_ask_showing_the_automation_and_the_new_definition() {
    let mut h = Harness::new().await;
    h.answer(
        "GET",
        &format!("/automations/{AUTOMATION_ID}"),
        &parse(AUTOMATIONS)[0].to_string(),
    )
    .await;
    let watch = h.watch_for_requests().await;
    let definition = json!({"name": "quieter", "trigger": {"type": "event",
        "expect": ["x.never"]}, "actions": [{"type": "do-nothing"}]});
    let err = h
        .err(
            "set_automation",
            json!({"automation": AUTOMATION_ID, "definition": definition}),
        )
        .await;
    assert!(
        err.contains(
            "Replace automation \"mcp-notify-on-failure\" (enabled; trigger {\"expect\":[\"prefect.flow-run.Failed\"]"
        ) && err.contains(
            "actions [\"do-nothing\"]) with this definition: {\"actions\":[{\"type\":\"do-nothing\"}],\
             \"name\":\"quieter\",\"trigger\":{\"expect\":[\"x.never\"],\"type\":\"event\"}}? The \
             current one is not kept."
        ) && err.contains("nothing was changed"),
        "{err}"
    );
    let err = h
        .err("delete_automation", json!({"automation": AUTOMATION_ID}))
        .await;
    assert!(
        err.contains("Delete automation \"mcp-notify-on-failure\" (enabled;")
            && err.contains("This cannot be undone."),
        "{err}"
    );
    let writes: Vec<String> = watch
        .sent()
        .into_iter()
        .filter(|r| !r.starts_with("GET "))
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
}

#[tokio::test]
async fn a_definition_without_what_prefect_requires_is_refused_first() {
    let mut h = Harness::new().await;
    let watch = h.watch_for_requests().await;
    let err = h
        .refused(
            "set_automation",
            json!({"definition": {"name": "x", "actions": []}}),
        )
        .await;
    assert!(
        err.contains("definition.trigger") && err.contains("a \"trigger\" object"),
        "{err}"
    );
    let huge = "x".repeat(5000);
    let err = h
        .refused(
            "set_automation",
            json!({"automation": AUTOMATION_ID, "definition": {"name": "x",
                   "description": huge, "trigger": {}, "actions": []}}),
        )
        .await;
    assert!(err.contains("must be at most 4000 characters"), "{err}");
    assert!(watch.sent().is_empty(), "{:?}", watch.sent());
}
