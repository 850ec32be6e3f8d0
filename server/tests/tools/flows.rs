//! get_flow_by_id, get_flow_by_name, list_flows, search_flows; and how Prefect's failures read,
//! shown once here on a flow call.

use serde_json::json;

use crate::fixtures::*;
use crate::harness::*;

#[tokio::test]
async fn get_flow_by_id_returns_the_flow_without_prefects_extra_fields() {
    let mut h = Harness::new().await;
    let read = h.answer("GET", &format!("/flows/{FLOW_ID}"), FLOW).await;
    let flow = h.ok("get_flow_by_id", json!({"flow_id": FLOW_ID})).await;
    read.assert_async().await;
    assert_eq!(flow["id"], FLOW_ID);
    assert_eq!(flow["name"], "mcp-hello");
    assert_eq!(flow["tags"], json!(["mcp-demo", "fast"]));
    assert_eq!(flow["created"], "2026-11-30T10:50:12.101511Z");
    assert!(flow.get("labels").is_none(), "{flow}");
}

#[tokio::test]
async fn get_flow_by_id_refuses_a_name_and_points_at_get_flow_by_name() {
    let mut h = Harness::new().await;
    let err = h
        .refused("get_flow_by_id", json!({"flow_id": "mcp-hello"}))
        .await;
    assert!(err.contains("flow_id must be a UUID"), "{err}");
    assert!(
        err.contains("\"mcp-hello\"") && err.contains("get_flow_by_name"),
        "{err}"
    );
}

#[tokio::test]
async fn get_flow_by_id_404_is_not_found_naming_the_flow() {
    let mut h = Harness::new().await;
    h.fail(
        "GET",
        &format!("/flows/{FLOW_ID}"),
        404,
        r#"{"detail":"Flow not found"}"#,
    )
    .await;
    let err = h.err("get_flow_by_id", json!({"flow_id": FLOW_ID})).await;
    assert!(err.starts_with("Not found while reading flow"), "{err}");
    assert!(
        err.contains(FLOW_ID) && err.contains("Flow not found"),
        "{err}"
    );
}

#[tokio::test]
async fn get_flow_by_id_without_its_argument_names_the_missing_one() {
    let mut h = Harness::new().await;
    let err = h.refused("get_flow_by_id", json!({})).await;
    assert!(err.contains("missing field `flow_id`"), "{err}");
}

#[tokio::test]
async fn get_flow_by_name_encodes_spaces_and_non_ascii_in_the_path() {
    let mut h = Harness::new().await;
    let unicode_flow = parse(FLOWS)[0].to_string();
    let read = h
        .answer(
            "GET",
            "/flows/name/mcp%20%C3%BCn%C3%AFcode%20flow",
            &unicode_flow,
        )
        .await;
    let flow = h
        .ok("get_flow_by_name", json!({"name": "mcp ünïcode flow"}))
        .await;
    read.assert_async().await;
    assert_eq!(flow["name"], "mcp ünïcode flow");
    assert_eq!(flow["tags"][1], "ünïcode");
}

#[tokio::test]
async fn get_flow_by_name_refuses_a_blank_name() {
    let mut h = Harness::new().await;
    let err = h.refused("get_flow_by_name", json!({"name": "  "})).await;
    assert!(err.contains("name must not be empty"), "{err}");
}

#[tokio::test]
async fn get_flow_by_name_refuses_a_misspelt_argument() {
    let mut h = Harness::new().await;
    let err = h
        .refused("get_flow_by_name", json!({"flow_name": "etl"}))
        .await;
    assert!(err.contains("unknown field `flow_name`"), "{err}");
    assert!(err.contains("`name`"), "the valid one is named: {err}");
}

#[tokio::test]
async fn get_flow_by_name_404_names_the_flow() {
    let mut h = Harness::new().await;
    h.fail(
        "GET",
        "/flows/name/nope",
        404,
        r#"{"detail":"Flow not found"}"#,
    )
    .await;
    let err = h.err("get_flow_by_name", json!({"name": "nope"})).await;
    assert!(
        err.contains("Not found") && err.contains("\"nope\""),
        "{err}"
    );
}

