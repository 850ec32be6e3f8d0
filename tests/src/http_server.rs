//! The binary serving MCP over HTTP on a free loopback port.

use std::path::PathBuf;

use crate::environment::{empty_prefect_home, prefect_api_url};
use crate::server_binary::server_binary;

/// A free loopback port (bound and released).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// A server process on HTTP, stopped when dropped.
pub struct HttpServer {
    child: std::process::Child,
    pub base: String,
    /// Where its log (stderr) goes, when kept ([`HttpServer::start_logged`]).
    log: Option<PathBuf>,
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

    fn launch(extra: &[&str], env: &[(&str, &str)], keep_log: bool) -> Self {
        let port = free_port();
        let bind = format!("127.0.0.1:{port}");
        let log =
            keep_log.then(|| std::env::temp_dir().join(format!("prefect-mcp-http-{port}.log")));
        let stderr = match &log {
            Some(path) => std::fs::File::create(path)
                .expect("create the server log")
                .into(),
            None => std::process::Stdio::null(),
        };
        let mut command = std::process::Command::new(server_binary());
        command
            .args(["--transport", "http", "--bind", &bind])
            .args(extra)
            .env("PREFECT_API_URL", prefect_api_url())
            .env("PREFECT_HOME", empty_prefect_home())
            .env(crate::EVERY_TOOLSET.0, crate::EVERY_TOOLSET.1)
            .env_remove("PREFECT_API_KEY")
            .env("RUST_LOG", if keep_log { "info" } else { "warn" })
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(stderr);
        for (k, v) in env {
            command.env(k, v);
        }
        let child = command.spawn().expect("start the server");
        let server = HttpServer {
            child,
            base: format!("http://{bind}"),
            log,
        };
        server.wait_healthy();
        server
    }

    fn wait_healthy(&self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::net::TcpStream::connect(self.address()).is_err() {
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

    /// Everything it logged so far (nothing unless started with [`HttpServer::start_logged`]).
    pub fn log_text(&self) -> String {
        self.log
            .as_ref()
            .and_then(|path| std::fs::read_to_string(path).ok())
            .unwrap_or_default()
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
        if let Some(log) = &self.log {
            let _ = std::fs::remove_file(log);
        }
    }
}
