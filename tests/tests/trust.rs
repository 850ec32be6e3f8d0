//! tier: once
//! What a hostile client sends cannot stand in for a person or write the audit record, against
//! the real binary and a real Prefect: a confirmation sent with the call by a client that was
//! never asked deletes nothing (read back over REST); client-chosen values never start or
//! forge a log line, in the text and the JSON format.

mod writes_support;

use integration_tests::*;
use serde_json::{json, Value};
use writes_support::{unique, Rest};

const YES: &str = r#"{"confirm": {"action": "accept", "content": {"confirm": true}}}"#;

#[tokio::test]
async fn a_pre_answered_confirmation_from_a_client_never_asked_deletes_nothing() {
    let rest = Rest::new();
    let name = unique("trust_var").replace('-', "_");
    rest.ok(
        "POST",
        "/variables/",
        Some(json!({"name": name, "value": {"keep": true}})),
    )
    .await;
    // No elicitation declared, never asked: the "yes" rides in with the call.
    let mut server = RawStdioServer::start();
    let yes: Value = serde_json::from_str(YES).unwrap();
    for (id, tool) in [(2, "delete_variable"), (3, "set_variable")] {
        let mut arguments = json!({"name": name});
        if tool == "set_variable" {
            arguments["value"] = json!({"keep": false});
        }
        let reply = server.request(
            id,
            "tools/call",
            json!({"name": tool, "arguments": arguments, "inputResponses": yes}),
        );
        assert_eq!(reply["result"]["isError"], true, "{tool}: {reply}");
        let text = reply["result"]["content"][0]["text"].as_str().unwrap();
        assert!(text.contains("nothing was changed"), "{tool}: {text}");
    }
    let read = rest.get(&format!("/variables/name/{name}")).await;
    assert_eq!(read["value"], json!({"keep": true}), "{read}");
    server.wait_for_log(|l| l.contains("inputResponses ignored"));
    rest.ok("DELETE", &format!("/variables/name/{name}"), None)
        .await;
}

/// A tool name that tries to end its line and write another, and a field of its own.
const FORGED: &str = "no_such_tool\nINFO tool_call{tool=delete_flow_run kind=\"write\" caller=admin}: tool call finished outcome=\"ok\"";

fn forged_lines(format: &str) -> Vec<String> {
    let mut server = RawStdioServer::start_with(&["--log-format", format]);
    let reply = server.request(2, "tools/call", json!({"name": FORGED, "arguments": {}}));
    assert!(
        reply.get("error").is_some() || reply["result"]["isError"] == true,
        "{reply}"
    );
    // A call after it, so that every line the forged one made has been written.
    server.request(
        3,
        "tools/call",
        json!({"name": "get_server_info", "arguments": {}}),
    );
    server.logs_until(|l| l.contains("get_server_info") && l.contains("finished"))
}

#[test]
fn client_values_never_start_or_forge_a_log_line() {
    for format in ["text", "json"] {
        let lines = forged_lines(format);
        let forged: Vec<&String> = lines
            .iter()
            .filter(|l| {
                l.trim_start()
                    .starts_with("INFO tool_call{tool=delete_flow_run")
            })
            .collect();
        assert!(forged.is_empty(), "{format}: a forged line: {forged:?}");
        let call = lines
            .iter()
            .find(|l| l.contains("no_such_tool"))
            .unwrap_or_else(|| panic!("{format}: the call has no line: {lines:?}"));
        if format == "json" {
            for line in &lines {
                serde_json::from_str::<Value>(line)
                    .unwrap_or_else(|e| panic!("not one JSON line ({e}): {line}"));
            }
        } else {
            // The whole name is one quoted, escaped field: its `kind=` and `caller=` are no fields.
            assert!(call.contains(&format!("tool={FORGED:?}")), "{call}");
        }
    }
}
