//! get_deployment_by_id and get_deployment_by_name: what they read, what they leave out, what
//! they refuse, and a deployment that is not there.

use serde_json::json;

use crate::fixtures::*;
use crate::harness::*;

use super::flow;

const PARAMS_FLOW_ID: &str = "33e28295-92e6-4e60-8201-ccf1a84b6ba2";

#[tokio::test]
async fn get_deployment_by_id_adds_its_flows_name_and_leaves_out_the_detail() {
    let mut h = Harness::new().await;
    h.answer("GET", &format!("/deployments/{DEPLOYMENT_ID}"), DEPLOYMENT)
        .await;
    let read_flow = h.answer("GET", &format!("/flows/{FLOW_ID}"), FLOW).await;
    let d = h
        .ok(
            "get_deployment_by_id",
            json!({"deployment_id": DEPLOYMENT_ID}),
        )
        .await;
    read_flow.assert_async().await;
    assert_eq!(d["name"], "hello");
    assert_eq!(d["flow_name"], "mcp-hello");
    assert_eq!(d["status"], "READY");
    assert_eq!(d["paused"], false);
    assert!(d.get("detail").is_none(), "{d}");
    assert!(d.get("parameter_openapi_schema").is_none(), "{d}");
    assert!(!has_null(&d), "{d}");
}

#[tokio::test]
async fn get_deployment_by_id_with_detail_shows_the_parameter_schema() {
    let mut h = Harness::new().await;
    h.answer(
        "GET",
        &format!("/deployments/{PARAMS_DEPLOYMENT_ID}"),
        DEPLOYMENT_PARAMS,
    )
    .await;
    h.answer(
        "GET",
        &format!("/flows/{PARAMS_FLOW_ID}"),
        &flow(PARAMS_FLOW_ID, "mcp-params"),
    )
    .await;
    let d = h
        .ok(
            "get_deployment_by_id",
            json!({"deployment_id": PARAMS_DEPLOYMENT_ID, "detail": true}),
        )
        .await;
    let schema = &d["detail"]["parameter_openapi_schema"];
    assert_eq!(schema["properties"]["n"]["type"], "integer");
    assert_eq!(schema["properties"]["who"]["default"], "world");
    assert_eq!(d["detail"]["enforce_parameter_schema"], true);
    assert_eq!(d["flow_name"], "mcp-params");
}

#[tokio::test]
async fn get_deployment_by_id_refuses_a_name_and_points_at_the_by_name_tool() {
    let mut h = Harness::new().await;
    let err = h
        .refused(
            "get_deployment_by_id",
            json!({"deployment_id": "mcp-hello/hello"}),
        )
        .await;
    assert!(err.contains("deployment_id must be a UUID"), "{err}");
    assert!(err.contains("get_deployment_by_name"), "{err}");
}

#[tokio::test]
async fn get_deployment_by_id_refuses_detail_given_as_text() {
    let mut h = Harness::new().await;
    let err = h
        .refused(
            "get_deployment_by_id",
            json!({"deployment_id": DEPLOYMENT_ID, "detail": "yes"}),
        )
        .await;
    assert!(
        err.contains("detail: invalid type: string \"yes\""),
        "{err}"
    );
}

#[tokio::test]
async fn get_deployment_by_id_404_names_the_deployment() {
    let mut h = Harness::new().await;
    h.fail(
        "GET",
        &format!("/deployments/{DEPLOYMENT_ID}"),
        404,
        r#"{"detail":"Deployment not found"}"#,
    )
    .await;
    let err = h
        .err(
            "get_deployment_by_id",
            json!({"deployment_id": DEPLOYMENT_ID}),
        )
        .await;
    assert!(err.contains("Not found while reading deployment"), "{err}");
    assert!(
        err.contains(DEPLOYMENT_ID) && err.contains("Deployment not found"),
        "{err}"
    );
}

#[tokio::test]
async fn get_deployment_by_name_reads_the_flow_and_deployment_path() {
    let mut h = Harness::new().await;
    let read = h
        .answer("GET", "/deployments/name/mcp-hello/hello", DEPLOYMENT)
        .await;
    let d = h
        .ok("get_deployment_by_name", json!({"name": "mcp-hello/hello"}))
        .await;
    read.assert_async().await;
    assert_eq!(d["id"], DEPLOYMENT_ID);
    assert_eq!(d["flow_name"], "mcp-hello");
}

#[tokio::test]
async fn get_deployment_by_name_refuses_a_name_without_its_flow() {
    let mut h = Harness::new().await;
    for bad in ["hello", "a/b/c", "/hello"] {
        let err = h
            .refused("get_deployment_by_name", json!({"name": bad}))
            .await;
        assert!(err.contains("\"flow_name/deployment_name\""), "{err}");
        assert!(err.contains(&format!("{bad:?}")), "{err}");
    }
}

#[tokio::test]
async fn get_deployment_by_name_404_names_the_deployment() {
    let mut h = Harness::new().await;
    h.fail(
        "GET",
        "/deployments/name/mcp-hello/nope",
        404,
        r#"{"detail":"Deployment not found"}"#,
    )
    .await;
    // After a 404 the server looks for close names to offer; there are none.
    h.answer("POST", "/deployments/filter", "[]").await;
    let err = h
        .err("get_deployment_by_name", json!({"name": "mcp-hello/nope"}))
        .await;
    assert!(
        err.contains("Not found while reading deployment \"mcp-hello/nope\""),
        "{err}"
    );
}
