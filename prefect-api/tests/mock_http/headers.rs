//! Which headers go out: authorization (none, Bearer, Basic, and which wins), the API version
//! and the user agent.

use mockito::{Matcher, Server};
use prefect_api::Auth;

use crate::support::{
    fast_client, flow_body, flow_endpoint, flow_endpoint_requiring, read_flow_ok, API_KEY,
    AUTH_STRING, AUTH_STRING_BASE64,
};

#[tokio::test]
async fn no_authorization_header_is_sent_without_auth() {
    let mut server = Server::new_async().await;
    let mock = flow_endpoint_requiring(&mut server, "authorization", Matcher::Missing).await;
    read_flow_ok(&fast_client(&server).build().unwrap()).await;
    mock.assert_async().await;
}

#[tokio::test]
async fn api_key_is_sent_as_bearer_token() {
    let mut server = Server::new_async().await;
    let mock = flow_endpoint_requiring(
        &mut server,
        "authorization",
        Matcher::Exact(format!("Bearer {API_KEY}")),
    )
    .await;
    read_flow_ok(&fast_client(&server).api_key(API_KEY).build().unwrap()).await;
    mock.assert_async().await;
}

#[tokio::test]
async fn auth_string_is_sent_as_basic_credentials() {
    let mut server = Server::new_async().await;
    let mock = flow_endpoint_requiring(
        &mut server,
        "authorization",
        Matcher::Exact(format!("Basic {AUTH_STRING_BASE64}")),
    )
    .await;
    read_flow_ok(
        &fast_client(&server)
            .auth_string(AUTH_STRING)
            .build()
            .unwrap(),
    )
    .await;
    mock.assert_async().await;
}

#[tokio::test]
async fn auth_string_wins_over_api_key_when_both_are_configured() {
    let mut server = Server::new_async().await;
    let mock = flow_endpoint_requiring(
        &mut server,
        "authorization",
        Matcher::Exact(format!("Basic {AUTH_STRING_BASE64}")),
    )
    .await;
    let auth = Auth::from_settings(Some(API_KEY), Some(AUTH_STRING));
    read_flow_ok(&fast_client(&server).auth(auth).build().unwrap()).await;
    mock.assert_async().await;
}

#[tokio::test]
async fn prefect_api_version_and_user_agent_are_sent() {
    let mut server = Server::new_async().await;
    let mock = flow_endpoint(&mut server, 200, &flow_body().to_string())
        .match_header("x-prefect-api-version", "0.8.4")
        .match_header("user-agent", Matcher::Regex("^prefect-api-rs/".into()))
        .expect(1)
        .create_async()
        .await;
    read_flow_ok(&fast_client(&server).build().unwrap()).await;
    mock.assert_async().await;
}
