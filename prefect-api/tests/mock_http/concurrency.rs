//! `max_concurrent_requests`: past the limit, requests wait their turn instead of opening more
//! connections to Prefect; every one is still answered.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use prefect_api::{Client, PrefectCall};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{flow_body, flow_id};

/// A server that answers every request with the flow after `hold`, counting the requests it
/// holds at once; its URL and the most it ever held.
async fn counting_server(hold: Duration) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/api", listener.local_addr().unwrap());
    let (now, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let seen = most.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (now, most) = (now.clone(), most.clone());
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 1024];
                // Keep-alive: answer each request that arrives on this connection.
                loop {
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buffer).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buffer[..n]),
                        }
                    }
                    request.clear();
                    let held = now.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(held, Ordering::SeqCst);
                    tokio::time::sleep(hold).await;
                    now.fetch_sub(1, Ordering::SeqCst);
                    let body = flow_body().to_string();
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if socket.write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, seen)
}

#[tokio::test]
async fn requests_past_the_limit_wait_their_turn() {
    let (url, most) = counting_server(Duration::from_millis(150)).await;
    // Two clients from one builder share the limit, as a server's per-caller clients do.
    let builder = Client::builder(&url).max_concurrent_requests(2);
    let (first, second) = (builder.clone().build().unwrap(), builder.build().unwrap());
    let calls = (0..8).map(|i| {
        let client = if i % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        tokio::spawn(async move { client.read_flow(&flow_id()).value().await })
    });
    for call in calls.collect::<Vec<_>>() {
        let flow = call.await.unwrap().expect("every request is answered");
        assert_eq!(flow.name, "mcp-hello");
    }
    assert_eq!(most.load(Ordering::SeqCst), 2, "at most two at once");
}

#[tokio::test]
async fn without_a_limit_requests_go_at_once() {
    let (url, most) = counting_server(Duration::from_millis(150)).await;
    let client = Client::builder(&url).build().unwrap();
    let calls: Vec<_> = (0..4)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.read_flow(&flow_id()).value().await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().expect("answered");
    }
    assert_eq!(most.load(Ordering::SeqCst), 4);
}
