//! The hand-written HTTP behaviour of the client, against a mock server: which headers go out,
//! which answers are retried, how every kind of failure maps onto [`PrefectError`], and that
//! responses from newer servers still decode.

use std::time::{Duration, Instant};

use mockito::{Matcher, Mock, Server, ServerGuard};
use prefect_api::{types, Auth, Client, ClientBuilder, PrefectCall, PrefectError};
use serde_json::{json, Value};
use uuid::Uuid;

const FLOW_ID: &str = "d6e8a51e-a8a9-43d1-bbef-4f70221230b4";
const API_KEY: &str = "pnu_s3cret-api-key";
const AUTH_STRING: &str = "admin:hunter2-password";
/// base64("admin:hunter2-password")
const AUTH_STRING_BASE64: &str = "YWRtaW46aHVudGVyMi1wYXNzd29yZA==";

/// A flow as Prefect 3.8 returns it from `GET /flows/{id}`.
fn flow_body() -> Value {
    json!({
        "id": FLOW_ID,
        "created": "2026-11-25T18:47:47.520435Z",
        "updated": "2026-11-25T18:47:48.617000Z",
        "name": "mcp-hello",
        "tags": ["mcp-demo"],
        "labels": {}
    })
}

/// A finished flow run exactly as Prefect 3.8.8 returned it from `POST /flow_runs/filter`.
const FLOW_RUN_3_8_8: &str = r#"{
    "id": "3c2deb49-16cd-4e7d-837a-6ad9384eff6f",
    "created": "2026-11-25T18:47:50.657605Z",
    "updated": "2026-11-25T18:47:54.818000Z",
    "name": "seed-hello",
    "flow_id": "d6e8a51e-a8a9-43d1-bbef-4f70221230b4",
    "state_id": "01a21409-2aba-7b2e-a6c7-c771eeec7c28",
    "deployment_id": "d7091cb8-0161-4936-af9c-54c68d85ee6e",
    "deployment_version": "7f96178ff6cd8879a2fdfd9ccc684740",
    "work_queue_id": null,
    "work_queue_name": null,
    "flow_version": "7f96178ff6cd8879a2fdfd9ccc684740",
    "parameters": {
        "who": "seed"
    },
    "idempotency_key": "xtask-seed:seed-hello",
    "context": {},
    "empirical_policy": {
        "max_retries": 0,
        "retry_delay_seconds": 0.0,
        "retries": 0,
        "retry_delay": 0,
        "pause_keys": [],
        "resuming": false,
        "retry_type": null
    },
    "tags": [
        "mcp-demo",
        "seed",
        "fast"
    ],
    "labels": {
        "prefect.flow.id": "d6e8a51e-a8a9-43d1-bbef-4f70221230b4",
        "prefect.deployment.id": "d7091cb8-0161-4936-af9c-54c68d85ee6e"
    },
    "parent_task_run_id": null,
    "state_type": "COMPLETED",
    "state_name": "Completed",
    "run_count": 1,
    "expected_start_time": "2026-11-25T18:47:50.657446Z",
    "next_scheduled_start_time": null,
    "start_time": "2026-11-25T18:47:54.674643Z",
    "end_time": "2026-11-25T18:47:54.810907Z",
    "total_run_time": 0.136264,
    "estimated_run_time": 0.136264,
    "estimated_start_time_delta": 4.017197,
    "auto_scheduled": false,
    "infrastructure_document_id": null,
    "infrastructure_pid": null,
    "created_by": null,
    "work_pool_id": null,
    "work_pool_name": null,
    "state": {
        "id": "01a21409-2aba-7b2e-a6c7-c771eeec7c28",
        "type": "COMPLETED",
        "name": "Completed",
        "timestamp": "2026-11-25T18:47:54.810907Z",
        "message": null,
        "data": null,
        "state_details": {
            "flow_run_id": "3c2deb49-16cd-4e7d-837a-6ad9384eff6f",
            "task_run_id": null,
            "child_flow_run_id": null,
            "scheduled_time": null,
            "cache_key": null,
            "cache_expiration": null,
            "deferred": null,
            "untrackable_result": false,
            "pause_timeout": null,
            "pause_reschedule": false,
            "pause_key": null,
            "run_input_keyset": null,
            "refresh_cache": null,
            "retriable": null,
            "transition_id": "c553f3da-815b-4a3f-86c7-00402f07b903",
            "task_parameters_id": null,
            "traceparent": null,
            "deployment_concurrency_lease_id": null
        }
    },
    "job_variables": {}
}"#;

fn flow_run_body() -> Value {
    serde_json::from_str(FLOW_RUN_3_8_8).expect("the fixture is JSON")
}

fn flow_id() -> Uuid {
    FLOW_ID.parse().expect("valid uuid")
}