#[tokio::test]
async fn list_flows_pages_by_name_and_counts_what_it_holds() {
    let mut h = Harness::new().await;
    let read = h
        .answer_to(
            "POST",
            "/flows/filter",
            json!({"sort": "NAME_ASC", "limit": 3, "offset": 1}),
            FLOWS,
        )
        .await;
    let list = h.ok("list_flows", json!({"limit": 3, "offset": 1})).await;
    read.assert_async().await;
    assert_eq!(list["count"], 3);
    let names: Vec<&str> = list["flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["mcp ünïcode flow", "mcp-fail", "mcp-hello"]);
}

#[tokio::test]
async fn list_flows_defaults_to_twenty_from_the_start() {
    let mut h = Harness::new().await;
    let read = h
        .answer_to(
            "POST",
            "/flows/filter",
            json!({"sort": "NAME_ASC", "limit": 20, "offset": 0}),
            "[]",
        )
        .await;
    let list = h.ok("list_flows", json!({})).await;
    read.assert_async().await;
    assert_eq!(list, json!({"flows": [], "count": 0}));
}

#[tokio::test]
async fn list_flows_refuses_limits_outside_prefects_page_size() {
    let mut h = Harness::new().await;
    for bad in [0, 201, -5] {
        let err = h.refused("list_flows", json!({"limit": bad})).await;
        assert!(
            err.contains(&format!("limit must be between 1 and 200, got {bad}")),
            "{err}"
        );
    }
}

#[tokio::test]
async fn list_flows_refuses_a_negative_offset() {
    let mut h = Harness::new().await;
    let err = h.refused("list_flows", json!({"offset": -1})).await;
    assert!(err.contains("offset must be 0 or more, got -1"), "{err}");
}

#[tokio::test]
async fn list_flows_refuses_a_limit_given_as_text() {
    let mut h = Harness::new().await;
    let err = h.refused("list_flows", json!({"limit": "5"})).await;
    assert!(err.contains("limit: invalid type: string \"5\""), "{err}");
}

#[tokio::test]
async fn search_flows_sends_a_name_substring_and_all_tags() {
    let mut h = Harness::new().await;
    let flows = list(&[parse(FLOWS)[2].to_string()]);
    let read = h
        .answer_to(
            "POST",
            "/flows/filter",
            json!({
                "flows": {"name": {"like_": "hello"}, "tags": {"all_": ["mcp-demo", "fast"]}},
                "sort": "NAME_ASC",
                "limit": 5
            }),
            &flows,
        )
        .await;
    let found = h
        .ok(
            "search_flows",
            json!({"name": " hello ", "tags": ["mcp-demo", "fast"], "limit": 5}),
        )
        .await;
    read.assert_async().await;
    assert_eq!(found["count"], 1);
    assert_eq!(found["flows"][0]["id"], FLOW_ID);
}

#[tokio::test]
async fn search_flows_without_criteria_sends_no_name_or_tag_filter() {
    let mut h = Harness::new().await;
    let read = body_where(h.mock("POST", "/flows/filter"), |body| {
        body["flows"].get("name").is_none() && body["flows"].get("tags").is_none()
    })
    .with_body(FLOWS)
    .create_async()
    .await;
    let found = h.ok("search_flows", json!({"name": "", "tags": []})).await;
    read.assert_async().await;
    assert_eq!(found["count"], 3);
}

#[tokio::test]
async fn search_flows_refuses_tags_given_as_text() {
    let mut h = Harness::new().await;
    let err = h.refused("search_flows", json!({"tags": "prod"})).await;
    assert!(err.contains("tags: invalid type: string \"prod\""), "{err}");
}

#[tokio::test]
async fn prefects_401_points_at_the_credentials() {
    let mut h = Harness::new().await;
    h.fail(
        "POST",
        "/flows/filter",
        401,
        r#"{"exception_message":"Unauthorized"}"#,
    )
    .await;
    let err = h.err("list_flows", json!({})).await;
    assert!(
        err.contains("refused the credentials while listing flows"),
        "{err}"
    );
    assert!(
        err.contains("401") && err.contains("PREFECT_API_KEY"),
        "{err}"
    );
}

#[tokio::test]
async fn prefects_500_is_reported_as_server_side() {
    let mut h = Harness::new().await;
    h.fail(
        "POST",
        "/flows/filter",
        500,
        r#"{"exception_message":"Internal Server Error"}"#,
    )
    .await;
    let err = h.err("list_flows", json!({})).await;
    assert!(
        err.contains("(500)") && err.contains("Internal Server Error"),
        "{err}"
    );
    assert!(err.contains("server-side problem"), "{err}");
}

#[tokio::test]
async fn prefects_422_detail_is_passed_on() {
    let mut h = Harness::new().await;
    h.mock("POST", "/flows/filter")
        .with_status(422)
        .with_body(
            r#"{"exception_message":"Invalid request received.","exception_detail":[{"type":"less_than_equal","loc":["body","limit"],"msg":"Input should be less than or equal to 200","input":500}]}"#,
        )
        .create_async()
        .await;
    let err = h.err("list_flows", json!({})).await;
    assert!(
        err.contains("Prefect rejected the request while listing flows (422)"),
        "{err}"
    );
    assert!(err.contains("less than or equal to 200"), "{err}");
}

#[tokio::test]
async fn a_malformed_answer_is_reported_as_not_understood() {
    let mut h = Harness::new().await;
    h.answer("GET", &format!("/flows/{FLOW_ID}"), r#"{"id": 42}"#)
        .await;
    let err = h.err("get_flow_by_id", json!({"flow_id": FLOW_ID})).await;
    assert!(
        err.contains("Prefect's answer could not be understood while reading flow"),
        "{err}"
    );
}

#[tokio::test]
async fn an_unreachable_prefect_is_named_by_its_url() {
    let (server, api_url) = unreachable_server();
    let result = server
        .call_in_process("list_flows", serde_json::Map::new())
        .await
        .unwrap();
    assert_eq!(result.is_error, Some(true));
    let err = text_of(&result);
    assert!(
        err.contains("Cannot reach Prefect at") && err.contains(&api_url),
        "{err}"
    );
    assert!(err.contains("PREFECT_API_URL"), "{err}");
}
