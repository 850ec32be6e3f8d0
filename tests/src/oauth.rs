//! What the OAuth tests run against: a real authorization server (node-oidc-provider, started on
//! a free loopback port by tests/node/oidc_provider.mjs), the server binary as an OAuth resource
//! server with its log kept, and a recording proxy in front of Prefect that shows what reached
//! it. Nothing here skips: a missing dependency fails the test, saying how to install it.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{free_port, prefect_api_url, read_head, server_binary, wait_listening, workspace_root};

/// The npm folder holding oidc-provider (`PREFECT_TEST_OIDC_NODE`, else target/clients/oidc).
pub fn oidc_node_dir() -> PathBuf {
    let dir = std::env::var_os("PREFECT_TEST_OIDC_NODE")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/clients/oidc"));
    assert!(
        dir.join("node_modules/oidc-provider").exists(),
        "no oidc-provider under {}: run the suite with `cargo xtask test`, which installs it",
        dir.display()
    );
    dir
}

/// node-oidc-provider on loopback, killed when dropped.
pub struct AuthServer {
    child: Child,
    pub issuer: String,
    /// Client id -> secret (see the script for each client's scopes).
    pub secrets: Value,
    /// A token signed with the provider's key that expired an hour ago.
    pub expired_token: String,
}

impl AuthServer {
    /// Start it minting tokens whose default audience is `audience` (the MCP public URL).
    pub fn start(audience: &str) -> Self {
        let dir = oidc_node_dir();
        // An ESM script resolves packages next to itself: run a copy inside the npm folder.
        let script = dir.join("oidc_provider.mjs");
        std::fs::copy(
            workspace_root().join("tests/node/oidc_provider.mjs"),
            &script,
        )
        .expect("copy the authorization server script next to its node_modules");
        let mut child = Command::new("node")
            .arg(&script)
            .arg(audience)
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start node (is Node.js installed? `cargo xtask test` installs it)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout piped"))
            .read_line(&mut line)
            .expect("read the authorization server's first line");
        let started: Value = serde_json::from_str(&line).unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("the authorization server did not start: {line:?}")
        });
        AuthServer {
            child,
            issuer: started["issuer"].as_str().expect("issuer").to_string(),
            secrets: started["clients"].clone(),
            expired_token: started["expired_token"]
                .as_str()
                .expect("token")
                .to_string(),
        }
    }

    pub fn secret(&self, client: &str) -> String {
        self.secrets[client]
            .as_str()
            .expect("a known client")
            .to_string()
    }

    /// An access token by the client credentials grant; `resource` asks for another audience.
    pub async fn token(&self, client: &str, scope: &str, resource: Option<&str>) -> String {
        let mut form = vec![("grant_type", "client_credentials"), ("scope", scope)];
        if let Some(resource) = resource {
            form.push(("resource", resource));
        }
        let answer: Value = reqwest::Client::new()
            .post(format!("{}/token", self.issuer))
            .basic_auth(client, Some(self.secret(client)))
            .form(&form)
            .send()
            .await
            .expect("token request")
            .json()
            .await
            .expect("token response");
        answer["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no token for {client}: {answer}"))
            .to_string()
    }
}

impl Drop for AuthServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The server binary over HTTP as an OAuth resource server, with its log in a file.
pub struct OAuthMcp {
    child: Child,
    pub port: u16,
    pub log: PathBuf,
}

impl OAuthMcp {
    /// A free port, so that the public URL (the tokens' audience) is known before anything
    /// starts.
    pub fn reserve() -> u16 {
        free_port()
    }

    pub fn public_url(port: u16) -> String {
        format!("http://127.0.0.1:{port}/mcp")
    }

