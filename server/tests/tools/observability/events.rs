//! read_events: the filter and window it sends, following pages up to the limit, and the times
//! and resources it refuses.

use mockito::Matcher;
use serde_json::json;

use crate::fixtures::*;
use crate::harness::*;

#[tokio::test]
async fn read_events_shows_names_resources_and_small_payloads_newest_first() {
    let mut h = Harness::new().await;
    let read = body_where(h.mock("POST", "/events/filter"), |body| {
        body["limit"] == 3
            && body["filter"]["order"] == "DESC"
            && body["filter"]["occurred"]["since"].is_string()
            && body["filter"]["occurred"]["until"].is_string()
    })
    .with_body(EVENTS)
    .create_async()
    .await;
    let events = h.ok("read_events", json!({"limit": 3})).await;
    read.assert_async().await;
    assert_eq!(events["count"], 3);
    assert_eq!(events["total"], 81);
    assert_eq!(events["more_available"], true);
    let first = &events["events"][0];
    assert_eq!(first["event"], "prefect.automation.action.executed");
    assert_eq!(first["resource"]["name"], "mcp-notify-on-failure");
    assert_eq!(first["resource"]["labels"]["prefect.posture"], "Reactive");
    assert_eq!(first["related"][1]["role"], "triggering-event");
    assert_eq!(first["payload"]["action_type"], "do-nothing");
}

#[tokio::test]
async fn read_events_follows_the_next_page_up_to_the_limit() {
    let mut h = Harness::new().await;
    let first_page = parse(EVENTS);
    let next = first_page["next_page"].as_str().unwrap();
    let token = next.split_once("page-token=").unwrap().1.to_string();
    h.answer("POST", "/events/filter", EVENTS).await;
    let last_page = with(EVENTS, json!({"next_page": null}));
    let second = h
        .mock("GET", "/events/filter/next")
        .match_query(Matcher::UrlEncoded("page-token".into(), token))
        .with_body(last_page)
        .create_async()
        .await;
    let events = h.ok("read_events", json!({"limit": 5})).await;
    second.assert_async().await;
    assert_eq!(events["count"], 5);
    assert_eq!(events["events"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn read_events_sends_prefix_resource_and_window() {
    let mut h = Harness::new().await;
    let resource = format!("prefect.flow-run.{FAILED_RUN_ID}");
    let expected_resource = resource.clone();
    let read = body_where(h.mock("POST", "/events/filter"), move |body| {
        let filter = &body["filter"];
        filter["event"]["prefix"] == json!(["prefect.flow-run."])
            && filter["any_resource"]["id"] == json!([expected_resource])
            && filter["occurred"]["since"]
                .as_str()
                .is_some_and(|t| t.starts_with("2026-11-30T10:00:00"))
            && filter["occurred"]["until"]
                .as_str()
                .is_some_and(|t| t.starts_with("2026-11-30T12:00:00"))
    })
    .with_body(r#"{"events": [], "total": 0, "next_page": null}"#)
    .create_async()
    .await;
    let events = h
        .ok(
            "read_events",
            json!({
                "event_prefix": "prefect.flow-run.",
                "resource_id": resource,
                "since": "2026-11-30T10:00:00Z",
                "until": "2026-11-30T14:00:00+02:00"
            }),
        )
        .await;
    read.assert_async().await;
    assert_eq!(events["count"], 0);
    assert_eq!(events["more_available"], false);
}

#[tokio::test]
async fn read_events_refuses_a_time_without_a_zone() {
    let mut h = Harness::new().await;
    let err = h
        .refused("read_events", json!({"since": "2026-11-30 10:00"}))
        .await;
    assert!(err.contains("since must be an RFC 3339 timestamp"), "{err}");
    assert!(err.contains("\"2026-11-30 10:00\""), "{err}");
}

#[tokio::test]
async fn read_events_refuses_a_bare_uuid_as_resource() {
    let mut h = Harness::new().await;
    let err = h
        .refused("read_events", json!({"resource_id": FAILED_RUN_ID}))
        .await;
    assert!(
        err.contains(&format!("\"prefect.flow-run.{FAILED_RUN_ID}\"")),
        "{err}"
    );
}

#[tokio::test]
async fn read_events_refuses_a_window_that_ends_before_it_starts() {
    let mut h = Harness::new().await;
    let err = h
        .refused(
            "read_events",
            json!({"since": "2026-11-30T12:00:00Z", "until": "2026-11-30T10:00:00Z"}),
        )
        .await;
    assert!(err.contains("since must be the earlier time"), "{err}");
}
