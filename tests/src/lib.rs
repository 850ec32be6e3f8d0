//! Harness for the end-to-end tests: find the real Prefect server and the built binary, start
//! the binary as an MCP client would (a child process over stdio), and call tools.
//!
//! There is no skipping: without a reachable Prefect server every test fails, saying how to
//! provide one (`cargo xtask test` starts one with the sample world).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::{bail, Context, Result};
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, Implementation,
    ProgressNotificationParam,
};
use rmcp::service::{NotificationContext, RunningService};
use rmcp::transport::{ConfigureCommandExt, TokioChildProcess};
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::Value;

pub mod oauth;
pub mod raw_http;
pub mod replicas;

/// The API URL of the Prefect server under test: `PREFECT_API_URL` (set by `cargo xtask test`),
/// else the server `cargo xtask prefect up` recorded.
pub fn prefect_api_url() -> String {
    if let Ok(url) = std::env::var("PREFECT_API_URL") {
        if !url.trim().is_empty() {
            return url;
        }
    }
    let state = workspace_root().join("target/prefect/state.json");
    let recorded = std::fs::read_to_string(&state)
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .and_then(|v| v["api_url"].as_str().map(String::from));
    recorded.unwrap_or_else(|| {
        panic!(
            "no Prefect server to test against: PREFECT_API_URL is unset and {} does not exist. \
             Run the suite with `cargo xtask test`, which starts Prefect with the sample world.",
            state.display()
        )
    })
}

/// Whether this run may rewrite generated files (`UPDATE_SNAPSHOTS=1`). Never under CI: there
/// a rewrite would make the check it belongs to pass whatever the tool list is, so CI refuses
/// it loudly instead.
pub fn update_snapshots() -> bool {
    let asked = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    assert!(
        !(asked && std::env::var_os("CI").is_some()),
        "UPDATE_SNAPSHOTS is refused when CI is set: regenerate the snapshot locally and commit it"
    );
    asked
}

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives in the workspace")
        .to_path_buf()
}

/// The built `prefect-mcp-server` binary: `PREFECT_MCP_SERVER_BIN`, else next to this test
/// executable's profile directory (target/<profile>/). It must be newer than every source file
/// it is built from: a test never runs a stale binary (`cargo xtask test` builds it first).
pub fn server_binary() -> PathBuf {
    if let Ok(path) = std::env::var("PREFECT_MCP_SERVER_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/<test> -> target/<profile>/prefect-mcp-server
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>");
    let binary = profile_dir.join("prefect-mcp-server");
    let built = std::fs::metadata(&binary)
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| {
            panic!(
                "{} is missing: build it first (`cargo build -p prefect-mcp-server`; `cargo xtask test` does)",
                binary.display()
            )
        });
    let root = workspace_root();
    let sources = [
        "server/src",
        // The MCP Apps views are compiled in (include_str!).
        "server/apps/dist",
        "server/Cargo.toml",
        "prefect-api/src",
        "Cargo.lock",
    ];
    if let Some(newer) = sources
        .iter()
        .filter_map(|dir| newest_file(&root.join(dir)))
        .find(|(modified, _)| *modified > built)
    {
        panic!(
            "{} is older than {}: rebuild it (`cargo build -p prefect-mcp-server`; `cargo xtask test` does) so that the tests exercise the current source",
            binary.display(),
            newer.1.display()
        );
    }
    binary
}

/// The most recently modified file at or under `path`.
fn newest_file(path: &std::path::Path) -> Option<(std::time::SystemTime, PathBuf)> {
    let metadata = std::fs::metadata(path).ok()?;
    if metadata.is_file() {
        return Some((metadata.modified().ok()?, path.to_path_buf()));
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(|entry| newest_file(&entry.ok()?.path()))
        .max_by_key(|(modified, _)| *modified)
}

/// A client that records the progress notifications it receives.
#[derive(Clone, Default)]
pub struct RecordingClient {
    pub progress: Arc<Mutex<Vec<ProgressNotificationParam>>>,
}

impl ClientHandler for RecordingClient {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _cx: NotificationContext<RoleClient>,
    ) {
        self.progress.lock().expect("progress lock").push(params);
    }

    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new("prefect-mcp-integration-tests", env!("CARGO_PKG_VERSION")),
        )
    }
}

