//! read_events against the sample world: filters by resource and name, paging past Prefect's
//! 50-event pages, bad arguments.

use integration_tests::*;
use serde_json::{json, Value};

/// Far enough back for every event of the sample world, however old it is.
const SINCE_EVER: &str = "2000-01-01T00:00:00Z";

fn events(list: &Value) -> &Vec<Value> {
    list["events"].as_array().expect("events array")
}

fn ids(list: &Value) -> Vec<&str> {
    events(list)
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect()
}

/// When each event occurred, as instants: the text's fractional digits vary (`…:05Z`,
/// `…:05.120Z`, `…:05.120500Z`), so text order is not time order within a second.
fn instants(list: &Value) -> Vec<chrono::DateTime<chrono::Utc>> {
    events(list)
        .iter()
        .map(|e| e["occurred"].as_str().unwrap().parse().unwrap())
        .collect()
}

/// The first `n` events as (occurred, id), events of the same instant put in id order: PostgreSQL
/// returns ties in no fixed order from one query to the next. The last instant is left out, as
/// its ties may straddle the cut.
fn first_events(list: &Value, n: usize) -> Vec<(&str, &str)> {
    let mut head: Vec<(&str, &str)> = events(list)[..n]
        .iter()
        .map(|e| (e["occurred"].as_str().unwrap(), e["id"].as_str().unwrap()))
        .collect();
    if let Some(&(last, _)) = head.last() {
        head.retain(|(at, _)| *at != last);
    }
    head.sort_by(|a, b| b.0.cmp(a.0).then(a.1.cmp(b.1)));
    head
}

fn involves(event: &Value, resource: &str) -> bool {
    event["resource"]["id"] == resource
        || event["related"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == resource)
}

#[tokio::test]
async fn a_flow_runs_events_include_its_failure() {
    let s = connect().await.unwrap();
    let run = seed_run_id(&s, "seed-fail").await;
    let resource = format!("prefect.flow-run.{run}");
    let list = call_ok(
        &s,
        "read_events",
        json!({"resource_id": resource, "since": SINCE_EVER, "limit": 200}),
    )
    .await;
    assert!(
        events(&list).iter().all(|e| involves(e, &resource)),
        "{list}"
    );
    let failed = events(&list)
        .iter()
        .find(|e| e["event"] == "prefect.flow-run.Failed" && e["resource"]["id"] == resource)
        .unwrap_or_else(|| panic!("no Failed event for {resource}: {list}"));
    assert_eq!(failed["resource"]["name"], "seed-fail");
    assert!(failed["related"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["role"] == "flow" && r["name"] == "mcp-fail"));
    // Its task run's events name the flow run as related.
    assert!(
        events(&list).iter().any(|e| e["event"]
            .as_str()
            .unwrap()
            .starts_with("prefect.task-run.")),
        "{list}"
    );
    let stamps = instants(&list);
    assert!(
        stamps.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {stamps:?}"
    );
}

#[tokio::test]
async fn event_prefix_filters_by_name() {
    let s = connect().await.unwrap();
    let list = call_ok(
        &s,
        "read_events",
        json!({"event_prefix": "prefect.flow-run.", "since": SINCE_EVER, "limit": 100}),
    )
    .await;
    assert!(!events(&list).is_empty(), "{list}");
    assert!(events(&list).iter().all(|e| e["event"]
        .as_str()
        .unwrap()
        .starts_with("prefect.flow-run.")));
    // State changes carry their small payload (the state moved to).
    assert!(
        events(&list)
            .iter()
            .any(|e| e["payload"]["validated_state"]["type"].is_string()),
        "{list}"
    );
}