fn api_url(server: &ServerGuard) -> String {
    format!("{}/api", server.url())
}

/// A client for `server` with retries that wait milliseconds, not seconds.
fn fast_client(server: &ServerGuard) -> ClientBuilder {
    Client::builder(api_url(server)).max_retry_delay(Duration::from_millis(10))
}

/// `GET /api/flows/{FLOW_ID}` answering `status` with `body`.
fn flow_endpoint(server: &mut ServerGuard, status: usize, body: &str) -> Mock {
    server
        .mock("GET", format!("/api/flows/{FLOW_ID}").as_str())
        .with_status(status)
        .with_header("content-type", "application/json")
        .with_body(body)
}

/// `GET /api/flows/{FLOW_ID}` answering 200 with a flow, only when `header` matches `value`.
async fn flow_endpoint_requiring(server: &mut ServerGuard, header: &str, value: Matcher) -> Mock {
    flow_endpoint(server, 200, &flow_body().to_string())
        .match_header(header, value)
        .expect(1)
        .create_async()
        .await
}

/// Read the flow and require success: a mock whose matchers fail answers 501 instead.
async fn read_flow_ok(client: &Client) {
    let flow = client
        .read_flow(&flow_id())
        .value()
        .await
        .expect("the mock answered");
    assert_eq!(flow.name, "mcp-hello");
}

/// Read the flow from a server answering `status` with `body` once, and return the error.
async fn read_flow_error(status: usize, body: &str) -> PrefectError {
    let mut server = Server::new_async().await;
    let mock = flow_endpoint(&mut server, status, body)
        .expect(1)
        .create_async()
        .await;
    let client = fast_client(&server).build().unwrap();
    let err = client
        .read_flow(&flow_id())
        .value()
        .await
        .expect_err("the answer is an error");
    mock.assert_async().await;
    err
}

/// A URL on 127.0.0.1 where nothing listens: bind an ephemeral port, then release it.
fn refused_url() -> (u16, String) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    (port, format!("http://127.0.0.1:{port}/api"))
}

/// A server that accepts connections and never answers; it lives as long as the returned task.
async fn silent_server() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/api", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    (url, task)
}

fn assert_free_of_secrets(shown: &str) {
    for secret in [API_KEY, AUTH_STRING, AUTH_STRING_BASE64, "hunter2"] {
        assert!(!shown.contains(secret), "{secret:?} leaked into: {shown}");
    }
}

// --- Headers ---------------------------------------------------------------------------------

#[tokio::test]
async fn no_authorization_header_is_sent_without_auth() {
    let mut server = Server::new_async().await;
    let mock = flow_endpoint_requiring(&mut server, "authorization", Matcher::Missing).await;
    read_flow_ok(&fast_client(&server).build().unwrap()).await;
    mock.assert_async().await;
}

#[tokio::test]
async fn api_key_is_sent_as_bearer_token() {
    let mut server = Server::new_async().await;
    let mock = flow_endpoint_requiring(
        &mut server,
        "authorization",
        Matcher::Exact(format!("Bearer {API_KEY}")),
    )
    .await;
    read_flow_ok(&fast_client(&server).api_key(API_KEY).build().unwrap()).await;
    mock.assert_async().await;
}

#[tokio::test]
async fn auth_string_is_sent_as_basic_credentials() {
    let mut server = Server::new_async().await;
    let mock = flow_endpoint_requiring(
        &mut server,
        "authorization",
        Matcher::Exact(format!("Basic {AUTH_STRING_BASE64}")),
    )
    .await;
    read_flow_ok(
        &fast_client(&server)
            .auth_string(AUTH_STRING)
            .build()
            .unwrap(),
    )
    .await;
    mock.assert_async().await;
}

#[tokio::test]
async fn auth_string_wins_over_api_key_when_both_are_configured() {
    let mut server = Server::new_async().await;
    let mock = flow_endpoint_requiring(
        &mut server,
        "authorization",
        Matcher::Exact(format!("Basic {AUTH_STRING_BASE64}")),
    )
    .await;
    let auth = Auth::from_settings(Some(API_KEY), Some(AUTH_STRING));
    read_flow_ok(&fast_client(&server).auth(auth).build().unwrap()).await;
    mock.assert_async().await;
}

#[tokio::test]
async fn prefect_api_version_and_user_agent_are_sent() {
    let mut server = Server::new_async().await;
    let mock = flow_endpoint(&mut server, 200, &flow_body().to_string())
        .match_header("x-prefect-api-version", "0.8.4")
        .match_header("user-agent", Matcher::Regex("^prefect-api-rs/".into()))
        .expect(1)
        .create_async()
        .await;
    read_flow_ok(&fast_client(&server).build().unwrap()).await;
    mock.assert_async().await;
}

