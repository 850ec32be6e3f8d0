//! The rmcp handler: which tools exist, and what the model is told about them.

use std::sync::Arc;

use prefect_api::{Auth, Client, ClientBuilder};
use rmcp::handler::server::prompt::PromptContext;
use rmcp::handler::server::router::prompt::PromptRouter;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::ToolCallContext;
use std::time::Instant;

use rmcp::model::{
    CacheScope, CallToolRequestParams, CallToolResponse, CallToolResult, CancelTaskParams,
    CompleteRequestParams, CompleteResult, GetPromptRequestParams, GetPromptResponse,
    GetSkillRequestParams, GetSkillResult, GetTaskParams, GetTaskResult, Implementation,
    IntoContents, JsonObject, ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult,
    ListSkillsResult, ListToolsResult, NumberOrString, PaginatedRequestParams, ProtocolVersion,
    ReadResourceRequestParams, ReadResourceResponse, ResultType, ServerCapabilities, ServerConfig,
    SubscribeRequestParams, SubscriptionFilter, Tool, UnsubscribeRequestParams, UpdateTaskParams,
};
use rmcp::service::{serve_directly, RequestContext, SubscriptionContext};
use rmcp::task_manager::TaskContext;
use rmcp::{tool_handler, ErrorData, RoleServer, ServerHandler};
use tracing::Instrument;

use crate::ask::{AskOptions, Asker, StateKey};
use crate::errors::{ArgumentError, ToolError};
use crate::output::bound::bound_result;
use crate::subscriptions::Subscriptions;
use crate::tasks::Tasks;

/// HTTP headers that carry a caller's own Prefect credentials (with `--per-request-auth`).
pub const API_KEY_HEADER: &str = "x-prefect-api-key";
pub const AUTH_STRING_HEADER: &str = "x-prefect-api-auth-string";

