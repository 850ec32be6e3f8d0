//! list_artifacts and get_artifact against the seeded report "mcp-report": a table (rows per
//! region) and then, its latest version, a markdown text, both on the late run "seed-late".

use integration_tests::*;
use serde_json::json;

const KEY: &str = "mcp-report";

#[tokio::test]
async fn list_artifacts_shows_both_versions_of_the_report_newest_first() {
    let s = connect().await.unwrap();
    let list = call_ok(&s, "list_artifacts", json!({"key": KEY})).await;
    let artifacts = list["artifacts"].as_array().unwrap();
    assert!(artifacts.len() >= 2, "{list}");
    assert_eq!(artifacts[0]["type"], "markdown", "newest first: {list}");
    assert!(artifacts.iter().any(|a| a["type"] == "table"), "{list}");
    assert!(artifacts
        .iter()
        .all(|a| a["key"] == KEY && a.get("data").is_none()));
    let created: Vec<&str> = artifacts
        .iter()
        .map(|a| a["created"].as_str().unwrap())
        .collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "{created:?}");

    // By type, and by the run they belong to, given by name.
    let tables = call_ok(&s, "list_artifacts", json!({"key": KEY, "type": "table"})).await;
    assert!(tables["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["type"] == "table"));
    let late_run = seed_run_id(&s, "seed-late").await;
    let of_run = call_ok(&s, "list_artifacts", json!({"flow_run": "seed-late"})).await;
    assert!(of_run["count"].as_u64().unwrap() >= 2, "{of_run}");
    assert!(of_run["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["flow_run_id"] == late_run.as_str()));
}

#[tokio::test]
async fn get_artifact_by_key_is_the_latest_and_by_id_shows_a_tables_rows() {
    let s = connect().await.unwrap();
    let latest = call_ok(&s, "get_artifact", json!({"artifact": KEY})).await;
    assert_eq!(latest["type"], "markdown", "{latest}");
    assert_eq!(
        latest["markdown"],
        "# Nightly report\n\nAll regions loaded."
    );

    let tables = call_ok(
        &s,
        "list_artifacts",
        json!({"key": KEY, "type": "table", "limit": 1}),
    )
    .await;
    let id = tables["artifacts"][0]["id"].as_str().unwrap().to_string();
    let table = call_ok(&s, "get_artifact", json!({"artifact": id})).await;
    assert_eq!(
        table["rows"],
        json!([{"region": "eu", "rows": 10}, {"region": "us", "rows": 7}])
    );
    assert_eq!(table["description"], "Rows loaded per region");
}

#[tokio::test]
async fn an_unknown_key_or_id_is_not_found_and_a_bad_key_is_explained() {
    let s = connect().await.unwrap();
    let err = call_err(
        &s,
        "get_artifact",
        json!({"artifact": "mcp-no-such-report"}),
    )
    .await;
    assert!(err.contains("there is no artifact named"), "{err}");
    let err = call_err(
        &s,
        "get_artifact",
        json!({"artifact": "00000000-0000-4000-8000-000000000000"}),
    )
    .await;
    assert!(err.to_lowercase().contains("not found"), "{err}");
    let err = call_err(&s, "get_artifact", json!({"artifact": "Nightly Report"})).await;
    assert!(
        err.contains("lowercase letters, digits and dashes"),
        "{err}"
    );
}