/// Prefect answers at most 50 events a page: more than that takes following `next_page`.
#[tokio::test]
async fn limits_above_prefects_page_size_follow_the_next_pages() {
    let s = connect().await.unwrap();
    // Every finished run leaves several events; make sure there are more than 80 in all, so that
    // the window below (which leaves out the newest 20) still holds more than 60.
    let mut total = 0;
    for _ in 0..30 {
        let probe = call_ok(&s, "read_events", json!({"since": SINCE_EVER, "limit": 1})).await;
        total = probe["total"].as_i64().unwrap();
        if total > 80 {
            break;
        }
        call_ok(
            &s,
            "create_flow_run_from_deployment",
            json!({"deployment_id": "mcp-hello/hello", "timeout": 120}),
        )
        .await;
    }
    assert!(
        total > 80,
        "could not make Prefect hold more than 80 events"
    );
    // A fixed window that ends at the 20th newest event: Prefect stores events a moment after
    // they occur (and other tests run meanwhile), so only the newest may still arrive and shift
    // the pages.
    let newest = call_ok(&s, "read_events", json!({"since": SINCE_EVER, "limit": 20})).await;
    let until = events(&newest).last().expect("20 events")["occurred"].clone();
    let window = |limit: i64| json!({"since": SINCE_EVER, "until": until, "limit": limit});

    // Sixty events take two of Prefect's pages. They may not all fit the answer's size bound:
    // what was cut from the end is counted in `truncated`, and the rest is in order.
    let kept_and_dropped = |list: &Value| {
        let kept = list["count"].as_u64().unwrap();
        let dropped = list["truncated"]["items_dropped"]["events"]
            .as_u64()
            .unwrap_or(0);
        (kept as usize, kept + dropped)
    };
    let sixty = call_ok(&s, "read_events", window(60)).await;
    let (kept_of_sixty, asked) = kept_and_dropped(&sixty);
    assert_eq!(asked, 60, "{}", sixty["total"]);
    assert!(kept_of_sixty > 30, "{sixty}");
    assert_eq!(
        sixty["more_available"],
        sixty["total"].as_i64().unwrap() > 60
    );
    let unique: std::collections::HashSet<&str> = ids(&sixty).into_iter().collect();
    assert_eq!(unique.len(), kept_of_sixty, "pages overlap");

    let fifty = call_ok(&s, "read_events", window(50)).await;
    let (kept_of_fifty, asked) = kept_and_dropped(&fifty);
    assert_eq!(asked, 50);
    let common = kept_of_sixty.min(kept_of_fifty);
    assert_eq!(
        first_events(&sixty, common),
        first_events(&fifty, common),
        "the first page is the same"
    );
    let stamps = instants(&sixty);
    assert!(
        stamps.windows(2).all(|w| w[0] >= w[1]),
        "newest first across pages: {stamps:?}"
    );

    let small = call_ok(&s, "read_events", window(5)).await;
    assert_eq!(small["count"], 5);
    assert_eq!(small["more_available"], true);
    assert!(
        small["total"].as_i64().unwrap() >= sixty["total"].as_i64().unwrap(),
        "a window's total can only grow as stored events arrive"
    );
}

#[tokio::test]
async fn the_default_window_is_the_last_24_hours() {
    let s = connect().await.unwrap();
    let list = call_ok(&s, "read_events", json!({"limit": 1})).await;
    let since = list["since"].as_str().unwrap();
    let until = list["until"].as_str().unwrap();
    assert!(since < until, "{list}");
    let bounded = call_ok(
        &s,
        "read_events",
        json!({"until": "2020-01-02T00:00:00Z", "limit": 1}),
    )
    .await;
    assert!(
        bounded["since"]
            .as_str()
            .unwrap()
            .starts_with("2020-01-01T00:00:00"),
        "{bounded}"
    );
    assert_eq!(bounded["count"], 0);
}

#[tokio::test]
async fn bad_arguments_are_rejected_with_what_is_valid() {
    let s = connect().await.unwrap();
    let err = call_err(&s, "read_events", json!({"since": "yesterday"})).await;
    assert!(err.contains("since must be an RFC 3339 timestamp"), "{err}");
    let err = call_err(&s, "read_events", json!({"until": "2025-05-01 12:00"})).await;
    assert!(err.contains("until must be an RFC 3339 timestamp"), "{err}");
    let err = call_err(
        &s,
        "read_events",
        json!({"since": "2025-05-02T00:00:00Z", "until": "2025-05-01T00:00:00Z"}),
    )
    .await;
    assert!(
        err.contains("since") && err.contains("after until"),
        "{err}"
    );
    let err = call_err(
        &s,
        "read_events",
        json!({"resource_id": "7654d9f4-54b9-4f7f-a408-a81ebc8a0142"}),
    )
    .await;
    assert!(err.contains("prefect.flow-run.7654d9f4"), "{err}");
    for limit in [0, 500] {
        let err = call_err(&s, "read_events", json!({"limit": limit})).await;
        assert!(err.contains("limit must be between 1 and 200"), "{err}");
    }
}