    /// Start on `port`, trusting `issuer`, with Prefect at `api_url` (a proxy, or the real one
    /// when `None`).
    pub fn start(
        port: u16,
        public_url: &str,
        issuer: &str,
        api_url: Option<&str>,
        extra: &[&str],
    ) -> Self {
        let log = std::env::temp_dir().join(format!("prefect-mcp-oauth-{port}.log"));
        let log_file = std::fs::File::create(&log).expect("create the server log");
        let child = Command::new(server_binary())
            .args([
                "--transport",
                "http",
                "--bind",
                &format!("127.0.0.1:{port}"),
            ])
            .args(["--oauth-issuer", issuer, "--public-url", public_url])
            .args(extra)
            .env(
                "PREFECT_API_URL",
                api_url.map(String::from).unwrap_or_else(prefect_api_url),
            )
            .env("PREFECT_HOME", crate::empty_prefect_home())
            .env(crate::EVERY_TOOLSET.0, crate::EVERY_TOOLSET.1)
            .env_remove("PREFECT_API_KEY")
            .env_remove("PREFECT_MCP_HTTP_TOKEN")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .expect("start the server");
        let mut server = OAuthMcp { child, port, log };
        // Its own log says it listens on the port, not a connect another process could answer.
        let address = wait_listening(&mut server.child, &server.log);
        assert_eq!(address, format!("127.0.0.1:{port}"));
        server
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Stop it now (as a crashed replica would), not when dropped.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for OAuthMcp {
    fn drop(&mut self) {
        self.kill();
        crate::remove_log(&self.log);
    }
}

/// A proxy in front of the real Prefect that records each request's head (request line and
/// headers), to show what the server sends Prefect.
pub struct RecordingProxy {
    pub api_url: String,
    pub heads: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl RecordingProxy {
    pub async fn start(upstream_api_url: &str) -> Self {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let api_url = format!("http://{}/api", listener.local_addr().expect("addr"));
        let upstream = upstream_api_url.trim_end_matches("/api").to_string();
        let heads = Arc::new(Mutex::new(Vec::new()));
        let seen = heads.clone();
        let http = reqwest::Client::new();
        let task = tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let (seen, http, upstream) = (seen.clone(), http.clone(), upstream.clone());
                tokio::spawn(async move {
                    let Some(head) = read_head(&mut socket).await else {
                        return;
                    };
                    seen.lock().expect("heads lock").push(head.clone());
                    let mut lines = head.lines();
                    let mut request_line = lines.next().unwrap_or_default().split(' ');
                    let (method, path) = (request_line.next(), request_line.next());
                    let headers: Vec<(String, String)> = lines
                        .filter_map(|l| l.split_once(':'))
                        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                        .collect();
                    let length = headers
                        .iter()
                        .find(|(k, _)| k == "content-length")
                        .and_then(|(_, v)| v.parse::<usize>().ok())
                        .unwrap_or(0);
                    let mut body = vec![0u8; length];
                    if socket.read_exact(&mut body).await.is_err() {
                        return;
                    }
                    let method = reqwest::Method::from_bytes(method.unwrap_or("GET").as_bytes())
                        .unwrap_or(reqwest::Method::GET);
                    let mut forward =
                        http.request(method, format!("{upstream}{}", path.unwrap_or("/")));
                    for (name, value) in &headers {
                        if !matches!(name.as_str(), "host" | "content-length" | "connection") {
                            forward = forward.header(name, value);
                        }
                    }
                    let Ok(answer) = forward.body(body).send().await else {
                        return;
                    };
                    let status = answer.status().as_u16();
                    let kind = answer
                        .headers()
                        .get("content-type")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("application/json")
                        .to_string();
                    let bytes = answer.bytes().await.unwrap_or_default();
                    let response = format!(
                        "HTTP/1.1 {status} X\r\nconnection: close\r\ncontent-type: {kind}\r\n\
                         content-length: {}\r\n\r\n",
                        bytes.len()
                    );
                    let _ = socket.write_all(response.as_bytes()).await;
                    let _ = socket.write_all(&bytes).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        RecordingProxy {
            api_url,
            heads,
            task,
        }
    }

    pub fn heads(&self) -> Vec<String> {
        self.heads.lock().expect("heads lock").clone()
    }
}

impl Drop for RecordingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// nginx (`PREFECT_TEST_NGINX`, else Debian's /usr/sbin/nginx) balancing round-robin over
/// `upstreams` on `port`, retrying a request on the next replica when one does not answer (as a
/// load balancer in front of replicas is set up). Stopped when dropped.
pub struct Nginx {
    child: Child,
    dir: PathBuf,
}

impl Nginx {
    pub fn start(port: u16, upstreams: &[u16]) -> Self {
        let binary = std::env::var_os("PREFECT_TEST_NGINX")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/usr/sbin/nginx"));
        assert!(
            binary.exists(),
            "no nginx at {}: run the suite with `cargo xtask test`, which installs Debian's",
            binary.display()
        );
        let dir = std::env::temp_dir().join(format!("prefect-mcp-nginx-{port}"));
        std::fs::create_dir_all(&dir).expect("nginx folder");
        let servers: String = upstreams
            .iter()
            .map(|p| format!("server 127.0.0.1:{p} max_fails=1 fail_timeout=60s; "))
            .collect();
        let d = dir.display();
        let config = format!(
            // One process (no master and workers), so that killing the child stops nginx.
            "daemon off; master_process off; pid {d}/nginx.pid; error_log {d}/error.log;\n\
             events {{ worker_connections 512; }}\n\
             http {{ access_log off; client_body_temp_path {d}/body; proxy_temp_path {d}/proxy;\n\
               fastcgi_temp_path {d}/fcgi; uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n\
               upstream mcp {{ {servers} }}\n\
               server {{ listen 127.0.0.1:{port};\n\
                 location / {{ proxy_pass http://mcp; proxy_http_version 1.1;\n\
                   proxy_set_header Host $http_host; proxy_buffering off;\n\
                   proxy_read_timeout 120s; proxy_connect_timeout 2s;\n\
                   proxy_next_upstream error timeout http_502 non_idempotent; }} }} }}\n"
        );
        let conf = dir.join("nginx.conf");
        std::fs::write(&conf, config).expect("write nginx.conf");
        let child = Command::new(&binary)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nginx did not start: {}",
                std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Nginx { child, dir }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
