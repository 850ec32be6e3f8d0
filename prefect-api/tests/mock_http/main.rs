//! The hand-written HTTP behaviour of the client, against a mock server: which headers go out,
//! which answers are retried, how every kind of failure maps onto [`prefect_api::PrefectError`],
//! and that responses from newer servers still decode.
//!
//! One test binary; the modules group the tests by what they cover, `support` holds the fixtures.

mod concurrency;
mod error_answers;
mod headers;
mod newer_servers;
mod observer;
mod retries;
mod secrets;
mod support;
mod transport;
