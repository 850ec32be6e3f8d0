//! What every call shares: the size bound, the tool list (`--read-only`, `--toolsets`), unknown
//! tools.

use prefect_mcp_server::mcp::{ServerOptions, Toolset};
use serde_json::{json, Value};

use crate::fixtures::*;
use crate::harness::*;
use crate::tool_list::all_tools;

fn names(h: &Harness) -> Vec<String> {
    h.server
        .tools()
        .into_iter()
        .map(|t| t.name.into_owned())
        .collect()
}

#[tokio::test]
async fn every_tool_belongs_to_exactly_one_toolset() {
    let mut seen: Vec<String> = Vec::new();
    for set in Toolset::ALL {
        let h = Harness::with_options(ServerOptions {
            toolsets: Some(vec![set.name().into()]),
            ..Default::default()
        })
        .await;
        let offered = names(&h);
        assert!(!offered.is_empty(), "{} offers no tool", set.name());
        for tool in offered {
            assert!(!seen.contains(&tool), "{tool} is in two toolsets");
            seen.push(tool);
        }
    }
    seen.sort();
    assert_eq!(seen, all_tools());
}

#[tokio::test]
async fn read_only_offers_no_write_tools_and_refuses_to_run_them() {
    let mut h = Harness::with_options(ServerOptions {
        read_only: true,
        ..every_toolset()
    })
    .await;
    let offered = names(&h);
    let writers: Vec<String> = all_tools()
        .into_iter()
        .filter(|t| !offered.contains(t))
        .collect();
    // The tools' own annotations decide, so the write tools are the ones missing here.
    for tool in h.server.tools() {
        let read_only = tool.annotations.as_ref().and_then(|a| a.read_only_hint);
        assert_eq!(read_only, Some(true), "{} offered", tool.name);
    }
    assert!(
        writers.contains(&"cancel_flow_run".to_string()),
        "{writers:?}"
    );
    assert!(
        writers.contains(&"create_flow_run_from_deployment".to_string()),
        "{writers:?}"
    );
    for writer in &writers {
        assert!(!offered.iter().any(|t| t == writer), "{writer} offered");
        assert!(!h.server.has_tool(writer));
    }
    let watch = h.watch_for_requests().await;
    let Value::Object(arguments) = json!({"flow_run_id": LATE_RUN_ID}) else {
        unreachable!()
    };
    let refused = h.server.call_in_process("cancel_flow_run", arguments).await;
    assert!(refused.is_err(), "{refused:?}");
    watch.assert_nothing_sent();
}

#[tokio::test]
async fn the_request_watch_sees_requests_an_earlier_mock_answers() {
    // An earlier mock still short of its expected hit takes every request in mockito; the
    // watch must see the request anyway, or `refused` would pass for a call that reached
    // Prefect.
    let mut h = Harness::new().await;
    let _earlier = h
        .prefect
        .mock("GET", mockito::Matcher::Any)
        .with_body("{}")
        .create_async()
        .await;
    let watch = h.watch_for_requests().await;
    h.call("get_flow_by_id", json!({"flow_id": LATE_RUN_ID}))
        .await;
    let sent = watch.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(
        sent[0].starts_with("GET ") && sent[0].contains(LATE_RUN_ID),
        "{sent:?}"
    );
}

#[tokio::test]
async fn toolsets_offer_only_their_tools() {
    let h = Harness::with_options(ServerOptions {
        toolsets: Some(vec!["flows".into(), "server_info".into()]),
        ..Default::default()
    })
    .await;
    assert_eq!(
        names(&h),
        [
            "delete_flow",
            "get_flow_by_id",
            "get_flow_by_name",
            "get_server_info",
            "list_flows",
            "search_flows"
        ]
    );
}

#[tokio::test]
async fn read_only_applies_within_a_toolset() {
    let h = Harness::with_options(ServerOptions {
        read_only: true,
        toolsets: Some(vec!["flow_runs".into()]),
        ..Default::default()
    })
    .await;
    assert_eq!(
        names(&h),
        [
            "get_flow_run_by_id",
            "list_flow_runs",
            "search_flow_runs_by_state",
            "wait_for_flow_run"
        ]
    );
}

#[test]
fn an_unknown_toolset_is_refused_with_the_valid_ones() {
    let options = ServerOptions {
        toolsets: Some(vec!["flow".into()]),
        ..Default::default()
    };
    let err = options.validate().unwrap_err().to_string();
    assert!(err.contains("unknown toolset \"flow\""), "{err}");
    assert!(err.contains("flows, flow_runs, deployments"), "{err}");
}

#[tokio::test]
async fn an_unknown_tool_is_a_protocol_error() {
    let h = Harness::new().await;
    let result = h
        .server
        .call_in_process("drop_database", serde_json::Map::new())
        .await;
    let err = result.unwrap_err();
    assert!(err.message.contains("tool"), "{err:?}");
}

#[tokio::test]
async fn a_30_mb_flow_name_is_cut_to_a_small_answer_that_says_so() {
    let mut h = Harness::new().await;
    let huge = FLOW.replacen(
        "\"mcp-hello\"",
        &format!("\"{}\"", "n".repeat(30_000_000)),
        1,
    );
    assert!(huge.len() > 30_000_000);
    h.answer("GET", &format!("/flows/{FLOW_ID}"), &huge).await;
    let result = h.call("get_flow_by_id", json!({"flow_id": FLOW_ID})).await;
    assert_ne!(result.is_error, Some(true), "{}", text_of(&result));
    let flow = result.structured_content.clone().unwrap();
    let size = serde_json::to_vec(&flow).unwrap().len();
    assert!(size < 64 * 1024, "{size} bytes");
    assert!(text_of(&result).len() < 64 * 1024);
    assert_eq!(flow["truncated"]["strings_cut"], 1);
    assert!(
        flow["name"].as_str().unwrap().contains("chars omitted"),
        "cut with a marker"
    );
    assert_eq!(flow["id"], FLOW_ID, "the other fields stay");
}

#[tokio::test]
async fn a_long_list_loses_items_from_its_end_and_its_count_follows() {
    let mut h = Harness::new().await;
    let flows: Vec<String> = (0..200)
        .map(|i| {
            with(
                FLOW,
                json!({"id": format!("00000000-0000-4000-8000-{i:012}"), "name": format!("flow-{i:03}-{}", "x".repeat(400))}),
            )
        })
        .collect();
    h.answer("POST", "/flows/filter", &list(&flows)).await;
    let found = h.ok("list_flows", json!({"limit": 200})).await;
    let kept = found["flows"].as_array().unwrap().len();
    assert!(kept > 10 && kept < 200, "{kept}");
    assert_eq!(found["count"], kept);
    assert_eq!(found["truncated"]["items_dropped"]["flows"], 200 - kept);
    assert!(found["flows"][0]["name"]
        .as_str()
        .unwrap()
        .starts_with("flow-000"));
    assert!(serde_json::to_vec(&found).unwrap().len() <= 33 * 1024);
}
