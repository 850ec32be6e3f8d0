//! The rmcp handler: the server's capabilities, and each MCP request sent to the part that
//! answers it (tool calls through the dispatch, `super::dispatch`). The server value itself is
//! [`super::prefect_server`].

use rmcp::handler::server::prompt::PromptContext;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CancelTaskParams, CompleteRequestParams,
    CompleteResult, GetPromptRequestParams, GetPromptResponse, GetSkillRequestParams,
    GetSkillResult, GetTaskParams, GetTaskResult, Implementation, InitializeRequestParams,
    InitializeResult, ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult,
    ListSkillsResult, ListToolsResult, PaginatedRequestParams, ReadResourceRequestParams,
    ReadResourceResponse, ServerCapabilities, ServerConfig, SubscribeRequestParams,
    SubscriptionFilter, UnsubscribeRequestParams, UpdateTaskParams,
};
use rmcp::service::{RequestContext, SubscriptionContext};
use rmcp::{tool_handler, ErrorData, RoleServer, ServerHandler};

use super::resources;
use super::server::McpServer;
use super::subscriptions;
use super::tasks::wait::Detach;
use super::toolsets::Toolset;
use super::{apps, completions, instructions, skill};
use crate::errors::{ArgumentError, ToolError};

/// The `_meta` key of a `resources/list` answer without flow runs: why they are missing.
pub const RUNS_UNAVAILABLE: &str = "io.github.prefect-mcp/runs-unavailable";

#[tool_handler(router = self.tool_router)]
impl ServerHandler for McpServer {
    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        if self.tasks.should_run(
            McpServer::declaration(&request.name),
            request.arguments.as_ref(),
            &context,
        ) {
            if let Some(sealed) = self.tasks.sealed() {
                // Stateless replicas: the call makes the run here and answers with a sealed
                // task (`super::tasks::wait`).
                let owner = self
                    .task_owner(&context)
                    .map_err(ToolError::into_error_data)?;
                let mut context = context;
                context
                    .extensions
                    .insert(Detach::new(sealed.clone(), owner));
                return self.dispatch(request, context, None).await;
            }
            let server = self.clone();
            let peer = context.peer.clone();
            let task = self.tasks.start(peer, move |task, stop| async move {
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

    /// The tools the caller may use, each naming its MCP Apps view for a client that renders
    /// them ([`McpServer::listed_tools`], [`apps::tool_list`]).
    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(self.listed_tools(&context))
    }

    async fn get_task(
        &self,
        request: GetTaskParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetTaskResult, ErrorData> {
        match self.sealed_tasks(&context)? {
            Some((tasks, prefect, owner)) => tasks.get(&prefect, &request.task_id, &owner).await,
            None => self.tasks.get(&request.task_id),
        }
    }

    async fn update_task(
        &self,
        request: UpdateTaskParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        match self.sealed_tasks(&context)? {
            Some((tasks, _, owner)) => tasks.update(&request.task_id, &owner),
            None => self.tasks.update(&request.task_id, request.input_responses),
        }
    }

    async fn cancel_task(
        &self,
        request: CancelTaskParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        match self.sealed_tasks(&context)? {
            Some((tasks, prefect, owner)) => tasks.cancel(&prefect, &request.task_id, &owner).await,
            None => self.tasks.cancel(&request.task_id),
        }
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
        let mut missing = None;
        if self.offered.wants(Toolset::FlowRuns) {
            // Prefect down takes out the runs, not the list: the skill needs no Prefect.
            match resources::listed_runs(&server.prefect).await {
                Ok(runs) => resources = runs,
                Err(error) => {
                    tracing::warn!(error = %error.message(), "resources/list without flow runs");
                    missing = Some(error.message());
                }
            }
        }
        resources.extend(skill::resources());
        if apps::client_renders(context.client_capabilities().as_ref()) {
            resources.extend(apps::resources());
        }
        let mut result = ListResourcesResult::with_all_items(resources);
        if let Some(why) = missing {
            let mut meta = rmcp::model::JsonObject::new();
            meta.insert(RUNS_UNAVAILABLE.to_string(), serde_json::Value::String(why));
            result.meta = Some(rmcp::model::MetaObject(meta));
        }
        Ok(result)
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Ok(ListResourceTemplatesResult::with_all_items(
            resources::offered_templates(&self.offered),
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        if let Some(file) = skill::read(&request.uri) {
            return Ok(file.into());
        }
        if let Some(view) = apps::read(&request.uri) {
            return Ok(view.into());
        }
        let caller = self.caller(&context)?;
        let server = caller.as_ref().unwrap_or(self);
        let target = self
            .offered_target(&request.uri)
            .map_err(ToolError::into_error_data)?;
        resources::read(&server.prefect, &request.uri, target, context)
            .await
            .map(Into::into)
            .map_err(|error| match error {
                ToolError::Prefect {
                    source: crate::prefect::PrefectError::NotFound { .. },
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
        completions::complete(
            &server.prefect,
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
        if !self.ask.server_requests {
            return Err(ToolError::from(ArgumentError::SubscribeNeedsSession).into_error_data());
        }
        let caller = self.caller(&context)?;
        let server = caller.as_ref().unwrap_or(self);
        self.offered_target(&request.uri)
            .map_err(ToolError::into_error_data)?;
        self.subscriptions
            .subscribe(&request.uri, server.prefect.clone(), context.peer.clone())
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
                subscriptions::subscribable(uri).is_ok() && self.offered.wants(Toolset::FlowRuns)
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
        let prefect = caller.as_ref().unwrap_or(self).prefect.clone();
        subscriptions::listen(context, prefect).await;
        Ok(())
    }

    async fn list_skills(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListSkillsResult, ErrorData> {
        Ok(skill::list())
    }

    async fn get_skill(
        &self,
        request: GetSkillRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetSkillResult, ErrorData> {
        skill::get(&request.uri).map_err(ToolError::into_error_data)
    }

    /// Stateless HTTP refuses `resources/subscribe` (no session carries its updates), so the
    /// only clients that initialize, 2025-era ones, are not told they may subscribe; the flag
    /// stays in [`Self::get_info`] for 2026-07-28 `subscriptions/listen`, which needs no session.
    async fn initialize(
        &self,
        request: InitializeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<InitializeResult, ErrorData> {
        context.peer.set_peer_info(request.clone());
        let mut result = self.negotiate_initialize(&request)?;
        let stateless = !self.ask.server_requests;
        if let Some(resources) = result.capabilities.resources.as_mut().filter(|_| stateless) {
            resources.subscribe = None;
        }
        Ok(result)
    }

    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder()
            .enable_completions()
            .enable_prompts()
            .enable_resources()
            .enable_tools()
            .enable_resources_subscribe()
            .enable_skills();
        // `subscribe` stays on stateless HTTP too: it is what lets `subscriptions/listen`
        // (2026-07-28) honour resource subscriptions, and that stream is carried by its own
        // request. The 2025-era `resources/subscribe`, whose updates need a session, is refused
        // there with an error saying so ([`Self::subscribe`]).
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
            .with_instructions(instructions::instructions(
                &self.offered_declarations(),
                &self.offered.left_out(),
            ))
    }
}
