//! The stdio session itself: what `initialize` answers, and a stdin that is not clean JSON-RPC.

use integration_tests::*;
use serde_json::Value;

use crate::tool_list::snapshot_tools;

#[tokio::test]
async fn instructions_explain_names_filters_states_and_waiting() {
    let s = connect().await.unwrap();
    let info = s.peer_info().expect("server info");
    assert_eq!(
        info.server_info.as_ref().map(|i| i.name.as_str()),
        Some("prefect-mcp-server")
    );
    let instructions = info.instructions.clone().unwrap_or_default();
    for topic in [
        "flow_name/deployment_name",
        "like_",
        "CANCELLING",
        "timeout",
    ] {
        assert!(
            instructions.contains(topic),
            "instructions do not mention {topic}"
        );
    }
}

#[test]
fn malformed_json_rpc_on_stdin_gets_an_error_or_is_skipped_and_the_server_carries_on() {
    let mut server = RawStdioServer::start();
    server.send("this is not json");
    server.send(r#"{"not": "json-rpc"}"#);
    server.send(r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#);
    let mut replies = Vec::new();
    loop {
        let line = server
            .read_line()
            .unwrap_or_else(|| panic!("the server exited: {replies:?}"));
        replies.push(line.clone());
        if line.contains("\"id\":2") {
            break;
        }
    }
    let last: Value = serde_json::from_str(replies.last().unwrap()).unwrap();
    assert_eq!(
        last["result"]["tools"].as_array().unwrap().len(),
        snapshot_tools().0.len()
    );
    // The non-JSON-RPC object got an "Invalid request" error reply.
    assert!(replies.iter().any(|r| r.contains("-32600")), "{replies:?}");
    server.close_stdin();
    let status = server.child.wait().unwrap();
    assert!(status.success(), "clean exit on EOF: {status}");
}
