//! Failures below HTTP: a refused connection and a server that never answers.

use std::time::Duration;

use prefect_api::{Client, PrefectCall, PrefectError};

use crate::support::{flow_id, refused_url, silent_server};

#[tokio::test]
async fn refused_connection_is_unreachable_and_names_the_url() {
    let (port, url) = refused_url();
    let client = Client::builder(&url).build().unwrap();

    let err = client.read_flow(&flow_id()).value().await.unwrap_err();

    let PrefectError::Unreachable { url: reported, .. } = &err else {
        panic!("expected Unreachable, got {err:?}");
    };
    assert!(
        reported.contains(&format!("127.0.0.1:{port}")),
        "{reported}"
    );
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
}

#[tokio::test]
async fn server_that_never_answers_is_a_timeout() {
    let (url, server) = silent_server().await;
    let client = Client::builder(&url)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();

    let err = client.read_flow(&flow_id()).value().await.unwrap_err();
    server.abort();

    let PrefectError::Timeout { url: reported, .. } = &err else {
        panic!("expected Timeout, got {err:?}");
    };
    assert!(reported.starts_with(&url), "{reported} is not under {url}");
}
