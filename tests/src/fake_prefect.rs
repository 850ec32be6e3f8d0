//! A scripted stand-in for Prefect, for what a real server cannot easily show.

use std::sync::{Arc, Mutex};

/// The head of an HTTP request (request line and headers), read byte by byte so that nothing
/// of the body is taken; `None` if the connection ends first.
pub async fn read_head(socket: &mut tokio::net::TcpStream) -> Option<String> {
    use tokio::io::AsyncReadExt;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match socket.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&head).into_owned())
}

/// One scripted answer of [`FakePrefect`].
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait this long before answering; `None` answers at once.
    pub delay: Option<std::time::Duration>,
    /// Never answer (the connection stays open until the client gives up).
    pub hang: bool,
}

impl Answer {
    pub fn json(status: u16, body: &str) -> Self {
        Answer {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
            delay: None,
            hang: false,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn hang() -> Self {
        Answer {
            hang: true,
            ..Answer::json(200, "")
        }
    }
}

/// A stand-in for Prefect that answers requests with a script, in order (the last answer
/// repeats), for what a real server cannot easily show: hangs, 5xx, 429, malformed bodies.
/// It records the request lines and headers it received.
pub struct FakePrefect {
    pub api_url: String,
    pub requests: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl FakePrefect {
    pub async fn start(script: Vec<Answer>) -> Self {
        Self::start_at("127.0.0.1:0", script).await
    }

    /// The same at a given address: a stopped fake's (`host:port` of its `api_url`) brings
    /// "Prefect" back where the server under test looks for it.
    pub async fn start_at(address: &str, script: Vec<Answer>) -> Self {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind(address).await.expect("bind");
        let api_url = format!("http://{}/api", listener.local_addr().expect("addr"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        let task = tokio::spawn(async move {
            let mut index = 0usize;
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let answer = script[index.min(script.len() - 1)].clone();
                index += 1;
                let seen = seen.clone();
                tokio::spawn(async move {
                    let Some(head) = read_head(&mut socket).await else {
                        return;
                    };
                    let length = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    let mut body = vec![0u8; length];
                    let _ = socket.read_exact(&mut body).await;
                    seen.lock().expect("requests lock").push(head);
                    if answer.hang {
                        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                        return;
                    }
                    if let Some(delay) = answer.delay {
                        tokio::time::sleep(delay).await;
                    }
                    let mut response = format!(
                        "HTTP/1.1 {} X\r\nconnection: close\r\ncontent-length: {}\r\n",
                        answer.status,
                        answer.body.len()
                    );
                    for (name, value) in &answer.headers {
                        response.push_str(&format!("{name}: {value}\r\n"));
                    }
                    response.push_str("\r\n");
                    let _ = socket.write_all(response.as_bytes()).await;
                    let _ = socket.write_all(&answer.body).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        FakePrefect {
            api_url,
            requests,
            task,
        }
    }

    /// `host:port` it listens on.
    pub fn address(&self) -> &str {
        self.api_url
            .trim_start_matches("http://")
            .trim_end_matches("/api")
    }

    pub fn request_count(&self) -> usize {
        self.requests.lock().expect("requests lock").len()
    }

    /// Stop listening: later requests find nothing there.
    pub fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for FakePrefect {
    fn drop(&mut self) {
        self.task.abort();
    }
}
