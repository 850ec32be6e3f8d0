//! Flow tools against the real sample world.

use integration_tests::*;
use serde_json::json;

#[tokio::test]
async fn get_flow_by_name_and_by_id_agree() {
    let s = connect().await.unwrap();
    let by_name = call_ok(&s, "get_flow_by_name", json!({"name": "mcp-hello"})).await;
    assert_eq!(by_name["name"], "mcp-hello");
    assert!(by_name["tags"].as_array().unwrap().contains(&json!("fast")));
    let by_id = call_ok(&s, "get_flow_by_id", json!({"flow_id": by_name["id"]})).await;
    assert_eq!(by_id, by_name);
}

#[tokio::test]
async fn names_with_spaces_and_unicode_work() {
    let s = connect().await.unwrap();
    let flow = call_ok(&s, "get_flow_by_name", json!({"name": "mcp ünïcode flow"})).await;
    assert_eq!(flow["name"], "mcp ünïcode flow");
}

#[tokio::test]
async fn missing_flow_is_a_not_found_error_naming_it() {
    let s = connect().await.unwrap();
    let err = call_err(&s, "get_flow_by_name", json!({"name": "no-such-flow"})).await;
    assert!(
        err.contains("Not found") && err.contains("no-such-flow"),
        "{err}"
    );
    let err = call_err(
        &s,
        "get_flow_by_id",
        json!({"flow_id": "00000000-0000-4000-8000-000000000000"}),
    )
    .await;
    assert!(
        err.contains("Not found") && err.contains("00000000-0000-4000-8000-000000000000"),
        "{err}"
    );
}

#[tokio::test]
async fn malformed_uuid_is_rejected_with_a_hint() {
    let s = connect().await.unwrap();
    let err = call_err(&s, "get_flow_by_id", json!({"flow_id": "mcp-hello"})).await;
    assert!(
        err.contains("flow_id must be a UUID") && err.contains("get_flow_by_name"),
        "{err}"
    );
}

#[tokio::test]
async fn list_flows_pages_in_name_order() {
    let s = connect().await.unwrap();
    let all = call_ok(&s, "list_flows", json!({})).await;
    let all_names = names(&all, "flows");
    assert_eq!(all["count"], all_names.len());
    for expected in [
        "mcp-fail",
        "mcp-hello",
        "mcp-params",
        "mcp-scheduled",
        "mcp-slow",
    ] {
        assert!(
            all_names.contains(&expected.to_string()),
            "{expected} missing from {all_names:?}"
        );
    }
    let mut sorted = all_names.clone();
    sorted.sort();
    assert_eq!(all_names, sorted, "flows come sorted by name");

    let page = call_ok(&s, "list_flows", json!({"limit": 2, "offset": 1})).await;
    assert_eq!(names(&page, "flows"), all_names[1..3].to_vec());
    assert_eq!(page["count"], 2);
}

#[tokio::test]
async fn list_limits_are_checked() {
    let s = connect().await.unwrap();
    for limit in [0, 500] {
        let err = call_err(&s, "list_flows", json!({"limit": limit})).await;
        assert!(err.contains("limit must be between 1 and 200"), "{err}");
    }
    let err = call_err(&s, "list_flows", json!({"offset": -1})).await;
    assert!(err.contains("offset must be 0 or more"), "{err}");
}

#[tokio::test]
async fn search_flows_by_name_is_case_insensitive_substring() {
    let s = connect().await.unwrap();
    let found = call_ok(&s, "search_flows", json!({"name": "HELL"})).await;
    assert_eq!(names(&found, "flows"), vec!["mcp-hello"]);
}

#[tokio::test]
async fn search_flows_tags_must_all_match_and_combine_with_name() {
    let s = connect().await.unwrap();
    let demo = names(
        &call_ok(&s, "search_flows", json!({"tags": ["mcp-demo"]})).await,
        "flows",
    );
    assert!(demo.len() >= 6, "{demo:?}");
    let both = call_ok(&s, "search_flows", json!({"tags": ["mcp-demo", "failing"]})).await;
    assert_eq!(names(&both, "flows"), vec!["mcp-fail"]);
    let none = call_ok(&s, "search_flows", json!({"tags": ["failing", "fast"]})).await;
    assert_eq!(none["count"], 0, "no flow carries both tags: {none}");
    let combined = call_ok(&s, "search_flows", json!({"name": "mcp", "tags": ["slow"]})).await;
    assert_eq!(names(&combined, "flows"), vec!["mcp-slow"]);
    let mismatch = call_ok(
        &s,
        "search_flows",
        json!({"name": "hello", "tags": ["slow"]}),
    )
    .await;
    assert_eq!(mismatch["count"], 0);
}

#[tokio::test]
async fn misspelt_or_mistyped_arguments_are_errors_naming_the_argument() {
    let s = connect().await.unwrap();
    let err = call_err(&s, "search_flows", json!({"nam": "hello"})).await;
    assert!(
        err.contains("unknown field `nam`") && err.contains("`name`"),
        "{err}"
    );
    let err = call_err(&s, "list_flows", json!({"limit": "5"})).await;
    assert!(
        err.contains("limit") && err.contains("invalid type"),
        "{err}"
    );
    let err = call_err(&s, "get_flow_by_id", json!({})).await;
    assert!(err.contains("missing field `flow_id`"), "{err}");
}
