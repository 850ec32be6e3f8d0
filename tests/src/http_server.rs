//! The binary serving MCP over HTTP on a loopback port of its own choosing.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::environment::{empty_prefect_home, prefect_api_url};
use crate::server_binary::server_binary;

/// A free loopback port (bound and released), for a process that must be told its port
/// before it starts (nginx, an OAuth audience). Never the same port twice in this process:
/// tests run side by side, and the kernel may hand a just-released port out again.
pub fn free_port() -> u16 {
    static HANDED_OUT: Mutex<Option<HashSet<u16>>> = Mutex::new(None);
    let mut handed_out = HANDED_OUT.lock().unwrap_or_else(|e| e.into_inner());
    let handed_out = handed_out.get_or_insert_with(HashSet::new);
    loop {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        if handed_out.insert(port) {
            return port;
        }
    }
}

/// The line the server logs once it listens, with the address it got.
const LISTENING: &str = "serving MCP over streamable HTTP";

/// A server process on HTTP, stopped when dropped.
pub struct HttpServer {
    child: std::process::Child,
    pub base: String,
    /// Where its log (stderr) goes.
    log: PathBuf,
    /// Whether the log is the test's to read ([`HttpServer::start_logged`]).
    keep_log: bool,
}

impl HttpServer {
    /// `extra` flags and `env` come after the defaults; the log (warnings) is dropped.
    pub fn start(extra: &[&str], env: &[(&str, &str)]) -> Self {
        Self::launch(extra, env, false)
    }

    /// The same with its log kept in a file, at `info` (`--log-level` or `RUST_LOG` in `env`
    /// change it), for tests that check what it logged ([`HttpServer::log_text`]).
    pub fn start_logged(extra: &[&str], env: &[(&str, &str)]) -> Self {
        Self::launch(extra, env, true)
    }

    /// The server binds port 0 and the harness reads the port it got from its log: a port
    /// picked here and bound there could be taken in between by a test running beside this
    /// one, whose server would then answer for this one.
    fn launch(extra: &[&str], env: &[(&str, &str)], keep_log: bool) -> Self {
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let log = std::env::temp_dir().join(format!(
            "prefect-mcp-http-{}-{}.log",
            std::process::id(),
            STARTED.fetch_add(1, Ordering::Relaxed)
        ));
        let stderr = std::fs::File::create(&log).expect("create the server log");
        let level = if keep_log {
            "info"
        } else {
            "warn,prefect_mcp_server::transport::http=info"
        };
        let mut command = std::process::Command::new(server_binary());
        command
            .args(["--transport", "http", "--bind", "127.0.0.1:0"])
            .args(extra)
            .env("PREFECT_API_URL", prefect_api_url())
            .env("PREFECT_HOME", empty_prefect_home())
            .env(crate::EVERY_TOOLSET.0, crate::EVERY_TOOLSET.1)
            .env_remove("PREFECT_API_KEY")
            .env("RUST_LOG", level)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(stderr);
        for (k, v) in env {
            command.env(k, v);
        }
        let child = command.spawn().expect("start the server");
        // Held before the wait, so that a server that never listens is stopped (and its log
        // shown) when the wait fails the test.
        let mut server = HttpServer {
            child,
            base: String::new(),
            log,
            keep_log,
        };
        server.base = format!("http://{}", wait_listening(&mut server.child, &server.log));
        server
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

    /// Everything it logged so far (nothing unless started with [`HttpServer::start_logged`]).
    pub fn log_text(&self) -> String {
        match self.keep_log {
            true => std::fs::read_to_string(&self.log).unwrap_or_default(),
            false => String::new(),
        }
    }

    /// Stop it now; its log stays readable.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.kill();
        remove_log(&self.log);
    }
}

/// Remove a server's log; when a test is failing, show it first (the test's output keeps it).
pub fn remove_log(log: &std::path::Path) {
    if std::thread::panicking() {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let tail = &lines[lines.len().saturating_sub(200)..];
        eprintln!(
            "--- the server's log ({}), last {} lines ---\n{}",
            log.display(),
            tail.len(),
            tail.join("\n")
        );
    }
    let _ = std::fs::remove_file(log);
}

/// `127.0.0.1:port` in a log line, text or JSON.
fn loopback_address(line: &str) -> Option<String> {
    let at = line.find("127.0.0.1:")?;
    let rest = &line[at + "127.0.0.1:".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let port: u16 = digits.parse().ok()?;
    Some(format!("127.0.0.1:{port}"))
}

/// The address a server started with its log at `log` (at `info` for
/// `prefect_mcp_server::transport::http`) logged once listening; fails with its log if it exits
/// first or takes over 20 s.
pub fn wait_listening(child: &mut std::process::Child, log: &std::path::Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Some(address) = text
            .lines()
            .filter(|line| line.contains(LISTENING))
            .find_map(loopback_address)
        {
            return address;
        }
        let exited = child.try_wait().ok().flatten();
        assert!(
            exited.is_none() && Instant::now() < deadline,
            "the HTTP server did not start ({exited:?}): {text}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
