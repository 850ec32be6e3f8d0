//! The cap on Prefect's answers: refused by Content-Length when the answer announces one, cut
//! off as bytes arrive when it is sent chunked (no length), either way a
//! [`PrefectError::ResponseTooLarge`] and never a whole oversized body in memory.

use std::io::Write;

use mockito::{Server, ServerGuard};
use prefect_api::{Client, PrefectCall, PrefectError};
use uuid::Uuid;

const FLOW_ID: &str = "d6e8a51e-a8a9-43d1-bbef-4f70221230b4";
const LIMIT: u64 = 1024 * 1024;

/// A flow whose name is `name_bytes` long, so that the answer's size is chosen by the test.
fn write_flow(out: &mut dyn Write, name_bytes: usize) -> std::io::Result<()> {
    write!(
        out,
        r#"{{"id": "{FLOW_ID}", "created": null, "updated": null, "name": ""#
    )?;
    let chunk = [b'x'; 64 * 1024];
    let mut left = name_bytes;
    while left > 0 {
        let n = left.min(chunk.len());
        out.write_all(&chunk[..n])?;
        out.flush()?;
        left -= n;
    }
    write!(out, r#"", "tags": [], "labels": {{}}}}"#)
}

async fn read_flow(server: &ServerGuard) -> Result<String, PrefectError> {
    let client = Client::builder(format!("{}/api", server.url()))
        .max_response_bytes(LIMIT)
        .max_retries(0)
        .build()
        .unwrap();
    let id: Uuid = FLOW_ID.parse().unwrap();
    Ok(client.read_flow(&id).value().await?.name)
}

async fn chunked_flow(server: &mut ServerGuard, name_bytes: usize) -> mockito::Mock {
    server
        .mock("GET", format!("/api/flows/{FLOW_ID}").as_str())
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_chunked_body(move |out| write_flow(out, name_bytes))
        .create_async()
        .await
}

#[tokio::test]
async fn a_chunked_answer_past_the_limit_is_cut_off() {
    let mut server = Server::new_async().await;
    let _mock = chunked_flow(&mut server, 8 * LIMIT as usize).await;
    let error = read_flow(&server).await.expect_err("too large");
    assert!(
        matches!(error, PrefectError::ResponseTooLarge { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains(&LIMIT.to_string()), "{error}");
}

#[tokio::test]
async fn a_chunked_answer_under_the_limit_is_read_whole() {
    let mut server = Server::new_async().await;
    let _mock = chunked_flow(&mut server, (LIMIT / 2) as usize).await;
    let name = read_flow(&server).await.expect("under the limit");
    assert_eq!(name.len(), (LIMIT / 2) as usize);
}

#[tokio::test]
async fn an_answer_announcing_more_than_the_limit_is_refused() {
    let mut server = Server::new_async().await;
    let mut body = Vec::new();
    write_flow(&mut body, 2 * LIMIT as usize).unwrap();
    let _mock = server
        .mock("GET", format!("/api/flows/{FLOW_ID}").as_str())
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(body)
        .create_async()
        .await;
    let error = read_flow(&server).await.expect_err("too large");
    assert!(
        matches!(error, PrefectError::ResponseTooLarge { .. }),
        "{error:?}"
    );
}
