//! The signing keys are fetched again by one request at a time, and that fetch holds up no
//! other verification: against an issuer whose key set answers only when the test lets it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use futures::FutureExt;
use jsonwebtoken::Algorithm;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore};

use super::Issuer;
use crate::transport::oauth::jwt::tests::Signer;

/// An issuer on loopback whose key set is answered once per permit of `gate`.
struct GatedIssuer {
    url: String,
    keys: Mutex<Vec<Value>>,
    /// Key-set requests received.
    fetches: AtomicUsize,
    /// Told when a key-set request arrives.
    asked: Notify,
    gate: Semaphore,
}

impl GatedIssuer {
    async fn start(keys: Vec<Value>) -> Arc<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = Arc::new(GatedIssuer {
            url: format!("http://{}", listener.local_addr().unwrap()),
            keys: Mutex::new(keys),
            fetches: AtomicUsize::new(0),
            asked: Notify::new(),
            gate: Semaphore::new(0),
        });
        let serving = issuer.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serving.clone().answer(stream));
            }
        });
        issuer
    }

    async fn answer(self: Arc<Self>, mut stream: TcpStream) {
        let mut request = Vec::new();
        let mut buffer = [0u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => request.extend_from_slice(&buffer[..n]),
            }
        }
        let body = if request.starts_with(b"GET /jwks ") {
            self.fetches.fetch_add(1, Ordering::SeqCst);
            self.asked.notify_one();
            self.gate.acquire().await.unwrap().forget();
            json!({"keys": *self.keys.lock().unwrap()})
        } else {
            json!({"issuer": self.url, "jwks_uri": format!("{}/jwks", self.url)})
        }
        .to_string();
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
             connection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(format!("{head}{body}").as_bytes()).await;
    }
}

#[tokio::test]
async fn one_request_refreshes_the_keys_while_the_others_use_the_last_good_ones() {
    let old = Signer::new("old");
    let new = Signer::new("new");
    let server = GatedIssuer::start(vec![old.jwk.clone()]).await;
    let issuer = Arc::new(Issuer::new(&server.url).unwrap());
    server.gate.add_permits(1);
    let key = |kid: &'static str| {
        let issuer = issuer.clone();
        async move { issuer.key(Some(kid), Algorithm::ES256).await }
    };
    assert!(key("old").await.unwrap().is_some());
    assert_eq!(server.fetches.load(Ordering::SeqCst), 1);

    // An hour later the keys are stale and the issuer has rotated; its answer is held back.
    issuer.keys_for_tests().fetched_at =
        Some(std::time::Instant::now() - std::time::Duration::from_secs(7200));
    *server.keys.lock().unwrap() = vec![old.jwk.clone(), new.jwk.clone()];
    let refresher = tokio::spawn(key("old"));
    // (The first fetch's notification may still be stored: wait for the second fetch itself.)
    while server.fetches.load(Ordering::SeqCst) < 2 {
        server.asked.notified().await;
    }

    // While that refresh waits for the issuer, other tokens verify with the last good key at
    // once: nothing they need is locked across the fetch, and they start no fetch of their own.
    for _ in 0..3 {
        let found = key("old")
            .now_or_never()
            .expect("a verification waited for the refresh");
        assert!(found.unwrap().is_some());
    }
    // A token signed with the new key waits for that refresh's answer instead of fetching.
    let waiter = tokio::spawn(key("new"));
    tokio::task::yield_now().await;
    server.gate.add_permits(1);
    assert!(refresher.await.unwrap().unwrap().is_some());
    assert!(waiter.await.unwrap().unwrap().is_some());
    assert_eq!(
        server.fetches.load(Ordering::SeqCst),
        2,
        "one refresh served every request"
    );
}
