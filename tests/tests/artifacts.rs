//! list_artifacts and get_artifact against the seeded report "mcp-report": a table (rows per
//! region) and then, its latest version, a markdown text, both on the late run "seed-late";
//! delete_artifact on throwaway artifacts of a key of its own.

mod writes_support;

use integration_tests::*;
use serde_json::json;
use writes_support::{unique, Rest};

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

/// By key, delete_artifact deletes the key's latest version alone; by id, that version. A client
/// that cannot be asked deletes nothing.
#[tokio::test]
async fn delete_artifact_takes_one_version_and_only_when_a_person_could_agree() {
    let rest = Rest::new();
    let key = unique("mcp-del-report");
    let mut ids = Vec::new();
    for text in ["# first", "# second"] {
        let made = rest
            .ok(
                "POST",
                "/artifacts/",
                Some(json!({"key": key, "type": "markdown", "data": text})),
            )
            .await;
        ids.push(made["id"].as_str().unwrap().to_string());
        // Versions are told apart by their creation time.
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let (older, latest) = (&ids[0], &ids[1]);
    let exists = |id: &str| {
        let path = format!("/artifacts/{id}");
        let rest = &rest;
        async move { rest.send("GET", &path, None).await.0 == 200 }
    };

    let nobody_to_ask = connect().await.unwrap();
    let refused = call_err(&nobody_to_ask, "delete_artifact", json!({"artifact": key})).await;
    assert!(refused.contains("nothing was changed"), "{refused}");
    assert!(exists(latest).await && exists(older).await);

    let operator = connect_with(Launch::default().arg("--allow-unconfirmed-writes"))
        .await
        .unwrap();
    let deleted = call_ok(&operator, "delete_artifact", json!({"artifact": key})).await;
    assert_eq!(deleted["id"].as_str(), Some(latest.as_str()), "{deleted}");
    assert_eq!(deleted["name"], key.as_str());
    assert!(!exists(latest).await, "the latest version is gone");
    assert!(exists(older).await, "the older version stays");

    call_ok(&operator, "delete_artifact", json!({"artifact": older})).await;
    assert!(!exists(older).await);
    let gone = call_err(&operator, "delete_artifact", json!({"artifact": key})).await;
    assert!(gone.contains(&key), "{gone}");
}
