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
