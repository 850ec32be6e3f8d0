//! The state-name check of searches that found nothing: GET /observed-states when the server
//! has it (Prefect 3.9+), Prefect's standard names when it answers 404 (older servers), and no
//! extra request at all when the search found runs.

use mockito::{Matcher, Mock};
use serde_json::json;

use super::fixtures::{list, FLOW_RUN_LATE};
use super::harness::Harness;

/// GET /observed-states as the server asks for it: every name (limit 200), sorted by name.
fn observed_states(h: &mut Harness) -> Mock {
    h.mock("GET", "/observed-states")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("limit".into(), "200".into()),
            Matcher::UrlEncoded("order_by".into(), "NAME_ASC".into()),
        ]))
}

/// An older server: no such route.
async fn no_observed_states(h: &mut Harness) -> Mock {
    observed_states(h)
        .with_status(404)
        .with_body(r#"{"detail": "Not Found"}"#)
        .create_async()
        .await
}

const OBSERVED: &str = r#"[
  {"state_type": "SCHEDULED", "state_name": "Late", "first_seen": "2026-11-30T10:28:20Z", "last_seen": "2026-11-30T10:28:20Z"},
  {"state_type": "COMPLETED", "state_name": "Completed", "first_seen": "2026-11-30T10:28:24Z", "last_seen": "2026-11-30T10:28:25Z"}
]"#;

#[tokio::test]
async fn an_empty_search_by_a_name_in_the_wrong_case_suggests_the_observed_one() {
    let mut h = Harness::new().await;
    h.answer("POST", "/flow_runs/filter", "[]").await;
    let observed = observed_states(&mut h)
        .with_body(OBSERVED)
        .create_async()
        .await;
    let err = h
        .err("search_flow_runs_by_state", json!({"state_name": "late"}))
        .await;
    observed.assert_async().await;
    assert!(err.contains("GET /observed-states"), "{err}");
    assert!(err.contains("Did you mean \"Late\"?"), "{err}");
    assert!(err.contains("\"Completed\", \"Late\""), "{err}");
}

#[tokio::test]
async fn an_older_server_without_observed_states_falls_back_to_the_standard_names() {
    let mut h = Harness::new().await;
    h.answer("POST", "/task_runs/filter", "[]").await;
    no_observed_states(&mut h).await;
    let err = h
        .err("list_task_runs", json!({"state_name": "Faild"}))
        .await;
    assert!(err.contains("Prefect's standard names"), "{err}");
    assert!(err.contains("Did you mean \"Failed\""), "{err}");
}

#[tokio::test]
async fn on_an_older_server_a_name_unlike_any_standard_one_is_an_empty_answer() {
    let mut h = Harness::new().await;
    h.answer("POST", "/flow_runs/filter", "[]").await;
    no_observed_states(&mut h).await;
    let found = h
        .ok(
            "filter_flow_runs",
            json!({"filter_criteria": {"state": {"name": {"any_": ["Nightly backfill"]}}}}),
        )
        .await;
    assert_eq!(found["count"], 0, "{found}");
}

#[tokio::test]
async fn a_search_that_finds_runs_sends_no_further_request() {
    let mut h = Harness::new().await;
    h.answer("POST", "/flow_runs/filter", &list(&[FLOW_RUN_LATE.into()]))
        .await;
    let observed = h
        .mock("GET", "/observed-states")
        .match_query(Matcher::Any)
        .expect(0)
        .create_async()
        .await;
    let found = h
        .ok("search_flow_runs_by_state", json!({"state_name": "Late"}))
        .await;
    assert_eq!(found["count"], 1);
    observed.assert_async().await;
}
