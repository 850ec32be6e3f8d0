//! What the write tests share: Prefect's REST API read directly (each tool's effect is checked
//! there, not through the tool that made it), and throwaway objects made for one test.

#![allow(dead_code)]

use std::time::{Duration, Instant};

use integration_tests::prefect_api_url;
use serde_json::{json, Value};

pub const FINAL: [&str; 4] = ["COMPLETED", "FAILED", "CANCELLED", "CRASHED"];

/// Prefect's REST API, for reading back what a tool did and for making test objects.
pub struct Rest {
    http: reqwest::Client,
    base: String,
}

impl Rest {
    pub fn new() -> Self {
        Rest {
            http: reqwest::Client::new(),
            base: prefect_api_url().trim_end_matches('/').to_string(),
        }
    }

    /// A request; the status and the JSON body (`null` when empty). SQLite answers colliding
    /// writes with 503, so those are retried, as every client of Prefect does.
    pub async fn send(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        for attempt in 0..8 {
            let mut request = self
                .http
                .request(method.clone(), format!("{}{path}", self.base));
            if let Some(body) = &body {
                request = request.json(body);
            }
            let response = request
                .send()
                .await
                .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
            let status = response.status().as_u16();
            if status == 503 && attempt < 7 {
                tokio::time::sleep(Duration::from_millis(250 << attempt)).await;
                continue;
            }
            let text = response.text().await.unwrap_or_default();
            let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
            return (status, value);
        }
        unreachable!("the last attempt returns")
    }

    /// A request that must succeed; its JSON body.
    pub async fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, value) = self.send(method, path, body).await;
        assert!(
            (200..300).contains(&status),
            "{method} {path} -> {status}: {value}"
        );
        value
    }

    pub async fn get(&self, path: &str) -> Value {
        self.ok("GET", path, None).await
    }

    pub async fn deployment(&self, full_name: &str) -> Value {
        let (flow, name) = full_name.split_once('/').expect("flow/deployment");
        self.get(&format!("/deployments/name/{flow}/{name}")).await
    }

    pub async fn flow_run(&self, id: &str) -> Value {
        self.get(&format!("/flow_runs/{id}")).await
    }

    /// A run of `deployment` created now (the runner starts it at once).
    pub async fn start_run(&self, deployment: &str, name: &str) -> String {
        let id = self.deployment(deployment).await["id"]
            .as_str()
            .unwrap()
            .to_string();
        let run = self
            .ok(
                "POST",
                &format!("/deployments/{id}/create_flow_run"),
                Some(json!({"name": name})),
            )
            .await;
        run["id"].as_str().unwrap().to_string()
    }

    /// A run of `deployment` SCHEDULED an hour from now, tagged `tag`: nothing starts it.
    pub async fn future_run(&self, deployment: &str, name: &str, tag: &str) -> String {
        let id = self.deployment(deployment).await["id"]
            .as_str()
            .unwrap()
            .to_string();
        let when = chrono_in_an_hour();
        let run = self
            .ok(
                "POST",
                &format!("/deployments/{id}/create_flow_run"),
                Some(json!({
                    "name": name,
                    "tags": [tag],
                    "state": {"type": "SCHEDULED", "state_details": {"scheduled_time": when}},
                })),
            )
            .await;
        run["id"].as_str().unwrap().to_string()
    }

    /// Poll a run until `done` accepts it (at most `seconds`).
    pub async fn wait_run(&self, id: &str, seconds: u64, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        loop {
            let run = self.flow_run(id).await;
            if done(&run) {
                return run;
            }
            assert!(Instant::now() < deadline, "run {id} never got there: {run}");
            tokio::time::sleep(Duration::from_millis(700)).await;
        }
    }

    /// The run's log messages, polled until one contains `wanted` (logs reach Prefect a moment
    /// after the run's final state).
    pub async fn wait_log(&self, id: &str, wanted: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let logs = self
                .ok(
                    "POST",
                    "/logs/filter",
                    Some(json!({"logs": {"flow_run_id": {"any_": [id]}}, "limit": 200})),
                )
                .await;
            if let Some(line) = logs
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|l| l["message"].as_str())
                .find(|m| m.contains(wanted))
            {
                return line.to_string();
            }
            assert!(
                Instant::now() < deadline,
                "no log line {wanted:?} in {logs}"
            );
            tokio::time::sleep(Duration::from_millis(700)).await;
        }
    }
}

/// An hour from now, RFC 3339, without a date crate: Prefect's own clock, via the system's.
fn chrono_in_an_hour() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
        + 3600;
    let (days, secs) = (now / 86_400, now % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Days since 1970-01-01 to a (year, month, day) date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A unique name for a throwaway object.
pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    )
}