/// How the model should use the tools; sent once at initialisation.
const INSTRUCTIONS: &str = "\
Tools for a Prefect 3 server: flows, flow runs and deployments.
- Ids are UUIDs. Names: get_flow_by_name takes the flow's exact name; deployments are named \
\"flow_name/deployment_name\" (list_deployments shows both parts).
- States: state_type is one of SCHEDULED, PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, \
CRASHED, PAUSED, CANCELLING; state_name is the display name (\"Late\" is a SCHEDULED run past its \
time). A failed run's state.message carries the exception.
- Lists return {<items>, count}; limit is 1-200 (default 20) and offset pages further.
- filter_* tools take Prefect's filter JSON, either the REST body ({\"flows\": ..., \"flow_runs\": \
..., \"deployments\": ..., \"sort\": ..., \"limit\": ..., \"offset\": ...}) or the bare filter of the \
tool's entity. Operators: any_, not_any_, all_, like_ (case-insensitive contains), eq_, is_null_, \
before_/after_, operator and_/or_. Unknown keys are rejected, never ignored.
- search_deployments_by_status: an active schedule means the deployment is not paused.
- create_flow_run_from_deployment returns at once with timeout 0; with timeout > 0 it waits for \
a final state (COMPLETED, FAILED, CANCELLED, CRASHED) and says whether it timed out. \
cancel_flow_run moves a run to CANCELLING; its worker then stops it. wait_for_flow_run waits for \
a run started elsewhere.
- Ambiguous run names, deployment names that match nothing but come close, and required run \
parameters without a default are asked of the user when the client supports elicitation; \
otherwise the error lists the candidates or the missing parameters.";

/// A toolset's name and the router of its tools.
type Toolset = (&'static str, fn() -> ToolRouter<PrefectServer>);

/// The toolsets, in the order of the tool reference: one per module under `tools/`.
pub const TOOLSETS: [Toolset; 12] = [
    ("flows", PrefectServer::flows_tools),
    ("flow_runs", PrefectServer::flow_runs_tools),
    ("deployments", PrefectServer::deployments_tools),
    ("filter", PrefectServer::filter_tools),
    ("logs", PrefectServer::logs_tools),
    ("task_runs", PrefectServer::task_runs_tools),
    ("work_pools", PrefectServer::work_pools_tools),
    ("events", PrefectServer::events_tools),
    ("automations", PrefectServer::automations_tools),
    ("dashboard", PrefectServer::dashboard_tools),
    ("server_info", PrefectServer::server_info_tools),
    ("diagnose", PrefectServer::diagnose_tools),
];

/// Options that shape the tool list.
#[derive(Clone, Debug, Default)]
pub struct ServerOptions {
    /// Remove every tool that is not read-only (cancel, create).
    pub read_only: bool,
    /// Offer only these toolsets (names from [`TOOLSETS`]); `None` offers all.
    pub toolsets: Option<Vec<String>>,
    /// Over HTTP, let each request bring its own Prefect credentials in the
    /// `X-Prefect-Api-Key` / `X-Prefect-Api-Auth-String` headers (multi-tenant use).
    pub per_request_auth: bool,
    /// Stateless HTTP: no server-to-client requests (no session to carry the answer) and no
    /// tasks (the next request may reach another replica).
    pub stateless: bool,
    /// The key sealing `requestState` (replicas must share it); a random one when absent.
    pub request_state_key: Option<StateKey>,
}

/// `--toolsets` named a set that does not exist.
#[derive(Debug, thiserror::Error)]
#[error("unknown toolset {name:?}; the toolsets are: {valid}")]
pub struct UnknownToolset {
    name: String,
    valid: String,
}

impl ServerOptions {
    /// Check the toolset names before anything starts.
    pub fn validate(&self) -> Result<(), UnknownToolset> {
        for name in self.toolsets.iter().flatten() {
            if !TOOLSETS.iter().any(|(set, _)| set == name) {
                return Err(UnknownToolset {
                    name: name.clone(),
                    valid: TOOLSETS.map(|(set, _)| set).join(", "),
                });
            }
        }
        Ok(())
    }

    pub(crate) fn wants(&self, toolset: &str) -> bool {
        self.toolsets
            .as_ref()
            .is_none_or(|sets| sets.iter().any(|s| s == toolset))
    }
}

/// The MCP server: a Prefect client and the tools over it.
#[derive(Clone)]
pub struct PrefectServer {
    pub(crate) client: Arc<Client>,
    /// How requests authenticate ("none", "api key (Bearer)", ...), for get_server_info.
    pub(crate) auth_kind: &'static str,
    /// Set with `per_request_auth`: how to build a client for a caller's own credentials.
    per_request_client: Option<ClientBuilder>,
    /// Shared, not copied: stateless HTTP makes a server value per request.
    tool_router: Arc<ToolRouter<Self>>,
    ask: AskOptions,
    tasks: Tasks,
    /// The prompts of the offered toolsets (all prompts are read-only, so `--read-only` keeps
    /// them).
    prompt_router: Arc<PromptRouter<Self>>,
    /// Which toolsets are offered; resources and completions follow it as the tools do.
    options: ServerOptions,
    /// This session's `resources/subscribe` subscriptions ([`PrefectServer::for_session`]).
    subscriptions: Subscriptions,
}

impl PrefectServer {
    /// `builder` is how `client` was built; it is kept to build per-caller clients.
    pub fn new(
        builder: ClientBuilder,
        client: Client,
        auth_kind: &'static str,
        options: &ServerOptions,
    ) -> Self {
        let mut tool_router = ToolRouter::new();
        for (name, tools) in TOOLSETS {
            if options.wants(name) {
                tool_router += tools();
            }
        }
        for route in tool_router.map.values_mut() {
            route.attr.input_schema =
                Arc::new(crate::output::schema::lean_input(&route.attr.input_schema));
            if let Some(schema) = &route.attr.output_schema {
                route.attr.output_schema = Some(Arc::new(crate::output::schema::shallow(schema)));
            }
        }
        if options.read_only {
            // Read-only is derived from the tools' own annotations, so a new write tool cannot be
            // forgotten here.
            let writers: Vec<String> = tool_router
                .list_all()
                .into_iter()
                .filter(|t| t.annotations.as_ref().and_then(|a| a.read_only_hint) != Some(true))
                .map(|t| t.name.into_owned())
                .collect();
            for name in writers {
                tool_router.remove_route(&name);
            }
        }
        PrefectServer {
            client: Arc::new(client),
            auth_kind,
            per_request_client: options.per_request_auth.then_some(builder),
            tool_router: Arc::new(tool_router),
            ask: AskOptions {
                key: options
                    .request_state_key
                    .clone()
                    .unwrap_or_else(StateKey::random),
                server_requests: !options.stateless,
            },
            tasks: Tasks::new(!options.stateless),
            prompt_router: Arc::new(Self::offered_prompts(|set| options.wants(set))),
            options: options.clone(),
            subscriptions: Subscriptions::default(),
        }
    }

    /// A copy for a new MCP session: the same configuration, its own subscriptions.
    pub fn for_session(&self) -> Self {
        PrefectServer {
            subscriptions: Subscriptions::default(),
            ..self.clone()
        }
    }

    /// The server to run a call with: this one, or a copy holding a client with the caller's
    /// own credentials when the HTTP request carries them and `per_request_auth` is on.
    fn for_caller(&self, context: &RequestContext<RoleServer>) -> Result<Option<Self>, ToolError> {
        let Some(builder) = &self.per_request_client else {
            return Ok(None);
        };
        let Some(parts) = context.extensions.get::<axum::http::request::Parts>() else {
            return Ok(None);
        };
        let header = |name: &'static str| -> Result<Option<&str>, ToolError> {
            parts
                .headers
                .get(name)
                .map(|v| {
                    v.to_str()
                        .map_err(|_| ArgumentError::HeaderNotText { header: name }.into())
                })
                .transpose()
        };
        let auth = Auth::from_settings(header(API_KEY_HEADER)?, header(AUTH_STRING_HEADER)?);
        if auth == Auth::None {
            return Ok(None);
        }
        let auth_kind = auth.kind();
        let client = builder
            .clone()
            .auth(auth)
            .build()
            .map_err(|source| ToolError::Prefect {
                action: "setting up a client for the request's credentials".into(),
                source,
            })?;
        Ok(Some(PrefectServer {
            client: Arc::new(client),
            auth_kind,
            per_request_client: None,
            ..self.clone()
        }))
    }

    /// The tools this server offers, sorted by name.
    pub fn tools(&self) -> Vec<Tool> {
        self.tool_router.list_all()
    }

    /// Whether a tool of this name is offered.
    pub fn has_tool(&self, name: &str) -> bool {
        self.tool_router.get(name).is_some()
    }

    /// The Prefect API URL the tools talk to.
    pub fn api_url(&self) -> &str {
        self.client.api_url()
    }

    /// Every tool call passes here, whichever way it came (MCP `tools/call`, the `call`
    /// subcommand, in-process tests): the caller's credentials, one span with the tool, its
    /// duration and outcome, argument errors worded by `errors.rs`, and the size bound on the
    /// answer; and the way the call may ask the client for what it is missing (`crate::ask`):
    /// a tool that stopped to ask answers with the question instead of a result. `task` is set
    /// when the call runs as a task (`crate::tasks`).
    pub(crate) async fn dispatch(
        &self,
        mut request: CallToolRequestParams,
        mut context: RequestContext<RoleServer>,
        task: Option<TaskContext>,
    ) -> Result<CallToolResponse, ErrorData> {
        let span = tracing::info_span!(
            "tool_call",
            tool = %request.name,
            outcome = tracing::field::Empty,
            error_kind = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let response = async {
            let caller = match self.for_caller(&context) {
                Ok(caller) => caller,
                Err(error) => return Ok(tool_error(error).into()),
            };
            let server = caller.as_ref().unwrap_or(self);
            let asker = match Asker::for_call(
                &self.ask,
                &request.name,
                request.arguments.as_ref(),
                request.request_state.as_deref(),
                request.input_responses.take(),
                &context,
                task,
            ) {
                Ok(asker) => asker,
                Err(error) => return Ok(tool_error(error).into()),
            };
            context.extensions.insert(asker.clone());
            let response = self
                .tool_router
                .call(ToolCallContext::new(server, request, context))
                .await;
            if let Some(question) = asker.take_input_required() {
                return Ok(question.into());
            }
            match response {
                Err(error) => match ToolError::from_argument_error(&error) {
                    Some(argument_error) => Ok(tool_error(argument_error).into()),
                    None => Err(error),
                },
                Ok(CallToolResponse::Complete(result)) => {
                    Ok(CallToolResponse::Complete(match bound_result(result) {
                        Ok(bounded) => bounded,
                        Err(size) => tool_error(ToolError::AnswerTooLarge { bytes: size }),
                    }))
                }
                Ok(other) => Ok(other),
            }
        }
        .instrument(span.clone())
        .await;
        let outcome = match &response {
            Ok(CallToolResponse::Complete(result)) if result.is_error == Some(true) => "error",
            Ok(_) => "ok",
            Err(_) => "protocol_error",
        };
        span.record("outcome", outcome);
        span.record("duration_ms", started.elapsed().as_secs_f64() * 1000.0);
        span.in_scope(|| tracing::info!("tool call finished"));
        response
    }

    /// Run one tool in this process, through the same seam as MCP `tools/call`; for the `call`
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

    /// The server for this request ([`Self::for_caller`]), as a protocol error when the
    /// request's credentials are unusable.
    fn caller(&self, context: &RequestContext<RoleServer>) -> Result<Option<Self>, ErrorData> {
        self.for_caller(context).map_err(ToolError::into_error_data)
    }

    /// Whether a prompt name or URI template is offered (for completions).
    fn offers(&self, prompt_or_template: &str) -> bool {
        self.prompt_router.has_route(prompt_or_template)
            || crate::resources::TEMPLATES
                .iter()
                .any(|t| t.uri_template == prompt_or_template && self.options.wants(t.toolset))
    }

    /// A `prefect://` URI whose toolset is offered.
    fn offered_target(&self, uri: &str) -> Result<crate::resources::Target, ToolError> {
        let target = crate::resources::parse(uri)?;
        if self.options.wants(target.toolset()) {
            Ok(target)
        } else {
            Err(ArgumentError::ToolsetNotOffered {
                uri: uri.to_string(),
                toolset: target.toolset(),
            }
            .into())
        }
    }
}

/// A failure as the client sees it: a tool result with `isError`, worded by `errors.rs`.
fn tool_error(error: ToolError) -> CallToolResult {
    CallToolResult::error(error.into_contents())
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for PrefectServer {
    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        if self
            .tasks
            .should_run(&request.name, request.arguments.as_ref(), &context)
        {
            let server = self.clone();
            let task = self.tasks.start(move |task, stop| async move {
                let mut context = context;
                // The request is answered with the task at once; from here on only
                // tasks/cancel stops the call.
                context.ct = stop;
                context.extensions.insert(task.clone());
                server.dispatch(request, context, Some(task)).await
            })?;
            return Ok(task.into());
        }
        self.dispatch(request, context, None).await
    }

    async fn get_task(
        &self,
        request: GetTaskParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetTaskResult, ErrorData> {
        self.tasks.get(&request.task_id)
    }

    async fn update_task(
        &self,
        request: UpdateTaskParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.tasks.update(&request.task_id, request.input_responses)
    }

    async fn cancel_task(
        &self,
        request: CancelTaskParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.tasks.cancel(&request.task_id)
    }

    /// The tools, each naming its MCP Apps view for a client that renders them; any other
    /// client gets exactly what the generated handler gave (`crate::apps`).
    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let supports_cache_hints = context
            .protocol_version()
            .is_some_and(|version| version >= ProtocolVersion::V_2026_07_28);
        let views = crate::apps::client_renders(context.client_capabilities().as_ref());
        let mut tools = self.tool_router.list_all();
        if views {
            crate::apps::attach_views(&mut tools);
        }
        Ok(ListToolsResult {
            result_type: Some(ResultType::COMPLETE),
            tools,
            meta: None,
            next_cursor: None,
            ttl_ms: supports_cache_hints.then_some(0),
            // The list depends on the request's capabilities once views are named in it.
            cache_scope: supports_cache_hints.then_some(if views {
                CacheScope::Private
            } else {
                CacheScope::Public
            }),
        })
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        Ok(ListPromptsResult::with_all_items(
            self.prompt_router.list_all(),
        ))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        let caller = self.caller(&context)?;
        let server = caller.as_ref().unwrap_or(self);
        let prompt = PromptContext::new(server, request.name, request.arguments, context);
        self.prompt_router.get_prompt(prompt).await
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let caller = self.caller(&context)?;
        let server = caller.as_ref().unwrap_or(self);
        let mut resources = Vec::new();
        if self.options.wants("flow_runs") {
            resources = server
                .listed_runs()
                .await
                .map_err(ToolError::into_error_data)?;
        }
        resources.extend(crate::skill::resources());
        if crate::apps::client_renders(context.client_capabilities().as_ref()) {
            resources.extend(crate::apps::resources());
        }
        Ok(ListResourcesResult::with_all_items(resources))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Ok(ListResourceTemplatesResult::with_all_items(
            Self::offered_templates(|set| self.options.wants(set)),
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        if let Some(file) = crate::skill::read(&request.uri) {
            return Ok(file.into());
        }
        if let Some(view) = crate::apps::read(&request.uri) {
            return Ok(view.into());
        }
        let caller = self.caller(&context)?;
        let server = caller.as_ref().unwrap_or(self);
        let target = self
            .offered_target(&request.uri)
            .map_err(ToolError::into_error_data)?;
        server
            .read_prefect_resource(&request.uri, target, context)
            .await
            .map(Into::into)
            .map_err(|error| match error {
                ToolError::Prefect {
                    source: prefect_api::PrefectError::NotFound { .. },
                    ..
                } => ErrorData::resource_not_found(error.message(), None),
                other => other.into_error_data(),
            })
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        let caller = self.caller(&context)?;
        let server = caller.as_ref().unwrap_or(self);
        let flow = request
            .context
            .as_ref()
            .and_then(|c| c.get_argument("flow"))
            .map(String::as_str);
        server
            .complete_argument(
                &request.r#ref,
                &request.argument.name,
                &request.argument.value,
                flow,
                |owner| self.offers(owner),
            )
            .await
            .map(CompleteResult::new)
            .map_err(ToolError::into_error_data)
    }

    #[allow(deprecated)]
    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        let caller = self.caller(&context)?;
        let server = caller.as_ref().unwrap_or(self);
        self.offered_target(&request.uri)
            .map_err(ToolError::into_error_data)?;
        self.subscriptions
            .subscribe(&request.uri, server.client.clone(), context.peer.clone())
            .await
            .map_err(ToolError::into_error_data)
    }

    #[allow(deprecated)]
    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.subscriptions.unsubscribe(&request.uri);
        Ok(())
    }

    fn accepted_subscription_filter(
        &self,
        requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        let runs: Vec<String> = requested
            .resource_subscriptions
            .iter()
            .flatten()
            .filter(|uri| {
                crate::subscriptions::subscribable(uri).is_ok() && self.options.wants("flow_runs")
            })
            .cloned()
            .collect();
        Some(
            SubscriptionFilter::builder()
                .resource_subscriptions(runs)
                .build(),
        )
    }

    async fn listen(&self, context: SubscriptionContext) -> Result<(), ErrorData> {
        let caller = self.caller(context.request_context())?;
        let client = caller.as_ref().unwrap_or(self).client.clone();
        crate::subscriptions::listen(context, client).await;
        Ok(())
    }

    async fn list_skills(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListSkillsResult, ErrorData> {
        Ok(crate::skill::list())
    }

    async fn get_skill(
        &self,
        request: GetSkillRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetSkillResult, ErrorData> {
        crate::skill::get(&request.uri).map_err(ToolError::into_error_data)
    }

    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder()
            .enable_completions()
            .enable_prompts()
            .enable_resources()
            .enable_tools()
            .enable_resources_subscribe()
            .enable_skills();
        let capabilities = if self.tasks.offered() {
            capabilities.enable_tasks().build()
        } else {
            capabilities.build()
        };
        ServerConfig::new(capabilities)
            .with_server_info(
                Implementation::new(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
                    .with_title("Prefect MCP server"),
            )
            .with_instructions(INSTRUCTIONS)
    }
}
