//! Credentials never appear in Debug output or error messages.

use std::time::Duration;

use mockito::Server;
use prefect_api::{Auth, Client, PrefectCall};

use crate::support::{
    api_url, assert_free_of_secrets, flow_endpoint, flow_id, refused_url, silent_server, API_KEY,
    AUTH_STRING,
};

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
