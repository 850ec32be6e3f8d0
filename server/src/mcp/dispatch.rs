//! The dispatch: every tool call passes here, whichever way it came (MCP `tools/call`, the
//! `call` subcommand, in-process tests). It settles the caller's credentials, opens one span
//! with the tool, its caller (when signed in with OAuth), its duration and outcome, logs each
//! write with its caller, words argument errors (`crate::errors`), sets up
//! asking (`super::ask`), and bounds the answer's size (`super::bound`).

use std::time::Instant;

use rmcp::handler::server::tool::ToolCallContext;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, JsonObject, ListToolsResult,
    NumberOrString,
};
use rmcp::service::{serve_directly, RequestContext};
use rmcp::task_manager::TaskContext;
use rmcp::{ErrorData, RoleServer};
use tracing::Instrument;

use super::ask::Asker;
use super::audit;
use super::bound::bounded;
use super::caller::{from_transport, over_http, signed_in, WRITE_SCOPE};
use super::credentials::{
    credential_digest, RequestCredentials, API_KEY_HEADER, AUTH_STRING_HEADER,
};
use super::server::McpServer;
use super::tasks::wait::Detach;
use crate::errors::{ArgumentError, ToolError};
use crate::prefect::Auth;
use crate::telemetry;

impl McpServer {
    /// Every tool call passes here, whichever way it came (MCP `tools/call`, the `call`
    /// subcommand, in-process tests): the caller's credentials, one span with the tool, its
    /// duration and outcome, argument errors worded by `errors.rs`, and the size bound on the
    /// answer; and the way the call may ask the client for what it is missing (`super::ask`):
    /// a tool that stopped to ask answers with the question instead of a result. `task` is set
    /// when the call runs as a task (`super::tasks`).
    pub(crate) async fn dispatch(
        &self,
        mut request: CallToolRequestParams,
        mut context: RequestContext<RoleServer>,
        task: Option<TaskContext>,
    ) -> Result<CallToolResponse, ErrorData> {
        let signed_in = signed_in(&context).cloned();
        // A write's line is its audit record (`super::audit`): the tool names what it changes,
        // and the caller is the signed-in subject (absent without OAuth: the operator).
        let tool = self.tool_router.get(&request.name);
        let writes = tool.is_some() && McpServer::writes(&request.name);
        let input_schema = tool.filter(|_| writes).map(|t| t.input_schema.clone());
        // Taken now: the request moves into the call.
        let tool_label =
            telemetry::metrics().map(|_| telemetry::tool_label(tool.is_some(), &request.name));
        let span = tracing::info_span!(
            "tool_call",
            tool = %request.name,
            kind = if writes { "write" } else { "read" },
            caller = signed_in.as_ref().map(|c| c.subject.as_str()),
            outcome = tracing::field::Empty,
            error_kind = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
            target_id = tracing::field::Empty,
            target_name = tracing::field::Empty,
        );
        if let Some(caller) = &signed_in {
            telemetry::span_attribute("enduser.id", || caller.subject.clone());
        }
        let started = Instant::now();
        let response = async {
            if let Some(schema) = &input_schema {
                audit::preset_from_arguments(schema, request.arguments.as_ref());
            }
            if writes && signed_in.as_ref().is_some_and(|c| !c.may_write()) {
                // The HTTP layer answers this with 403 first; this holds for any other way in.
                return Ok(ToolError::into_result(
                    ArgumentError::NeedsScope {
                        tool: request.name.to_string(),
                        scope: WRITE_SCOPE,
                    }
                    .into(),
                )
                .into());
            }
            let caller = match self.for_caller(&context) {
                Ok(caller) => caller,
                Err(error) => return Ok(ToolError::into_result(error).into()),
            };
            let server = caller.as_ref().unwrap_or(self);
            let owner = match self.task_owner(&context) {
                Ok(owner) => owner,
                Err(error) => return Ok(ToolError::into_result(error).into()),
            };
            let asker = match Asker::for_call(
                &self.ask,
                &request.name,
                request.arguments.as_ref(),
                &owner,
                request.request_state.as_deref(),
                request.input_responses.take(),
                &context,
                task,
            ) {
                Ok(asker) => asker,
                Err(error) => return Ok(ToolError::into_result(error).into()),
            };
            context.extensions.insert(asker.clone());
            let detached = Detach::of(&context);
            let response = self
                .tool_router
                .call(ToolCallContext::new(server, request, context))
                .await;
            if let Some(question) = asker.take_input_required() {
                return Ok(question.into());
            }
            if let Some(task) = detached.as_ref().and_then(Detach::take) {
                return Ok(CallToolResponse::Task(task));
            }
            match response {
                Err(error) => match ToolError::from_argument_error(&error) {
                    Some(argument_error) => Ok(ToolError::into_result(argument_error).into()),
                    None => Err(error),
                },
                Ok(CallToolResponse::Complete(result)) => Ok(bounded(result).into()),
                Ok(other) => Ok(other),
            }
        }
        .instrument(span.clone())
        .await;
        let outcome = match &response {
            Ok(CallToolResponse::Complete(result)) if result.is_error == Some(true) => "error",
            // A question went back to the client; the retried call gets its own line.
            Ok(CallToolResponse::InputRequired(_)) => "input_required",
            // The wait goes on as a task any replica answers (`super::tasks::wait`).
            Ok(CallToolResponse::Task(_)) => "task",
            Ok(_) => "ok",
            Err(_) => "protocol_error",
        };
        span.record("outcome", outcome);
        span.record("duration_ms", started.elapsed().as_secs_f64() * 1000.0);
        span.in_scope(|| tracing::info!("tool call finished"));
        if let (Some(metrics), Some(tool)) = (telemetry::metrics(), tool_label) {
            metrics.tool_call(&tool, writes, outcome, started.elapsed().as_secs_f64());
        }
        response
    }

