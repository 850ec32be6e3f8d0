//! The binary on raw stdio pipes, for JSON-RPC that no SDK client would send.

use serde_json::Value;

use crate::environment::prefect_api_url;
use crate::server_binary::server_binary;

/// The binary on raw stdio pipes, for what an SDK client would not send: malformed lines, or
/// closing stdin in the middle of a call. Initialised on start; killed when dropped.
pub struct RawStdioServer {
    pub child: std::process::Child,
    stdin: Option<std::process::ChildStdin>,
    /// Lines the server wrote, read by a thread so that a silent server is a timeout, not a
    /// test that hangs forever.
    lines: std::sync::mpsc::Receiver<String>,
    /// Lines the server logged on stderr (at info), for tests that check what a call did.
    logs: std::sync::mpsc::Receiver<String>,
}

/// How long [`RawStdioServer::read_line`] waits for the server.
const RAW_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

impl RawStdioServer {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// [`Self::start`], with these command-line arguments.
    pub fn start_with(args: &[&str]) -> Self {
        use std::process::Stdio;
        let mut child = std::process::Command::new(server_binary())
            .args(args)
            .env("PREFECT_API_URL", prefect_api_url())
            .env(crate::EVERY_TOOLSET.0, crate::EVERY_TOOLSET.1)
            .env("RUST_LOG", "info")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the server");
        let stdin = child.stdin.take();
        let lines = lines_of(child.stdout.take().expect("stdout piped"));
        let logs = lines_of(child.stderr.take().expect("stderr piped"));
        let mut server = RawStdioServer {
            child,
            stdin,
            lines,
            logs,
        };
        server.send(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}"#);
        let reply = server.read_line().expect("an initialize reply");
        assert!(reply.contains("\"id\":1"), "{reply}");
        server.send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
        server
    }

    /// Write one line to the server's stdin.
    pub fn send(&mut self, line: &str) {
        use std::io::Write;
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(line.as_bytes()).expect("write");
        stdin.write_all(b"\n").expect("write");
        stdin.flush().expect("flush");
    }

    /// The next line the server wrote; `None` once it closed stdout. A server that writes
    /// nothing for 30 seconds fails the test.
    pub fn read_line(&mut self) -> Option<String> {
        match self.lines.recv_timeout(RAW_READ_TIMEOUT) {
            Ok(line) => Some(line),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => None,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => panic!(
                "the server wrote nothing for {} s",
                RAW_READ_TIMEOUT.as_secs()
            ),
        }
    }

    /// Close stdin, as a client that goes away does.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Every log line written until the first that `last` accepts (included); fails the test
    /// after 30 s without one.
    pub fn logs_until(&mut self, last: impl Fn(&str) -> bool) -> Vec<String> {
        let deadline = std::time::Instant::now() + RAW_READ_TIMEOUT;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.logs.recv_timeout(left) {
                Ok(line) => {
                    let done = last(&line);
                    seen.push(line);
                    if done {
                        return seen;
                    }
                }
                Err(_) => panic!(
                    "no such log line within {} s: {seen:?}",
                    RAW_READ_TIMEOUT.as_secs()
                ),
            }
        }
    }

    /// The first log line that `wanted` accepts; fails the test after 30 s without one.
    pub fn wait_for_log(&mut self, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = std::time::Instant::now() + RAW_READ_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.logs.recv_timeout(left) {
                Ok(line) if wanted(&line) => return line,
                Ok(_) => {}
                Err(_) => panic!("no such log line within {} s", RAW_READ_TIMEOUT.as_secs()),
            }
        }
    }

    /// Send a request and return the reply with its id, skipping notifications.
    pub fn request(&mut self, id: u64, method: &str, params: Value) -> Value {
        let request =
            serde_json::json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.send(&request.to_string());
        loop {
            let line = self.read_line().expect("the server exited before replying");
            let reply: Value = serde_json::from_str(&line).expect("JSON-RPC on stdout");
            if reply["id"] == serde_json::json!(id) {
                return reply;
            }
        }
    }
}

/// The lines of a child's output, read by a thread into a channel.
fn lines_of(output: impl std::io::Read + Send + 'static) -> std::sync::mpsc::Receiver<String> {
    use std::io::BufRead;
    let (sender, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(output).lines() {
            let Ok(line) = line else { return };
            if sender.send(line).is_err() {
                return;
            }
        }
    });
    lines
}

impl Drop for RawStdioServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
