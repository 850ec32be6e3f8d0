//! A person at an MCP client, in this process: a raw JSON-RPC client of one server that answers
//! the server's questions as its plan says, in either era, and can look at what reached the
//! scripted Prefect at the moment each question is shown.
//!
//! - [`Era::Asks2025`]: `initialize` declaring elicitation; questions come as `elicitation/create`.
//! - [`Era::Asks2026`]: 2026-07-28, no `initialize`; each request carries its capabilities in
//!   `_meta`; questions come as an `InputRequiredResult`, answered by retrying the call with
//!   `inputResponses` and the sealed `requestState`.
//! - [`Era::CannotAsk`]: `initialize` declaring nothing.

use crate::raw_session::RawSession;
use prefect_mcp_server::mcp::McpServer;
use serde_json::{json, Value};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Era {
    Asks2025,
    Asks2026,
    CannotAsk,
}

/// What the person does with each question.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Answer {
    Accept,
    Decline,
    Cancel,
}

impl Answer {
    fn result(self, schema: &Value) -> Value {
        match self {
            // Accept the form as shown: its defaults, and "yes" to a confirmation.
            Answer::Accept => {
                let mut content = serde_json::Map::new();
                for (name, field) in schema["properties"].as_object().into_iter().flatten() {
                    let value = if name == "confirm" {
                        json!(true)
                    } else {
                        field.get("default").cloned().unwrap_or(Value::Null)
                    };
                    content.insert(name.clone(), value);
                }
                json!({"action": "accept", "content": content})
            }
            Answer::Decline => json!({"action": "decline"}),
            Answer::Cancel => json!({"action": "cancel"}),
        }
    }
}

pub struct Person {
    era: Era,
    raw: RawSession,
    next_id: u64,
    pub answer: Answer,
    /// Every question's message, in order.
    pub questions: Vec<String>,
}

const META_2026: &str = "2026-07-28";

impl Person {
    pub async fn of(server: McpServer, era: Era, answer: Answer) -> Self {
        let mut person = Person {
            era,
            raw: RawSession::serve(server),
            next_id: 1,
            answer,
            questions: Vec::new(),
        };
        if era != Era::Asks2026 {
            let capabilities = if era == Era::Asks2025 {
                json!({"elicitation": {"form": {}}})
            } else {
                json!({})
            };
            let id = person
                .send_request(
                    "initialize",
                    json!({"protocolVersion": "2025-11-25",
                "capabilities": capabilities, "clientInfo": {"name": "person", "version": "1"}}),
                )
                .await;
            person.reply_to(id, |_| {}).await;
            person
                .send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
                .await;
        }
        person
    }

    async fn send(&mut self, message: Value) {
        self.raw.send(message).await;
    }

    async fn send_request(&mut self, method: &str, mut params: Value) -> u64 {
        if self.era == Era::Asks2026 {
            params["_meta"] = json!({
                "io.modelcontextprotocol/protocolVersion": META_2026,
                "io.modelcontextprotocol/clientCapabilities": {"elicitation": {"form": {}}},
                "io.modelcontextprotocol/clientInfo": {"name": "person", "version": "1"},
            });
        }
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        id
    }

    /// The reply to request `id`, answering every `elicitation/create` on the way (after
    /// `shown` has looked at the question).
    async fn reply_to(&mut self, id: u64, mut shown: impl FnMut(&str)) -> Value {
        loop {
            let message = self.raw.next().await;
            if message["method"] == "elicitation/create" {
                let params = &message["params"];
                let text = params["message"].as_str().unwrap_or_default().to_string();
                shown(&text);
                self.questions.push(text);
                let result = self.answer.result(&params["requestedSchema"]);
                self.send(json!({"jsonrpc": "2.0", "id": message["id"], "result": result}))
                    .await;
            } else if message["id"] == id && message.get("method").is_none() {
                return message;
            }
        }
    }

    /// Call a tool as the person's client would, answering its questions; the final result.
    /// `shown` is called as each question reaches the person.
    pub async fn call(
        &mut self,
        tool: &str,
        arguments: Value,
        mut shown: impl FnMut(&str),
    ) -> Value {
        let mut params = json!({"name": tool, "arguments": arguments});
        loop {
            let id = self.send_request("tools/call", params.clone()).await;
            let reply = self.reply_to(id, &mut shown).await;
            let result = reply["result"].clone();
            if result["resultType"] != "input_required" {
                return reply;
            }
            let mut responses = serde_json::Map::new();
            for (key, request) in result["inputRequests"].as_object().into_iter().flatten() {
                let asked = &request["params"];
                let text = asked["message"].as_str().unwrap_or_default().to_string();
                shown(&text);
                self.questions.push(text);
                responses.insert(key.clone(), self.answer.result(&asked["requestedSchema"]));
            }
            params["inputResponses"] = Value::Object(responses);
            params["requestState"] = result["requestState"].clone();
        }
    }

    /// Send a `tools/call` exactly as given (for answers nobody asked for); the reply, with no
    /// `elicitation/create` expected on the way.
    pub async fn call_raw(&mut self, params: Value) -> Value {
        let id = self.send_request("tools/call", params).await;
        self.reply_to(id, |_| panic!("no question was expected"))
            .await
    }

    /// [`Self::call_raw`], answering the questions that come on the way as planned.
    pub async fn call_raw_answering(&mut self, params: Value) -> Value {
        let id = self.send_request("tools/call", params).await;
        self.reply_to(id, |_| {}).await
    }
}
