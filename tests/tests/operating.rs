//! Operating the HTTP endpoint: `/ready` for load balancers, against a Prefect that goes away
//! and comes back.
//!
//! tier: once

use std::time::{Duration, Instant};

use integration_tests::*;

async fn ready_status(client: &reqwest::Client, server: &HttpServer) -> (u16, String) {
    let response = client
        .get(format!("{}/ready", server.base))
        .send()
        .await
        .expect("GET /ready");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// Probe until `/ready` answers `want` (the cached answer lasts about a second).
async fn until_ready_is(client: &reqwest::Client, server: &HttpServer, want: u16) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = ready_status(client, server).await;
        if status == want {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "/ready stayed {status} ({body}), expected {want}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Many probes, few Prefect requests: 50 probes in a row are answered from the cached check.
async fn probe_many(client: &reqwest::Client, server: &HttpServer, fake: &FakePrefect) {
    let before = fake.request_count();
    for _ in 0..50 {
        assert_eq!(ready_status(client, server).await.0, 200);
    }
    let sent = fake.request_count() - before;
    assert!(
        sent <= 10,
        "50 probes sent {sent} requests to Prefect: the answer is not cached"
    );
}

#[tokio::test]
async fn ready_follows_prefect_going_away_and_coming_back_without_a_request_per_probe() {
    let health = || vec![Answer::json(200, "true")];
    let fake = FakePrefect::start(health()).await;
    let server = HttpServer::start(&[], &[("PREFECT_API_URL", &fake.api_url)]);
    let client = reqwest::Client::new();

    until_ready_is(&client, &server, 200).await;
    probe_many(&client, &server, &fake).await;
    assert!(fake.requests.lock().unwrap()[0].starts_with("GET /api/health "));

    fake.stop();
    let body = until_ready_is(&client, &server, 503).await;
    assert!(body.contains("not ready"), "{body}");
    assert!(!body.contains(fake.address()), "{body}");
    // Liveness is not readiness: the process still serves.
    let health_status = client
        .get(format!("{}/health", server.base))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(health_status, 200);

    let address = fake.address().to_string();
    drop(fake);
    let back = loop {
        // The stopped fake's listener closes as its task ends.
        match tokio::net::TcpListener::bind(&address).await {
            Ok(probe) => {
                drop(probe);
                break FakePrefect::start_at(&address, health()).await;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    };
    until_ready_is(&client, &server, 200).await;
    probe_many(&client, &server, &back).await;
}

/// Debian's Prometheus, installed with apt-get when missing (as the browser tier installs
/// Chromium).
fn prometheus_binary() -> &'static str {
    let present = |name: &str| {
        std::process::Command::new("which")
            .arg(name)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !present("prometheus") {
        for args in [
            &["update", "-q"][..],
            &["install", "-y", "-q", "prometheus"],
        ] {
            let status = std::process::Command::new("apt-get")
                .args(args)
                .env("DEBIAN_FRONTEND", "noninteractive")
                .status()
                .expect("apt-get (Prometheus is needed for the metrics test)");
            assert!(status.success(), "apt-get {args:?} failed");
        }
    }
    "prometheus"
}

/// A Prometheus on loopback scraping `target`'s `/metrics` every second; stopped when dropped.
struct Prometheus {
    child: std::process::Child,
    base: String,
    dir: std::path::PathBuf,
}

impl Prometheus {
    fn scraping(target: &str) -> Self {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("prefect-mcp-prometheus-{port}"));
        std::fs::create_dir_all(&dir).unwrap();
        let config = dir.join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: prefect-mcp\n    \
                 static_configs:\n      - targets: ['{target}']\n"
            ),
        )
        .unwrap();
        let child = std::process::Command::new(prometheus_binary())
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start prometheus");
        Prometheus {
            child,
            base: format!("http://127.0.0.1:{port}"),
            dir,
        }
    }

    /// The value of `query`'s single sample, once Prometheus has one equal to `want`.
    async fn until_value(&self, query: &str, want: f64) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut last = None;
        while Instant::now() < deadline {
            last = self.value(query).await;
            if last == Some(want) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        panic!("Prometheus: {query} = {last:?}, expected {want}");
    }

    async fn value(&self, query: &str) -> Option<f64> {
        let reply = self.query(query).await?;
        let samples = reply["data"]["result"].as_array()?;
        let [sample] = samples.as_slice() else {
            return None;
        };
        sample["value"][1].as_str()?.parse().ok()
    }

    async fn query(&self, query: &str) -> Option<serde_json::Value> {
        let response = reqwest::Client::new()
            .get(format!("{}/api/v1/query", self.base))
            .query(&[("query", query)])
            .send()
            .await
            .ok()?;
        response.json().await.ok()
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
async fn prometheus_scrapes_the_calls_made_under_bounded_labels() {
    let server = HttpServer::start(&[], &[]);
    let session = raw_http::RawSession::open(&server.mcp(), serde_json::json!({})).await;
    for _ in 0..3 {
        let reply = session.call("list_flows", serde_json::json!({})).await;
        assert_eq!(reply["result"]["isError"], false, "{reply}");
    }
    // 1,000 calls with distinct ids, and calls of tools that do not exist under distinct names.
    for _ in 0..1000 {
        let id = uuid::Uuid::new_v4().to_string();
        let reply = session
            .call(
                "get_flow_run_by_id",
                serde_json::json!({ "flow_run_id": id }),
            )
            .await;
        assert!(
            reply["result"]["isError"] == true || reply["error"].is_object(),
            "{reply}"
        );
    }
    for n in 0..20 {
        session
            .call(&format!("no_such_tool_{n}"), serde_json::json!({}))
            .await;
    }

    // A subscription to the sample world's late run (it stays SCHEDULED): one subscription, one
    // watched run, counted while the session holds it.
    let late: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/flow_runs/filter", prefect_api_url()))
        .json(&serde_json::json!({"flow_runs": {"name": {"any_": ["seed-late"]}}, "limit": 1}))
        .send()
        .await
        .expect("Prefect answers")
        .json()
        .await
        .expect("JSON");
    let late_id = late[0]["id"]
        .as_str()
        .expect("the seeded late run")
        .to_string();
    let (_subscriber, _updates) =
        raw_http::RawSession::subscribed_to_runs(&server.mcp(), &[late_id]).await;

    let prometheus = Prometheus::scraping(server.address());
    prometheus
        .until_value("mcp_server_resource_subscriptions", 1.0)
        .await;
    prometheus
        .until_value("prefect_watched_flow_runs", 1.0)
        .await;
    prometheus
        .until_value(
            r#"mcp_server_operation_duration_seconds_count{mcp_method_name="tools/call",gen_ai_tool_name="list_flows",error_type=""}"#,
            3.0,
        )
        .await;
    prometheus
        .until_value(
            r#"sum(prefect_client_request_duration_seconds_count{operation="read_flows"})"#,
            3.0,
        )
        .await;
    prometheus
        .until_value(
            r#"sum(mcp_server_operation_duration_seconds_count{gen_ai_tool_name="get_flow_run_by_id"})"#,
            1000.0,
        )
        .await;
    prometheus
        .until_value(
            r#"sum(mcp_server_operation_duration_seconds_count{gen_ai_tool_name="_unknown"})"#,
            20.0,
        )
        .await;
    prometheus
        .until_value(
            r#"sum(prefect_client_request_errors_total{operation="read_flow_run",error_type="404"})"#,
            1000.0,
        )
        .await;
    prometheus.until_value("mcp_server_sessions", 2.0).await;
    // Bounded: a handful of series, none naming an id or a client's made-up tool name.
    let series = prometheus
        .query(r#"{__name__=~"mcp_.*|prefect_.*"}"#)
        .await
        .expect("series");
    let series = series["data"]["result"].as_array().expect("result").clone();
    let text = serde_json::to_string(&series).unwrap();
    // A histogram's buckets are one label set each; the label sets are what must stay few.
    let label_sets = series
        .iter()
        .filter(|s| {
            !s["metric"]["__name__"]
                .as_str()
                .unwrap()
                .ends_with("_bucket")
        })
        .count();
    assert!(label_sets < 30, "{label_sets} label sets: {text}");
    assert!(!text.contains("no_such_tool"), "{text}");
    let uuid_like = text
        .split('"')
        .any(|s| s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4);
    assert!(!uuid_like, "an id became a label: {text}");
}

async fn metrics_status(url: &str, token: Option<&str>) -> u16 {
    let mut request = reqwest::Client::new().get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request
        .send()
        .await
        .expect("GET /metrics")
        .status()
        .as_u16()
}

#[tokio::test]
async fn metrics_share_the_mcp_authentication_or_live_alone_on_a_private_address() {
    let token = "metrics-test-token";
    let server = HttpServer::start(&["--http-token", token], &[]);
    let beside_mcp = format!("{}/metrics", server.base);
    assert_eq!(metrics_status(&beside_mcp, None).await, 401);
    assert_eq!(metrics_status(&beside_mcp, Some(token)).await, 200);

    let private = format!("127.0.0.1:{}", free_port());
    let server = HttpServer::start(&["--http-token", token, "--metrics-bind", &private], &[]);
    assert_eq!(
        metrics_status(&format!("{}/metrics", server.base), Some(token)).await,
        404
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let answer = reqwest::get(format!("http://{private}/metrics")).await;
        if let Ok(answer) = answer {
            assert_eq!(answer.status(), 200);
            let text = answer.text().await.unwrap();
            assert!(text.contains("# TYPE mcp_server_sessions gauge"), "{text}");
            break;
        }
        assert!(Instant::now() < deadline, "nothing serves {private}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