// --- Retries ---------------------------------------------------------------------------------

#[tokio::test]
async fn too_many_requests_is_retried_after_retry_after_seconds() {
    let mut server = Server::new_async().await;
    let throttled = flow_endpoint(&mut server, 429, r#"{"detail":"slow down"}"#)
        .with_header("retry-after", "1")
        .expect(1)
        .create_async()
        .await;
    let ok = flow_endpoint(&mut server, 200, &flow_body().to_string())
        .expect(1)
        .create_async()
        .await;
    // The default max_retry_delay (10 s) lets Retry-After through uncapped.
    let client = Client::builder(api_url(&server)).build().unwrap();

    let started = Instant::now();
    read_flow_ok(&client).await;
    let waited = started.elapsed();

    throttled.assert_async().await;
    ok.assert_async().await;
    assert!(
        waited >= Duration::from_millis(950),
        "Retry-After: 1 was not honoured: the retry came after {waited:?}"
    );
}

#[tokio::test]
async fn unavailable_is_retried_max_retries_times_then_reported_as_server_error() {
    let mut server = Server::new_async().await;
    let mock = flow_endpoint(&mut server, 503, r#"{"detail":"database is locked"}"#)
        .expect(3)
        .create_async()
        .await;
    let client = fast_client(&server).max_retries(2).build().unwrap();

    let err = client.read_flow(&flow_id()).value().await.unwrap_err();

    mock.assert_async().await;
    assert_eq!(
        err,
        PrefectError::Server {
            status: 503,
            message: "database is locked".into()
        }
    );
}

#[tokio::test]
async fn bad_gateway_is_retried_then_succeeds() {
    let mut server = Server::new_async().await;
    let bad_gateway = flow_endpoint(&mut server, 502, "")
        .expect(1)
        .create_async()
        .await;
    let ok = flow_endpoint(&mut server, 200, &flow_body().to_string())
        .expect(1)
        .create_async()
        .await;
    read_flow_ok(&fast_client(&server).build().unwrap()).await;
    bad_gateway.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn zero_max_retries_sends_each_request_once() {
    for status in [429, 502, 503] {
        let mut server = Server::new_async().await;
        let mock = flow_endpoint(&mut server, status, "")
            .expect(1)
            .create_async()
            .await;
        let client = fast_client(&server).max_retries(0).build().unwrap();

        let err = client.read_flow(&flow_id()).value().await.unwrap_err();

        mock.assert_async().await;
        assert_eq!(err.status(), Some(status as u16), "{err:?}");
    }
}

#[tokio::test]
async fn internal_server_error_is_not_retried() {
    let err = read_flow_error(500, "Internal Server Error").await;
    assert_eq!(
        err,
        PrefectError::Server {
            status: 500,
            message: "Internal Server Error".into()
        }
    );
}

// --- Error statuses --------------------------------------------------------------------------

#[tokio::test]
async fn unauthorized_carries_prefects_exception_message() {
    let err = read_flow_error(401, r#"{"exception_message":"Unauthorized"}"#).await;
    assert_eq!(
        err,
        PrefectError::Unauthorized {
            status: 401,
            message: "Unauthorized".into()
        }
    );
}

#[tokio::test]
async fn forbidden_is_unauthorized() {
    let err = read_flow_error(403, r#"{"detail":"Forbidden"}"#).await;
    assert_eq!(
        err,
        PrefectError::Unauthorized {
            status: 403,
            message: "Forbidden".into()
        }
    );
}

#[tokio::test]
async fn not_found_carries_prefects_detail() {
    let err = read_flow_error(404, r#"{"detail":"Flow not found"}"#).await;
    assert_eq!(
        err,
        PrefectError::NotFound {
            message: "Flow not found".into()
        }
    );
    assert_eq!(err.status(), Some(404));
}

#[tokio::test]
async fn conflict_is_a_validation_error_with_prefects_detail() {
    let detail =
        "Error creating flow run: Validation failed. Failure reason: 'who' is a required property";
    let err = read_flow_error(409, &json!({ "detail": detail }).to_string()).await;
    assert_eq!(
        err,
        PrefectError::Validation {
            status: 409,
            message: detail.into()
        }
    );
}

#[tokio::test]
async fn unprocessable_entity_names_the_offending_field() {
    let body = json!({
        "exception_message": "Invalid request received.",
        "exception_detail": [{
            "loc": ["body", "flows", "name", "equals"],
            "msg": "Extra inputs are not permitted",
            "type": "extra_forbidden"
        }],
        "request_body": {}
    });
    let err = read_flow_error(422, &body.to_string()).await;
    let PrefectError::Validation {
        status: 422,
        message,
    } = &err
    else {
        panic!("expected a 422 validation error, got {err:?}");
    };
    assert!(
        message.contains("body.flows.name.equals: Extra inputs are not permitted"),
        "{message}"
    );
}

// --- Undecodable answers ---------------------------------------------------------------------

#[tokio::test]
async fn success_with_a_body_of_the_wrong_shape_is_a_decode_error() {
    let err = read_flow_error(200, r#"{"id": 3}"#).await;
    assert!(matches!(err, PrefectError::Decode { .. }), "{err:?}");
}

#[tokio::test]
async fn success_with_a_non_json_body_is_a_decode_error() {
    let err = read_flow_error(200, "<html><body>proxy login</body></html>").await;
    let PrefectError::Decode { message } = &err else {
        panic!("expected a decode error, got {err:?}");
    };
    assert!(
        message.contains("proxy login"),
        "quotes the body: {message}"
    );
}

// --- Transport failures ----------------------------------------------------------------------

#[tokio::test]
async fn refused_connection_is_unreachable_and_names_the_url() {
    let (port, url) = refused_url();
    let client = Client::builder(&url).build().unwrap();

    let err = client.read_flow(&flow_id()).value().await.unwrap_err();

    let PrefectError::Unreachable { url: reported, .. } = &err else {
        panic!("expected Unreachable, got {err:?}");
    };
    assert!(
        reported.contains(&format!("127.0.0.1:{port}")),
        "{reported}"
    );
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
}

#[tokio::test]
async fn server_that_never_answers_is_a_timeout() {
    let (url, server) = silent_server().await;
    let client = Client::builder(&url)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();

    let err = client.read_flow(&flow_id()).value().await.unwrap_err();
    server.abort();

    let PrefectError::Timeout { url: reported, .. } = &err else {
        panic!("expected Timeout, got {err:?}");
    };
    assert!(reported.starts_with(&url), "{reported} is not under {url}");
}

// --- Tolerance for newer servers -------------------------------------------------------------

#[tokio::test]
async fn flow_run_with_unknown_fields_and_state_type_still_decodes() {
    let mut run = flow_run_body();
    run["state_type"] = json!("SOMETHING_NEW");
    run["state"]["type"] = json!("SOMETHING_NEW");
    run["a_field_from_prefect_4"] = json!({"nested": [1, 2, 3]});
    run["state"]["state_details"]["another_new_field"] = json!(true);
    run["empirical_policy"]["retry_type"] = json!("exponential_jitter");
    run["created_by"] = json!({"id": null, "type": "NEW_CREATOR_KIND", "display_value": "x"});

    let mut server = Server::new_async().await;
    let run_id = run["id"].as_str().unwrap().to_string();
    let mock = server
        .mock("GET", format!("/api/flow_runs/{run_id}").as_str())
        .with_header("content-type", "application/json")
        .with_body(run.to_string())
        .expect(1)
        .create_async()
        .await;
    let client = fast_client(&server).build().unwrap();

    let decoded: types::FlowRunResponse = client
        .read_flow_run(&run_id.parse().unwrap())
        .value()
        .await
        .expect("a newer server's flow run decodes");

    mock.assert_async().await;
    assert_eq!(decoded.name.as_deref(), Some("seed-hello"));
    assert_eq!(
        decoded.state_type.as_deref().map(String::as_str),
        Some("SOMETHING_NEW")
    );
    assert_eq!(decoded.state.unwrap().type_.as_str(), "SOMETHING_NEW");
}

// --- Secrets ---------------------------------------------------------------------------------

#[tokio::test]
async fn client_debug_never_shows_credentials() {
    for builder in [
        Client::builder("http://127.0.0.1:4200/api").api_key(API_KEY),
        Client::builder("http://127.0.0.1:4200/api").auth_string(AUTH_STRING),
    ] {
        assert_free_of_secrets(&format!("{builder:?}"));
        assert_free_of_secrets(&format!("{:?}", builder.build().unwrap()));
    }
}

#[tokio::test]
async fn errors_never_show_credentials() {
    let mut server = Server::new_async().await;
    let _unauthorized = flow_endpoint(&mut server, 401, r#"{"exception_message":"Unauthorized"}"#)
        .create_async()
        .await;
    let (silent, silent_task) = silent_server().await;
    let (_, refused) = refused_url();

    for url in [api_url(&server), refused, silent] {
        for auth in [
            Auth::ApiKey(API_KEY.into()),
            Auth::AuthString(AUTH_STRING.into()),
        ] {
            let client = Client::builder(&url)
                .auth(auth)
                .timeout(Duration::from_millis(300))
                .max_retries(0)
                .build()
                .unwrap();
            let err = client.read_flow(&flow_id()).value().await.unwrap_err();
            assert_free_of_secrets(&format!("{err}"));
            assert_free_of_secrets(&format!("{err:?}"));
        }
    }
    silent_task.abort();
}
