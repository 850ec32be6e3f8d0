//! Flow runs parked in the real Prefect for a test (see [`ParkedRuns`]).

use std::time::Duration;

use serde_json::{json, Value};

use crate::prefect_api_url;

/// Flow runs parked in the real Prefect for one test: made through Prefect's REST API for the
/// sample flow mcp-hello, scheduled in 2099 and without a deployment, so that no runner picks
/// them up and they stay SCHEDULED (unfinished) for as long as a test waits on or watches
/// them. Deleted when dropped, also when the test fails.
pub struct ParkedRuns {
    pub ids: Vec<String>,
}

impl ParkedRuns {
    /// `count` runs named after `purpose`, made one at a time.
    pub async fn make(count: usize, purpose: &str) -> Self {
        let api = prefect_api_url();
        let http = reqwest::Client::new();
        let flow: Value = http
            .get(format!("{api}/flows/name/mcp-hello"))
            .send()
            .await
            .expect("read the sample flow")
            .json()
            .await
            .expect("the sample flow");
        let flow_id = flow["id"].as_str().expect("mcp-hello's id").to_string();
        let batch = uuid::Uuid::new_v4().simple().to_string();
        // One at a time: Prefect on SQLite answers concurrent writes with 503.
        let mut runs = ParkedRuns { ids: Vec::new() };
        for i in 0..count {
            let body = json!({
                "flow_id": flow_id,
                "name": format!("parked-{purpose}-{}-{i}", &batch[..8]),
                "tags": ["parked-runs"],
                "state": {"type": "SCHEDULED", "name": "Scheduled",
                          "state_details": {"scheduled_time": "2099-01-01T00:00:00Z"}},
            });
            let mut tries = 0;
            let run: Value = loop {
                let response = http
                    .post(format!("{api}/flow_runs/"))
                    .json(&body)
                    .send()
                    .await
                    .expect("create a run");
                let status = response.status();
                let answer: Value = response.json().await.unwrap_or_default();
                if status.is_success() || tries == 10 {
                    break answer;
                }
                // Other tests write to Prefect at the same time.
                tries += 1;
                tokio::time::sleep(Duration::from_millis(200)).await;
            };
            let id = run["id"].as_str();
            runs.ids.push(
                id.unwrap_or_else(|| panic!("no run made: {run}"))
                    .to_string(),
            );
        }
        runs
    }
}

/// Force flow run `id` into `state_type` (e.g. COMPLETED) straight in Prefect, as a worker
/// would: retried while Prefect on SQLite answers 503 to concurrent writes.
pub async fn force_state(id: &str, state_type: &str) {
    let http = reqwest::Client::new();
    let body = json!({"state": {"type": state_type}, "force": true});
    for _ in 0..20 {
        let sent = http
            .post(format!("{}/flow_runs/{id}/set_state", prefect_api_url()))
            .json(&body)
            .send()
            .await;
        if sent.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("could not set flow run {id} to {state_type}");
}

impl Drop for ParkedRuns {
    fn drop(&mut self) {
        let ids = std::mem::take(&mut self.ids);
        let api = prefect_api_url();
        // Dropped inside the test's runtime: delete from a thread with its own.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                let http = reqwest::Client::new();
                for id in ids {
                    for _ in 0..10 {
                        let request = http.delete(format!("{api}/flow_runs/{id}")).send();
                        if request.await.is_ok_and(|r| r.status() != 503) {
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                }
            });
        })
        .join();
    }
}