    /// Run one tool in this process, through the same dispatch as MCP `tools/call`; for the `call`
    /// subcommand and the crate's tests. Whatever the tool sends its peer (progress) is dropped.
    pub async fn call_in_process(
        &self,
        name: &str,
        arguments: JsonObject,
    ) -> Result<CallToolResult, ErrorData> {
        let (server_io, client_io) = tokio::io::duplex(64 * 1024);
        let drain = tokio::spawn(async move {
            use tokio::io::AsyncReadExt;
            let mut client_io = client_io;
            let mut sink = [0u8; 4096];
            while matches!(client_io.read(&mut sink).await, Ok(n) if n > 0) {}
        });
        let running = serve_directly::<RoleServer, _, _, _, _>(self.clone(), server_io, None);
        let context = RequestContext::new(NumberOrString::Number(1), running.peer().clone());
        let request = CallToolRequestParams::new(name.to_owned()).with_arguments(arguments);
        let response = self.dispatch(request, context, None).await;
        let _ = running.cancel().await;
        drain.abort();
        match response? {
            CallToolResponse::Complete(result) => Ok(result),
            other => Err(ErrorData::internal_error(
                format!("unexpected response from tool {name}: {other:?}"),
                None,
            )),
        }
    }

    /// `tools/list`: the offered tools, without the write tools when the caller signed in
    /// without `prefect:write`, each naming its MCP Apps view for a client that renders them
    /// (the list then depends on the caller: private to its cache).
    pub(super) fn listed_tools(&self, context: &RequestContext<RoleServer>) -> ListToolsResult {
        let caller = signed_in(context);
        let tools = self
            .tool_router
            .list_all()
            .into_iter()
            .filter(|tool| caller.is_none_or(|c| c.may_write() || !McpServer::writes(&tool.name)))
            .collect();
        super::apps::tool_list(tools, context, caller.is_some(), |tool| {
            McpServer::declaration(tool)?.view
        })
    }

    /// The server for this request ([`Self::for_caller`]), as a protocol error when the
    /// request's credentials are unusable.
    pub(super) fn caller(
        &self,
        context: &RequestContext<RoleServer>,
    ) -> Result<Option<Self>, ErrorData> {
        self.for_caller(context).map_err(ToolError::into_error_data)
    }
}

impl McpServer {
    /// The server to run a call with: this one, or a copy holding the pooled client of the
    /// caller's own credentials when the HTTP request carries them. In `required` mode an HTTP
    /// request without them is refused (calls that come from no HTTP request, such as the `call`
    /// subcommand, use the server's own).
    pub(super) fn for_caller(
        &self,
        context: &RequestContext<RoleServer>,
    ) -> Result<Option<Self>, ToolError> {
        let Some(clients) = &self.per_request_client else {
            return Ok(None);
        };
        let Some(auth) = request_auth(context)? else {
            return Ok(None);
        };
        if auth == Auth::None {
            return if clients.required {
                Err(ArgumentError::CredentialsRequired {
                    headers: [API_KEY_HEADER, AUTH_STRING_HEADER],
                }
                .into())
            } else {
                Ok(None)
            };
        }
        Ok(Some(McpServer {
            prefect: clients.prefect_for(auth)?,
            per_request_client: None,
            ..self.clone()
        }))
    }
}