pub type Session = RunningService<RoleClient, RecordingClient>;

/// How to launch the server.
#[derive(Clone, Debug, Default)]
pub struct Launch {
    pub args: Vec<String>,
    /// Extra environment; `PREFECT_API_URL` defaults to the server under test.
    pub env: Vec<(String, String)>,
}

impl Launch {
    pub fn arg(mut self, arg: &str) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }
}

/// Start the binary against the Prefect under test, initialised and ready.
pub async fn connect() -> Result<Session> {
    connect_with(Launch::default()).await
}

pub async fn connect_with(launch: Launch) -> Result<Session> {
    let api_url = prefect_api_url();
    let binary = server_binary();
    let transport =
        TokioChildProcess::new(tokio::process::Command::new(&binary).configure(|cmd| {
            cmd.args(&launch.args)
                // A clean slate: no profile or key of the developer's leaks into a test.
                .env_remove("PREFECT_API_KEY")
                .env_remove("PREFECT_API_AUTH_STRING")
                .env_remove("PREFECT_PROFILE")
                .env(
                    "PREFECT_HOME",
                    std::env::temp_dir().join("prefect-mcp-tests-empty-home"),
                )
                .env("PREFECT_API_URL", &api_url)
                .env("RUST_LOG", "warn");
            for (key, value) in &launch.env {
                cmd.env(key, value);
            }
        }))
        .with_context(|| format!("starting {}", binary.display()))?;
    Ok(RecordingClient::default().serve(transport).await?)
}

/// Call a tool; the raw result (success or tool error).
pub async fn call(session: &Session, tool: &str, arguments: Value) -> Result<CallToolResult> {
    let Value::Object(arguments) = arguments else {
        bail!("arguments must be a JSON object");
    };
    Ok(session
        .call_tool(CallToolRequestParams::new(tool.to_owned()).with_arguments(arguments))
        .await?)
}

/// Call a tool that must succeed; its structured content.
pub async fn call_ok(session: &Session, tool: &str, arguments: Value) -> Value {
    let result = call(session, tool, arguments.clone())
        .await
        .unwrap_or_else(|e| panic!("{tool}({arguments}) failed at the protocol level: {e}"));
    assert_ne!(
        result.is_error,
        Some(true),
        "{tool}({arguments}) returned a tool error: {}",
        text_of(&result)
    );
    let structured = result
        .structured_content
        .clone()
        .unwrap_or_else(|| panic!("{tool} returned no structured content"));
    // The text content carries the same JSON, for clients that ignore structured content.
    let text: Value = serde_json::from_str(&text_of(&result)).expect("text content is JSON");
    assert_eq!(
        text, structured,
        "{tool}: text and structured content differ"
    );
    structured
}

/// Call a tool that must fail with a tool error (not a protocol error); its message.
pub async fn call_err(session: &Session, tool: &str, arguments: Value) -> String {
    let result = call(session, tool, arguments.clone())
        .await
        .unwrap_or_else(|e| panic!("{tool}({arguments}) failed at the protocol level: {e}"));
    assert_eq!(
        result.is_error,
        Some(true),
        "{tool}({arguments}) should have failed but returned {:?}",
        result.structured_content
    );
    text_of(&result)
}

