//! A proxy in front of Prefect that counts what the server under test costs it: HTTP requests
//! (one per connection, so each is seen) and event websockets (`/api/events/out`), passed
//! through byte for byte. It can refuse websocket upgrades (as some proxies do), drop the open
//! websockets, and play a Prefect outage (every connection closed at once) for the tests of
//! the event stream.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;

use crate::read_head;

#[derive(Default)]
struct Counts {
    /// The request line of every HTTP request passed on ("POST /api/flow_runs/filter").
    requests: Mutex<Vec<String>>,
    /// The `traceparent` header of each request passed on, when it had one.
    traceparents: Mutex<Vec<String>>,
    websockets_opened: AtomicUsize,
    websockets_open: AtomicUsize,
    websockets_refused: AtomicUsize,
    refuse_websockets: AtomicBool,
    outage: AtomicBool,
}

/// See the module documentation. Stopped when dropped.
pub struct EventProxy {
    pub api_url: String,
    counts: Arc<Counts>,
    /// Bumped to drop every open websocket.
    drops: watch::Sender<u64>,
    task: tokio::task::JoinHandle<()>,
}

impl EventProxy {
    pub async fn start(upstream_api_url: &str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let api_url = format!("http://{}/api", listener.local_addr().expect("addr"));
        let upstream = upstream_api_url
            .trim_end_matches('/')
            .trim_end_matches("/api")
            .trim_start_matches("http://")
            .to_string();
        let counts = Arc::new(Counts::default());
        let (drops, _) = watch::channel(0);
        let (shared, drop_signal) = (counts.clone(), drops.clone());
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (counts, upstream) = (shared.clone(), upstream.clone());
                let dropped = drop_signal.subscribe();
                tokio::spawn(pass_on(socket, upstream, counts, dropped));
            }
        });
        EventProxy {
            api_url,
            counts,
            drops,
            task,
        }
    }

    /// The HTTP requests passed on so far (websocket upgrades not counted).
    pub fn requests(&self) -> Vec<String> {
        self.counts.requests.lock().expect("requests lock").clone()
    }

    /// The `traceparent` headers of the HTTP requests passed on so far.
    pub fn traceparents(&self) -> Vec<String> {
        self.counts
            .traceparents
            .lock()
            .expect("traceparents lock")
            .clone()
    }

    pub fn websockets_opened(&self) -> usize {
        self.counts.websockets_opened.load(Ordering::SeqCst)
    }

    pub fn websockets_open(&self) -> usize {
        self.counts.websockets_open.load(Ordering::SeqCst)
    }

    pub fn websockets_refused(&self) -> usize {
        self.counts.websockets_refused.load(Ordering::SeqCst)
    }

    /// Answer websocket upgrades with 403 from now on (or no longer).
    pub fn refuse_websockets(&self, refuse: bool) {
        self.counts
            .refuse_websockets
            .store(refuse, Ordering::SeqCst);
    }

    /// Close every open websocket (as a restarting server or an idle proxy does).
    pub fn drop_websockets(&self) {
        self.drops.send_modify(|n| *n += 1);
    }

    /// While on, Prefect is gone: open websockets are dropped and every new connection is
    /// closed unanswered.
    pub fn outage(&self, on: bool) {
        self.counts.outage.store(on, Ordering::SeqCst);
        if on {
            self.drop_websockets();
        }
    }
}

/// Wait until `done` holds (the proxy's counts move as the server works on its own), failing
/// after `within` with `what`.
pub async fn until(what: &str, within: std::time::Duration, done: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + within;
    while !done() {
        assert!(
            std::time::Instant::now() < deadline,
            "never happened: {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

impl Drop for EventProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn pass_on(
    mut socket: TcpStream,
    upstream: String,
    counts: Arc<Counts>,
    mut dropped: watch::Receiver<u64>,
) {
    let Some(head) = read_head(&mut socket).await else {
        return;
    };
    if counts.outage.load(Ordering::SeqCst) {
        return;
    }
    let lower = head.to_ascii_lowercase();
    if lower.contains("upgrade: websocket") {
        if counts.refuse_websockets.load(Ordering::SeqCst) {
            counts.websockets_refused.fetch_add(1, Ordering::SeqCst);
            let _ = socket
                .write_all(
                    b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                )
                .await;
            return;
        }
        let Ok(mut prefect) = TcpStream::connect(&upstream).await else {
            return;
        };
        if prefect.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        counts.websockets_opened.fetch_add(1, Ordering::SeqCst);
        counts.websockets_open.fetch_add(1, Ordering::SeqCst);
        tokio::select! {
            _ = tokio::io::copy_bidirectional(&mut socket, &mut prefect) => {}
            _ = dropped.changed() => {}
        }
        counts.websockets_open.fetch_sub(1, Ordering::SeqCst);
        return;
    }
    // One request per connection: the answer closes it, so the next request is seen anew.
    let length = lower
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    if socket.read_exact(&mut body).await.is_err() {
        return;
    }
    let mut lines = head.trim_end().lines();
    let request_line = lines.next().unwrap_or_default().to_string();
    counts
        .requests
        .lock()
        .expect("requests lock")
        .push(request_line.clone());
    if let Some(traceparent) = lower.lines().find_map(|l| l.strip_prefix("traceparent:")) {
        let mut seen = counts.traceparents.lock().expect("traceparents lock");
        seen.push(traceparent.trim().to_string());
    }
    let mut forward = format!("{request_line}\r\n");
    for line in lines.filter(|l| {
        let l = l.to_ascii_lowercase();
        !l.starts_with("connection:") && !l.starts_with("keep-alive:")
    }) {
        forward.push_str(line);
        forward.push_str("\r\n");
    }
    forward.push_str("connection: close\r\n\r\n");
    let Ok(mut prefect) = TcpStream::connect(&upstream).await else {
        return;
    };
    if prefect.write_all(forward.as_bytes()).await.is_err()
        || prefect.write_all(&body).await.is_err()
    {
        return;
    }
    let _ = tokio::io::copy(&mut prefect, &mut socket).await;
    let _ = socket.shutdown().await;
}
