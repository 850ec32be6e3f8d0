//! The observer the embedding program installs (`ClientBuilder::observer`): told of every
//! operation once, after its retries, with its status or why none came, and never more.

use std::sync::{Arc, Mutex};

use mockito::Server;
use prefect_api::{Client, PrefectCall, RequestObserver, RequestOutcome};

use crate::support::{fast_client, flow_body, flow_endpoint, flow_id, refused_url};

#[derive(Default)]
struct Recorder {
    started: Mutex<Vec<&'static str>>,
    finished: Mutex<Vec<RequestOutcome>>,
}

impl RequestObserver for Recorder {
    fn started(&self, operation: &'static str) {
        self.started.lock().unwrap().push(operation);
    }

    fn finished(&self, outcome: &RequestOutcome) {
        self.finished.lock().unwrap().push(*outcome);
    }
}

#[tokio::test]
async fn each_operation_is_reported_once_with_its_retries_and_final_status() {
    let mut server = Server::new_async().await;
    flow_endpoint(&mut server, 503, "{}")
        .expect(1)
        .create_async()
        .await;
    flow_endpoint(&mut server, 200, &flow_body().to_string())
        .expect(1)
        .create_async()
        .await;
    let recorder = Arc::new(Recorder::default());
    let client = fast_client(&server)
        .observer(recorder.clone())
        .build()
        .unwrap();
    client.read_flow(&flow_id()).value().await.unwrap();

    assert_eq!(*recorder.started.lock().unwrap(), ["read_flow"]);
    let finished = recorder.finished.lock().unwrap();
    let [outcome] = finished.as_slice() else {
        panic!("{finished:?}");
    };
    assert_eq!(
        (
            outcome.operation,
            outcome.method,
            outcome.status,
            outcome.failure,
            outcome.retries
        ),
        ("read_flow", "GET", Some(200), None, 1)
    );
}

#[tokio::test]
async fn a_request_without_an_answer_is_reported_with_why() {
    let (_, url) = refused_url();
    let recorder = Arc::new(Recorder::default());
    let client = Client::builder(url)
        .observer(recorder.clone())
        .build()
        .unwrap();
    assert!(client.read_flow(&flow_id()).value().await.is_err());
    let finished = recorder.finished.lock().unwrap();
    assert_eq!(finished.len(), 1, "{finished:?}");
    assert_eq!(
        (finished[0].status, finished[0].failure),
        (None, Some("connect"))
    );
}