impl McpServer {
    /// Who a task belongs to (`super::tasks`), so that no other caller reaches it: the
    /// signed-in subject (OAuth), and a digest of the request's own Prefect credentials when
    /// they are in use (`--per-request-auth`); neither for the operator's own calls.
    pub(super) fn task_owner(
        &self,
        context: &RequestContext<RoleServer>,
    ) -> Result<String, ToolError> {
        let subject = signed_in(context).map(|caller| caller.subject.as_str());
        let credential = match &self.per_request_client {
            Some(_) => request_auth(context)?
                .filter(|auth| *auth != Auth::None)
                .map(|auth| credential_digest(&auth)),
            None => None,
        };
        // JSON: no subject can pass for another subject and credential.
        Ok(serde_json::json!({ "subject": subject, "credential": credential }).to_string())
    }
}

/// The Prefect credentials an HTTP request brought (`Auth::None` without them); `None` for a
/// call that came from no HTTP request.
fn request_auth(context: &RequestContext<RoleServer>) -> Result<Option<Auth>, ToolError> {
    match from_transport::<RequestCredentials>(context) {
        // An HTTP request whose credentials the transport did not read brought none: in
        // `required` mode it is refused rather than served with the operator's.
        None if over_http(context) => Ok(Some(Auth::None)),
        None => Ok(None),
        Some(RequestCredentials::Given(auth)) => Ok(Some(auth.clone())),
        Some(RequestCredentials::NotText { header }) => {
            Err(ArgumentError::HeaderNotText { header }.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::mcp::caller::Caller;
    use crate::mcp::{PerRequestAuth, ServerOptions};

    /// Owners of requests with these credentials and subjects, on one server.
    async fn owners(
        per_request_auth: PerRequestAuth,
        requests: &[(Option<&str>, Option<&str>)],
    ) -> Vec<String> {
        let builder = crate::prefect::Client::builder("http://127.0.0.1:9/api");
        let options = ServerOptions {
            stateless: true,
            per_request_auth,
            ..ServerOptions::default()
        };
        let server = McpServer::new(builder.clone(), builder.build().unwrap(), "none", &options);
        let (server_io, _client_io) = tokio::io::duplex(1024);
        let running = serve_directly::<RoleServer, _, _, _, _>(server.clone(), server_io, None);
        let mut owners = Vec::new();
        for (key, subject) in requests {
            let (mut parts, ()) = axum::http::Request::new(()).into_parts();
            parts
                .extensions
                .insert(RequestCredentials::Given(Auth::from_settings(*key, None)));
            if let Some(subject) = subject {
                parts.extensions.insert(Caller {
                    subject: subject.to_string(),
                    client_id: None,
                    scopes: BTreeSet::new(),
                });
            }
            let mut context =
                RequestContext::new(NumberOrString::Number(1), running.peer().clone());
            context.extensions.insert(parts);
            owners.push(server.task_owner(&context).unwrap());
        }
        owners
    }

    #[tokio::test]
    async fn a_tasks_owner_is_the_subject_and_the_credential_never_in_clear() {
        let o = owners(
            PerRequestAuth::Optional,
            &[
                (Some("key-a"), None),
                (Some("key-a"), None),
                (Some("key-b"), None),
                (None, None),
                (Some("key-a"), Some("alice")),
                (None, Some("alice")),
                (None, Some("bob")),
            ],
        )
        .await;
        assert_eq!(o[0], o[1], "the same credential is the same owner");
        assert_ne!(o[0], o[2], "another credential is another owner");
        assert_ne!(o[0], o[3]);
        assert_ne!(o[4], o[0], "the subject counts with the credential");
        assert_ne!(o[5], o[6], "another subject is another owner");
        assert!(o
            .iter()
            .all(|owner| !owner.contains("key-a") && !owner.contains("key-b")));
        // Without per-request credentials the headers are ignored: all the operator's.
        let o = owners(PerRequestAuth::Off, &[(Some("key-a"), None), (None, None)]).await;
        assert_eq!(o[0], o[1]);
    }
}