pub fn text_of(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Names of the items of a list result (`flows`, `flow_runs`, `deployments`).
pub fn names(list: &Value, key: &str) -> Vec<String> {
    list[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} missing in {list}"))
        .iter()
        .filter_map(|item| item["name"].as_str().map(String::from))
        .collect()
}

/// Find a deployment of the sample world by "flow/deployment" name; its id.
pub async fn deployment_id(session: &Session, full_name: &str) -> String {
    let deployment = call_ok(
        session,
        "get_deployment_by_name",
        serde_json::json!({ "name": full_name }),
    )
    .await;
    deployment["id"]
        .as_str()
        .expect("deployment id")
        .to_string()
}

/// The id of a flow run of the sample world, by its name (e.g. "seed-fail").
pub async fn seed_run_id(session: &Session, name: &str) -> String {
    let runs = call_ok(
        session,
        "filter_flow_runs",
        serde_json::json!({"filter_criteria": {"name": {"any_": [name]}}}),
    )
    .await;
    runs["flow_runs"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("the seeded run {name} is missing: {runs}"))
        .to_string()
}

/// A flow's id by name.
pub async fn flow_id(session: &Session, name: &str) -> String {
    let flow = call_ok(
        session,
        "get_flow_by_name",
        serde_json::json!({ "name": name }),
    )
    .await;
    flow["id"].as_str().expect("flow id").to_string()
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
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
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
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") {
                        match socket.read(&mut byte).await {
                            Ok(1) => head.push(byte[0]),
                            _ => return,
                        }
                    }
                    let head = String::from_utf8_lossy(&head).into_owned();
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

/// A free loopback port (bound and released).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

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
        use std::process::Stdio;
        let mut child = std::process::Command::new(server_binary())
            .env("PREFECT_API_URL", prefect_api_url())
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

/// A server process on HTTP, stopped when dropped.
pub struct HttpServer {
    child: std::process::Child,
    pub base: String,
}

impl HttpServer {
    pub fn start(extra: &[&str], env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let bind = format!("127.0.0.1:{port}");
        let mut command = std::process::Command::new(server_binary());
        command
            .args(["--transport", "http", "--bind", &bind])
            .args(extra)
            .env("PREFECT_API_URL", prefect_api_url())
            .env(
                "PREFECT_HOME",
                std::env::temp_dir().join("prefect-mcp-tests-empty-home"),
            )
            .env_remove("PREFECT_API_KEY")
            .env("RUST_LOG", "warn")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        for (k, v) in env {
            command.env(k, v);
        }
        let child = command.spawn().expect("start the server");
        let server = HttpServer {
            child,
            base: format!("http://{bind}"),
        };
        server.wait_healthy();
        server
    }

    fn wait_healthy(&self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::net::TcpStream::connect(self.base.trim_start_matches("http://")).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "the HTTP server did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    pub fn mcp(&self) -> String {
        format!("{}/mcp", self.base)
    }

    /// The server's process id, to read its memory from /proc.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `host:port`, for raw TCP clients.
    pub fn address(&self) -> &str {
        self.base.trim_start_matches("http://")
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The Python with the MCP SDK 2.x that `cargo xtask test` installs (`PREFECT_TEST_CLIENTS_PYTHON`,
/// else target/clients/py-venv). Never a silent skip.
pub fn clients_python() -> PathBuf {
    let path = std::env::var_os("PREFECT_TEST_CLIENTS_PYTHON")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/clients/py-venv/bin/python"));
    assert!(
        path.exists(),
        "no Python with the MCP SDK 2.x at {}: run the suite with `cargo xtask test`, which \
         installs the test clients under target/clients",
        path.display()
    );
    path
}

/// The npm folder holding the TypeScript SDK (`PREFECT_TEST_CLIENTS_NODE`, else
/// target/clients/node). Never a silent skip.
pub fn clients_node_modules() -> PathBuf {
    let dir = std::env::var_os("PREFECT_TEST_CLIENTS_NODE")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/clients/node"));
    let modules = dir.join("node_modules");
    assert!(
        modules.join("@modelcontextprotocol/sdk").exists(),
        "no TypeScript MCP SDK under {}: run the suite with `cargo xtask test`, which installs \
         the test clients under target/clients",
        modules.display()
    );
    modules
}

/// Run a client script whose last stdout line is a JSON summary with `ok`; the summary, or a
/// panic with the script's output.
pub fn run_client_script(command: &mut std::process::Command) -> Value {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("running {command:?}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report = format!("--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}");
    let summary: Value = stdout
        .lines()
        .last()
        .and_then(|line| serde_json::from_str(line).ok())
        .unwrap_or_else(|| panic!("no JSON summary on the last stdout line\n{report}"));
    assert!(
        output.status.success() && summary["ok"].as_bool() == Some(true),
        "the client script failed ({}): {}\n{report}",
        output.status,
        summary["error"]
    );
    summary
}
