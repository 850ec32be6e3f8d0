//! Prefect's event websocket, `/api/events/out`, as Prefect's own subscriber speaks it: the
//! `prefect` subprotocol, an auth message, a filter that looks forward, and one message per
//! event (see `shared/spec/prefect-events.md`).

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use uuid::Uuid;

use crate::errors::event_stream::StreamError;
use crate::output::StateView;

/// How long connecting, and Prefect's answer to the auth message, may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The prefix of flow-run events and of their resources' ids.
const FLOW_RUN: &str = "prefect.flow-run.";

/// An open, authenticated and filtered event stream.
pub(super) struct EventSocket {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// `http(s)://host/api` as the websocket URL of its event stream.
pub(super) fn events_url(api_url: &str) -> String {
    let url = api_url.trim_end_matches('/');
    let url = match url.split_once("://") {
        Some(("https", rest)) => format!("wss://{rest}"),
        Some((_, rest)) => format!("ws://{rest}"),
        None => url.to_string(),
    };
    format!("{url}/events/out")
}

/// The subscription: every flow-run event from now on, without backfill (the watched runs are
/// read by ids instead). `until` must lie ahead: Prefect fills a missing one with the time it
/// reads the filter and then drops every later event.
fn filter_message(now: DateTime<Utc>) -> String {
    json!({
        "type": "filter",
        "filter": {
            "occurred": {
                "since": (now - chrono::Duration::minutes(1)).to_rfc3339(),
                "until": (now + chrono::Duration::days(365)).to_rfc3339(),
            },
            "event": { "prefix": [FLOW_RUN] },
        },
        "backfill": false,
    })
    .to_string()
}

impl EventSocket {
    /// Connect to `api_url`'s event stream, authenticate with `token` and subscribe.
    pub(super) async fn open(api_url: &str, token: Option<&str>) -> Result<Self, StreamError> {
        let url = events_url(api_url);
        let unreachable = |reason: String| StreamError::Unreachable {
            url: url.clone(),
            reason,
        };
        let mut request = url
            .as_str()
            .into_client_request()
            .map_err(|e| unreachable(e.to_string()))?;
        request.headers_mut().insert(
            "sec-websocket-protocol",
            HeaderValue::from_static("prefect"),
        );
        let connected =
            tokio::time::timeout(HANDSHAKE_TIMEOUT, tokio_tungstenite::connect_async(request))
                .await
                .map_err(|_| unreachable("no answer in 10 s".into()))?;
        let (socket, _) = connected.map_err(|e| match e {
            WsError::Http(response) => StreamError::Refused {
                url: url.clone(),
                status: response.status().as_u16(),
            },
            other => unreachable(other.to_string()),
        })?;
        let mut this = EventSocket { socket };
        this.send(json!({ "type": "auth", "token": token }).to_string())
            .await?;
        let answer = tokio::time::timeout(HANDSHAKE_TIMEOUT, this.socket.next())
            .await
            .map_err(|_| StreamError::Handshake {
                reason: "no answer to the auth message in 10 s".into(),
            })?;
        match answer {
            Some(Ok(Message::Text(text))) if text.contains("auth_success") => {}
            Some(Ok(Message::Close(frame))) => {
                return Err(StreamError::Handshake {
                    reason: frame.map_or("closed".into(), |f| f.reason.to_string()),
                })
            }
            other => {
                return Err(StreamError::Handshake {
                    reason: format!("unexpected answer to the auth message: {other:?}"),
                })
            }
        }
        this.send(filter_message(Utc::now())).await?;
        Ok(this)
    }

    async fn send(&mut self, text: String) -> Result<(), StreamError> {
        self.socket
            .send(Message::text(text))
            .await
            .map_err(|e| StreamError::Closed {
                reason: e.to_string(),
            })
    }

    /// The next flow-run state change: `None` for messages that are not one.
    pub(super) async fn next(&mut self) -> Result<Option<(Uuid, StateView)>, StreamError> {
        match self.socket.next().await {
            Some(Ok(Message::Text(text))) => Ok(state_change(&text)),
            Some(Ok(Message::Close(frame))) => Err(StreamError::Closed {
                reason: frame.map_or("without a reason".into(), |f| {
                    format!("{} {}", u16::from(f.code), f.reason)
                }),
            }),
            Some(Ok(_)) => Ok(None),
            Some(Err(e)) => Err(StreamError::Closed {
                reason: e.to_string(),
            }),
            None => Err(StreamError::Closed {
                reason: "end of stream".into(),
            }),
        }
    }

    /// Close the websocket politely (nothing is watched any more).
    pub(super) async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}

/// The run and its new state, if `text` is a flow run's state-change event.
fn state_change(text: &str) -> Option<(Uuid, StateView)> {
    let message: Value = serde_json::from_str(text).ok()?;
    let resource = message.get("event")?.get("resource")?;
    let field = |name: &str| resource.get(name).and_then(Value::as_str);
    let id = field("prefect.resource.id")?.strip_prefix(FLOW_RUN)?;
    let state = StateView {
        type_: field("prefect.state-type")?.to_string(),
        name: field("prefect.state-name").map(String::from),
        message: field("prefect.state-message").map(String::from),
        timestamp: field("prefect.state-timestamp").and_then(|t| t.parse().ok()),
    };
    Some((id.parse().ok()?, state))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_url_follows_the_api_url() {
        assert_eq!(
            events_url("http://127.0.0.1:4200/api"),
            "ws://127.0.0.1:4200/api/events/out"
        );
        assert_eq!(
            events_url("https://api.prefect.cloud/api/accounts/a/workspaces/w/"),
            "wss://api.prefect.cloud/api/accounts/a/workspaces/w/events/out"
        );
    }

    #[test]
    fn the_filter_looks_forward_without_backfill() {
        let now: DateTime<Utc> = "2026-12-06T12:00:00Z".parse().unwrap();
        let filter: Value = serde_json::from_str(&filter_message(now)).unwrap();
        assert_eq!(filter["backfill"], false);
        let until: DateTime<Utc> = filter["filter"]["occurred"]["until"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(until > now + chrono::Duration::days(300));
        assert_eq!(filter["filter"]["event"]["prefix"][0], FLOW_RUN);
    }

    #[test]
    fn state_changes_are_read_from_flow_run_events_only() {
        let id = Uuid::new_v4();
        let event = json!({"type": "event", "event": {
            "event": "prefect.flow-run.Completed",
            "resource": {
                "prefect.resource.id": format!("prefect.flow-run.{id}"),
                "prefect.state-type": "COMPLETED",
                "prefect.state-name": "Completed",
                "prefect.state-timestamp": "2026-12-06T12:00:01.5+00:00",
            }
        }});
        let (seen_id, state) = state_change(&event.to_string()).unwrap();
        assert_eq!((seen_id, state.type_.as_str()), (id, "COMPLETED"));
        assert!(state.timestamp.is_some());
        let other = json!({"type": "event", "event": {"resource": {
            "prefect.resource.id": format!("prefect.task-run.{id}"),
            "prefect.state-type": "COMPLETED",
        }}});
        assert!(state_change(&other.to_string()).is_none());
        assert!(state_change("not json").is_none());
    }
}
