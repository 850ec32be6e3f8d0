//! The server value: its configuration and the Prefect layer under it, and the routers of the
//! offered tools and prompts. [`super::handler`] answers MCP requests with it.

use std::sync::Arc;

use rmcp::handler::server::router::prompt::PromptRouter;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{JsonObject, Tool};

use super::ask::{AskOptions, StateKey};
use super::credentials::CallerClients;
use super::declarations::Declaration;
use super::resources::{self, Target};
use super::subscriptions::Subscriptions;
use super::tasks::Tasks;
use super::tools;
use super::toolsets::{Offered, ServerOptions, Toolset};
use crate::errors::{ArgumentError, ToolError};
use crate::prefect::{Client, ClientBuilder, Prefect};
use crate::telemetry::SessionClock;

/// One prompt's router.
type Prompt = fn() -> PromptRouter<McpServer>;
/// One module of `tools/`: its router and its tools' declarations.
type ToolModule = (fn() -> ToolRouter<McpServer>, &'static [Declaration]);

/// The MCP server: the Prefect layer, and the tools, prompts and resources over it.
#[derive(Clone)]
pub struct McpServer {
    /// The Prefect server every request reaches (a caller's own with per-request credentials).
    pub(crate) prefect: Prefect,
    /// Set with `per_request_auth`: the pooled clients of callers' own credentials.
    pub(super) per_request_client: Option<CallerClients>,
    /// Shared, not copied: stateless HTTP makes a server value per request.
    pub(super) tool_router: Arc<ToolRouter<Self>>,
    pub(super) ask: AskOptions,
    pub(super) tasks: Tasks,
    /// The prompts of the offered toolsets (all prompts are read-only, so `--read-only` keeps
    /// them).
    pub(super) prompt_router: Arc<PromptRouter<Self>>,
    /// Which toolsets are offered; resources and completions follow it as the tools do.
    pub(crate) offered: Offered,
    /// This session's `resources/subscribe` subscriptions ([`McpServer::for_session`]).
    pub(super) subscriptions: Subscriptions,
    /// Counts this session while it lives and records its duration when the last copy goes
    /// (with metrics on, in a stateful session: a stateless request is no session).
    /// Held only to be dropped with the session.
    #[allow(dead_code)]
    pub(super) session_clock: Option<Arc<SessionClock>>,
}

impl McpServer {
    /// `builder` is how `client` was built; it is kept to build per-caller clients.
    pub fn new(
        builder: ClientBuilder,
        client: Client,
        auth_kind: &'static str,
        options: &ServerOptions,
    ) -> Self {
        let offered = options.offered();
        let tool_router =
            offered.tool_router(Self::toolset_router, Self::declaration, options.read_only);
        McpServer {
            prefect: Prefect::new(client, auth_kind),
            per_request_client: CallerClients::new(builder, options.per_request_auth),
            tool_router: Arc::new(tool_router),
            ask: AskOptions {
                key: options
                    .request_state_key
                    .clone()
                    .unwrap_or_else(StateKey::random),
                server_requests: !options.stateless,
                allow_unconfirmed_writes: options.allow_unconfirmed_writes,
                question_timeout: options
                    .question_timeout
                    .unwrap_or(super::ask::DEFAULT_QUESTION_TIMEOUT),
            },
            tasks: Tasks::new(options.stateless, options.request_state_key.as_ref()),
            prompt_router: Arc::new(Self::prompt_router(&offered)),
            offered,
            subscriptions: Subscriptions::default(),
            session_clock: None,
        }
    }

    /// The modules of one toolset under `tools/`: each one's router (its `#[tool_router]`) and
    /// its tools' declarations (its `DECLARED`), paired once here.
    fn toolset_modules(set: Toolset) -> &'static [ToolModule] {
        match set {
            Toolset::Flows => &[
                (Self::flows_tools, tools::flows::DECLARED),
                (Self::flow_writes_tools, tools::flow_writes::DECLARED),
            ],
            Toolset::FlowRuns => &[
                (Self::flow_runs_tools, tools::flow_runs::DECLARED),
                (
                    Self::flow_run_writes_tools,
                    tools::flow_run_writes::DECLARED,
                ),
            ],
            Toolset::Deployments => &[
                (Self::deployments_tools, tools::deployments::DECLARED),
                (
                    Self::deployment_writes_tools,
                    tools::deployment_writes::DECLARED,
                ),
            ],
            Toolset::Schedules => &[(
                Self::deployment_schedules_tools,
                tools::deployment_schedules::DECLARED,
            )],
            Toolset::Filter => &[(Self::filter_tools, tools::filter::DECLARED)],
            Toolset::Logs => &[(Self::logs_tools, tools::logs::DECLARED)],
            Toolset::TaskRuns => &[(Self::task_runs_tools, tools::task_runs::DECLARED)],
            Toolset::WorkPools => &[
                (Self::work_pools_tools, tools::work_pools::DECLARED),
                (
                    Self::work_pool_writes_tools,
                    tools::work_pool_writes::DECLARED,
                ),
            ],
            Toolset::Events => &[(Self::events_tools, tools::events::DECLARED)],
            Toolset::Automations => &[
                (Self::automations_tools, tools::automations::DECLARED),
                (
                    Self::automation_writes_tools,
                    tools::automation_writes::DECLARED,
                ),
            ],
            Toolset::Dashboard => &[(Self::dashboard_tools, tools::dashboard::DECLARED)],
            Toolset::ServerInfo => &[(Self::server_info_tools, tools::server_info::DECLARED)],
            Toolset::Diagnose => &[(Self::diagnose_tools, tools::diagnose::DECLARED)],
            Toolset::Variables => &[(Self::variables_tools, tools::variables::DECLARED)],
            Toolset::Concurrency => &[(Self::concurrency_tools, tools::concurrency::DECLARED)],
            Toolset::Artifacts => &[(Self::artifacts_tools, tools::artifacts::DECLARED)],
            Toolset::Blocks => &[(Self::blocks_tools, tools::blocks::DECLARED)],
        }
    }

    /// The router of one toolset's tools.
    fn toolset_router(set: Toolset) -> ToolRouter<Self> {
        let mut router = ToolRouter::new();
        for (module_router, _) in Self::toolset_modules(set) {
            router += module_router();
        }
        router
    }

    /// The declarations of one toolset's tools.
    pub fn toolset_declarations(set: Toolset) -> impl Iterator<Item = &'static Declaration> {
        Self::toolset_modules(set)
            .iter()
            .flat_map(|(_, declared)| declared.iter())
    }

    /// Every tool's declaration with its toolset, in the order of the tool reference.
    pub fn declared() -> impl Iterator<Item = (Toolset, &'static Declaration)> {
        Toolset::ALL
            .into_iter()
            .flat_map(|set| Self::toolset_declarations(set).map(move |d| (set, d)))
    }

    /// A tool's output schema in full, as derived from its result type: `tools/list` sends only
    /// its shallow form (`super::tool_schemas::shallow`), which the full one refines. The views'
    /// TypeScript types are rendered from it, so that `tsc` checks every field they read.
    pub fn derived_output_schema(tool: &str) -> Option<Arc<JsonObject>> {
        Toolset::ALL
            .into_iter()
            .find_map(|set| Self::toolset_router(set).get(tool)?.output_schema.clone())
    }

    /// The declaration of a tool, by name.
    pub fn declaration(tool: &str) -> Option<&'static Declaration> {
        Self::declared().map(|(_, d)| d).find(|d| d.name == tool)
    }

    /// Whether a tool changes something; an undeclared name (no such tool) counts as a write.
    pub fn writes(tool: &str) -> bool {
        Self::declaration(tool).is_none_or(Declaration::is_write)
    }

    /// The declarations of the offered tools, sorted by name as `tools/list` is.
    pub fn offered_declarations(&self) -> Vec<&'static Declaration> {
        self.tools()
            .iter()
            .filter_map(|t| Self::declaration(&t.name))
            .collect()
    }

    /// The names of the offered tools that change something (for OAuth's write scope).
    pub fn write_tools(&self) -> std::collections::HashSet<String> {
        self.tools()
            .into_iter()
            .filter(|t| Self::writes(&t.name))
            .map(|t| t.name.into_owned())
            .collect()
    }

    /// The prompts offered with these toolsets (each `prompts/<name>.rs`'s
    /// `#[prompt_router]`): a prompt is offered when the toolset it draws on is.
    pub(crate) fn prompt_router(offered: &Offered) -> PromptRouter<Self> {
        let prompts: [(Prompt, Toolset); 4] = [
            (Self::triage_failures_prompt, Toolset::Diagnose),
            (Self::why_late_prompt, Toolset::Diagnose),
            (Self::deployment_health_prompt, Toolset::Deployments),
            (Self::explain_run_prompt, Toolset::Diagnose),
        ];
        let mut router = PromptRouter::new();
        for (prompt, toolset) in prompts {
            if offered.wants(toolset) {
                router += prompt();
            }
        }
        router
    }

    /// A copy for a new MCP session: the same configuration, its own subscriptions and tasks.
    pub fn for_session(&self) -> Self {
        McpServer {
            subscriptions: Subscriptions::default(),
            tasks: self.tasks.for_session(),
            session_clock: self.ask.server_requests.then(SessionClock::start).flatten(),
            ..self.clone()
        }
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
        self.prefect.api_url()
    }

    /// Whether a prompt name or URI template is offered (for completions).
    pub(super) fn offers(&self, prompt_or_template: &str) -> bool {
        self.prompt_router.has_route(prompt_or_template)
            || resources::TEMPLATES
                .iter()
                .any(|t| t.uri_template == prompt_or_template && self.offered.wants(t.toolset))
    }

    /// A `prefect://` URI whose toolset is offered.
    pub(super) fn offered_target(&self, uri: &str) -> Result<Target, ToolError> {
        let target = resources::parse(uri)?;
        if self.offered.wants(target.toolset()) {
            Ok(target)
        } else {
            Err(ArgumentError::ToolsetNotOffered {
                uri: uri.to_string(),
                toolset: target.toolset().name(),
            }
            .into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_prompt_is_offered_by_default_and_its_arguments_are_described() {
        let prompts = McpServer::prompt_router(&ServerOptions::default().offered()).list_all();
        let names: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "deployment_health",
                "explain_run",
                "triage_failures",
                "why_late"
            ]
        );
        for prompt in &prompts {
            for argument in prompt.arguments.iter().flatten() {
                assert!(argument.description.is_some(), "{}", argument.name);
            }
        }
    }
}
