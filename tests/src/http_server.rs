//! The binary serving MCP over HTTP on a free loopback port.

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
            .env("PREFECT_HOME", empty_prefect_home())
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
