//! `/ready`, for load balancers and Kubernetes readiness probes: 200 while Prefect answers, 503
//! while it does not. `/health` stays the liveness answer (the process serves), so a Prefect
//! outage takes replicas out of rotation without restarting them.
//!
//! Probes come often and from many balancers at once: the answer is kept for
//! [`READY_CACHE`], and concurrent probes of a stale answer share the one check, so Prefect
//! sees at most about one request a second whatever the probe rate.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use tokio::sync::Mutex;

use crate::prefect::server_info::NotServing;
use crate::prefect::Prefect;

/// How long one check of Prefect answers the probes.
pub const READY_CACHE: Duration = Duration::from_secs(1);
/// A check that takes longer counts as Prefect not answering: a probe must not hang on a
/// Prefect that accepts connections and never replies (the client's own timeout is a minute).
const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// The last check of Prefect, shared by every probe.
pub struct Readiness {
    prefect: Prefect,
    last: Mutex<Option<(Instant, Result<(), String>)>>,
}

impl Readiness {
    pub fn new(prefect: Prefect) -> Arc<Self> {
        Arc::new(Readiness {
            prefect,
            last: Mutex::new(None),
        })
    }

    /// Whether Prefect answered, checked at most once per [`READY_CACHE`]; why not, when not.
    async fn state(&self) -> Result<(), String> {
        // Held across the check: probes arriving meanwhile wait for its result rather than
        // sending their own request.
        let mut last = self.last.lock().await;
        if let Some((at, state)) = last.as_ref() {
            if at.elapsed() < READY_CACHE {
                return state.clone();
            }
        }
        let state = self.check().await;
        *last = Some((Instant::now(), state.clone()));
        state
    }

    /// Prefect answers when [`Prefect::serving`] says so, within [`CHECK_TIMEOUT`].
    async fn check(&self) -> Result<(), String> {
        match tokio::time::timeout(CHECK_TIMEOUT, self.prefect.serving()).await {
            Err(_) => Err(format!(
                "Prefect did not answer within {} s",
                CHECK_TIMEOUT.as_secs()
            )),
            Ok(Ok(())) => Ok(()),
            // Only the kind: /ready answers anyone who can reach it, and the error's text names
            // Prefect's address.
            Ok(Err(NotServing::Answered(status))) => Err(format!("Prefect answered {status}")),
            Ok(Err(NotServing::Unreachable)) => Err("Prefect cannot be reached".to_string()),
        }
    }
}

/// `GET /ready`.
pub async fn ready(State(readiness): State<Arc<Readiness>>) -> Response {
    match readiness.state().await {
        Ok(()) => Json(serde_json::json!({ "status": "ready" })).into_response(),
        Err(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "not ready", "reason": reason })),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prefect::Client;

    async fn readiness_of(prefect: &mockito::Server) -> Arc<Readiness> {
        let client = Client::builder(format!("{}/api", prefect.url()))
            .build()
            .unwrap();
        Readiness::new(Prefect::new(client, "none"))
    }

    #[tokio::test]
    async fn probes_within_a_second_share_one_check() {
        let mut prefect = mockito::Server::new_async().await;
        let health = prefect
            .mock("GET", "/api/health")
            .with_body("true")
            .expect(1)
            .create_async()
            .await;
        let readiness = readiness_of(&prefect).await;
        let probes: Vec<_> = (0..20).map(|_| readiness.state()).collect();
        for state in futures::future::join_all(probes).await {
            assert_eq!(state, Ok(()));
        }
        health.assert_async().await;
    }

    #[tokio::test]
    async fn any_answer_below_500_is_ready_and_a_500_is_not() {
        for (status, expected) in [
            (404, Ok(())),
            (401, Ok(())),
            (500, Err("Prefect answered 500".to_string())),
        ] {
            let mut prefect = mockito::Server::new_async().await;
            prefect
                .mock("GET", "/api/health")
                .with_status(status)
                .create_async()
                .await;
            assert_eq!(readiness_of(&prefect).await.check().await, expected);
        }
    }

    #[tokio::test]
    async fn an_unreachable_prefect_is_not_ready_and_its_address_is_not_told() {
        let client = Client::builder("http://127.0.0.1:9/api").build().unwrap();
        let state = Readiness::new(Prefect::new(client, "none")).check().await;
        assert_eq!(state, Err("Prefect cannot be reached".to_string()));
    }
}
