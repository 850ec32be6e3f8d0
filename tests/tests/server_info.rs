//! get_server_info against the Prefect under test, checked against Prefect's own endpoints.

use std::io::{Read, Write};
use std::net::TcpStream;

use integration_tests::*;
use serde_json::{json, Value};

/// GET `<api_url><path>` with plain HTTP/1.0 (the server under test is local and unencrypted);
/// the JSON body.
fn get_json(path: &str) -> Value {
    let url = prefect_api_url();
    let rest = url
        .strip_prefix("http://")
        .expect("the Prefect under test is served over http");
    let (authority, base) = rest.split_once('/').unwrap_or((rest, ""));
    let mut stream = TcpStream::connect(authority).expect("connect to Prefect");
    write!(
        stream,
        "GET /{base}{path} HTTP/1.0\r\nHost: {authority}\r\nAccept: application/json\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
    assert!(
        head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.0 200"),
        "{head}"
    );
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"))
}

#[tokio::test]
async fn server_info_matches_what_prefect_reports() {
    let s = connect().await.unwrap();
    let info = call_ok(&s, "get_server_info", json!({})).await;
    assert_eq!(
        info["prefect_version"],
        get_json("/admin/version"),
        "{info}"
    );
    assert_eq!(info["api_version"], get_json("/version"), "{info}");
    assert_eq!(info["healthy"], true);
    assert_eq!(
        info["api_url"].as_str().unwrap(),
        prefect_api_url().trim_end_matches('/')
    );
    assert_eq!(info["is_cloud"], false);
    assert_eq!(info["server_type"], "self-hosted Prefect server");
    assert!(info.get("cloud_account_id").is_none());
    assert_eq!(
        info["auth"], "none",
        "the harness connects without credentials"
    );
    assert!(info["client_api_version"].is_string());
}

#[tokio::test]
async fn server_info_names_the_kind_of_auth_never_the_secret() {
    let s = connect_with(Launch::default().env("PREFECT_API_KEY", "pnu_not-a-real-key"))
        .await
        .unwrap();
    // The local server ignores a Bearer key, so the call succeeds and shows the kind of auth.
    let info = call_ok(&s, "get_server_info", json!({})).await;
    assert_eq!(info["auth"], "api key (Bearer)", "{info}");
    assert!(!info.to_string().contains("pnu_not-a-real-key"), "{info}");
}

#[tokio::test]
async fn an_unreachable_server_is_an_error_naming_the_url() {
    let s = connect_with(Launch::default().env("PREFECT_API_URL", "http://127.0.0.1:9/api"))
        .await
        .unwrap();
    let err = call_err(&s, "get_server_info", json!({})).await;
    assert!(
        err.contains("http://127.0.0.1:9/api") && err.contains("PREFECT_API_URL"),
        "{err}"
    );
}
