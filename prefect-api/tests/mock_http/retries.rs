//! Which answers are retried (429, 502, 503), how long the client waits, and when it gives up.

use std::time::{Duration, Instant};

use mockito::Server;
use prefect_api::{Client, PrefectCall, PrefectError};

use crate::support::{
    api_url, fast_client, flow_body, flow_endpoint, flow_id, read_flow_error, read_flow_ok,
};

#[tokio::test]
async fn too_many_requests_is_retried_after_retry_after_seconds() {
    let mut server = Server::new_async().await;
    let throttled = flow_endpoint(&mut server, 429, r#"{"detail":"slow down"}"#)
        .with_header("retry-after", "1")
        .expect(1)
        .create_async()
        .await;
    let ok = flow_endpoint(&mut server, 200, &flow_body().to_string())
        .expect(1)
        .create_async()
        .await;
    // The default max_retry_delay (10 s) lets Retry-After through uncapped.
    let client = Client::builder(api_url(&server)).build().unwrap();

    let started = Instant::now();
    read_flow_ok(&client).await;
    let waited = started.elapsed();

    throttled.assert_async().await;
    ok.assert_async().await;
    assert!(
        waited >= Duration::from_millis(950),
        "Retry-After: 1 was not honoured: the retry came after {waited:?}"
    );
}

#[tokio::test]
async fn unavailable_is_retried_max_retries_times_then_reported_as_server_error() {
    let mut server = Server::new_async().await;
    let mock = flow_endpoint(&mut server, 503, r#"{"detail":"database is locked"}"#)
        .expect(3)
        .create_async()
        .await;
    let client = fast_client(&server).max_retries(2).build().unwrap();

    let err = client.read_flow(&flow_id()).value().await.unwrap_err();

    mock.assert_async().await;
    assert_eq!(
        err,
        PrefectError::Server {
            status: 503,
            message: "database is locked".into()
        }
    );
}

#[tokio::test]
async fn bad_gateway_is_retried_then_succeeds() {
    let mut server = Server::new_async().await;
    let bad_gateway = flow_endpoint(&mut server, 502, "")
        .expect(1)
        .create_async()
        .await;
    let ok = flow_endpoint(&mut server, 200, &flow_body().to_string())
        .expect(1)
        .create_async()
        .await;
    read_flow_ok(&fast_client(&server).build().unwrap()).await;
    bad_gateway.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn zero_max_retries_sends_each_request_once() {
    for status in [429, 502, 503] {
        let mut server = Server::new_async().await;
        let mock = flow_endpoint(&mut server, status, "")
            .expect(1)
            .create_async()
            .await;
        let client = fast_client(&server).max_retries(0).build().unwrap();

        let err = client.read_flow(&flow_id()).value().await.unwrap_err();

        mock.assert_async().await;
        assert_eq!(err.status(), Some(status as u16), "{err:?}");
    }
}

#[tokio::test]
async fn internal_server_error_is_not_retried() {
    let err = read_flow_error(500, "Internal Server Error").await;
    assert_eq!(
        err,
        PrefectError::Server {
            status: 500,
            message: "Internal Server Error".into()
        }
    );
}
