//! A Prefect that cannot be reached or refuses the credentials: the server keeps serving, and its
//! errors say where to look without leaking the key.

use std::process::Stdio;

use integration_tests::*;
use serde_json::json;

fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/api")
}

#[tokio::test]
async fn unreachable_prefect_does_not_stop_the_server_and_tools_say_where_they_looked() {
    let url = closed_port_url();
    let s = connect_with(Launch::default().env("PREFECT_API_URL", &url))
        .await
        .unwrap();
    let err = call_err(&s, "list_flows", json!({})).await;
    assert!(
        err.contains("Cannot reach Prefect at") && err.contains(&url),
        "{err}"
    );
    assert!(err.contains("PREFECT_API_URL"), "{err}");
    // Still serving.
    let err = call_err(&s, "get_flow_by_name", json!({"name": "x"})).await;
    assert!(err.contains("Cannot reach Prefect"), "{err}");
}

#[tokio::test]
async fn rejected_credentials_point_at_the_settings_and_never_leak() {
    let mut prefect = mockito::Server::new_async().await;
    let _refuse = prefect
        .mock("POST", "/api/flows/filter")
        .with_status(401)
        .with_body(r#"{"exception_message":"Unauthorized"}"#)
        .create_async()
        .await;
    let secret = "pnu_very_secret_key_123";
    let (s, stderr) = connect_capturing_stderr(
        Launch::default()
            .env("PREFECT_API_URL", &format!("{}/api", prefect.url()))
            .env("PREFECT_API_KEY", secret)
            .env("RUST_LOG", "debug"),
    )
    .await;
    let err = call_err(&s, "list_flows", json!({})).await;
    assert!(
        err.contains("PREFECT_API_KEY") && err.contains("401"),
        "{err}"
    );
    assert!(!err.contains(secret));
    s.cancel().await.unwrap();
    let logs = stderr.await.unwrap();
    assert!(
        logs.contains("api key (Bearer)"),
        "startup log names the kind of auth: {logs}"
    );
    assert!(!logs.contains(secret), "the key leaked into the logs");
}

/// Start the server with stderr captured; the second value resolves to all of stderr once the
/// session ends.
async fn connect_capturing_stderr(launch: Launch) -> (Session, tokio::task::JoinHandle<String>) {
    use rmcp::transport::TokioChildProcess;
    use rmcp::ServiceExt;
    use tokio::io::AsyncReadExt;
    let mut cmd = tokio::process::Command::new(server_binary());
    cmd.args(&launch.args)
        .env_remove("PREFECT_API_AUTH_STRING")
        .env_remove("PREFECT_PROFILE")
        .env("PREFECT_HOME", empty_prefect_home());
    for (k, v) in &launch.env {
        cmd.env(k, v);
    }
    let (transport, stderr) = TokioChildProcess::builder(cmd)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = stderr.expect("stderr piped");
    let collected = tokio::spawn(async move {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text).await;
        text
    });
    let session = RecordingClient::default().serve(transport).await.unwrap();
    (session, collected)
}
