//! Toolsets: which tools a server offers. One toolset per module under `tools/`; `--toolsets`
//! picks some, `--read-only` drops every tool not annotated read-only, and the router of the
//! offered tools is assembled here.

use std::sync::Arc;

use rmcp::handler::server::router::tool::ToolRouter;

use super::ask::StateKey;
use super::declarations::Declaration;
use super::tool_schemas;

/// A toolset: one module under `tools/`, in the order of the tool reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Toolset {
    Flows,
    FlowRuns,
    Deployments,
    Schedules,
    Filter,
    Logs,
    TaskRuns,
    WorkPools,
    Events,
    Automations,
    Dashboard,
    ServerInfo,
    Diagnose,
    Variables,
    Concurrency,
    Artifacts,
    Blocks,
}

impl Toolset {
    /// Every toolset, in the order of the tool reference.
    pub const ALL: [Toolset; 17] = [
        Toolset::Flows,
        Toolset::FlowRuns,
        Toolset::Deployments,
        Toolset::Schedules,
        Toolset::Filter,
        Toolset::Logs,
        Toolset::TaskRuns,
        Toolset::WorkPools,
        Toolset::Events,
        Toolset::Automations,
        Toolset::Dashboard,
        Toolset::ServerInfo,
        Toolset::Diagnose,
        Toolset::Variables,
        Toolset::Concurrency,
        Toolset::Artifacts,
        Toolset::Blocks,
    ];

    /// The name `--toolsets` takes.
    pub fn name(self) -> &'static str {
        match self {
            Toolset::Flows => "flows",
            Toolset::FlowRuns => "flow_runs",
            Toolset::Deployments => "deployments",
            Toolset::Schedules => "schedules",
            Toolset::Filter => "filter",
            Toolset::Logs => "logs",
            Toolset::TaskRuns => "task_runs",
            Toolset::WorkPools => "work_pools",
            Toolset::Events => "events",
            Toolset::Automations => "automations",
            Toolset::Dashboard => "dashboard",
            Toolset::ServerInfo => "server_info",
            Toolset::Diagnose => "diagnose",
            Toolset::Variables => "variables",
            Toolset::Concurrency => "concurrency",
            Toolset::Artifacts => "artifacts",
            Toolset::Blocks => "blocks",
        }
    }

    pub fn named(name: &str) -> Option<Toolset> {
        Toolset::ALL.into_iter().find(|set| set.name() == name)
    }

    /// Whether the set is offered when `--toolsets` is not given: everyday work (the documented
    /// tools, diagnosis, logs, the dashboard, waits, the writes on runs and deployments), kept
    /// well under the 40 tools some clients (Cursor, Windsurf) allow across all their servers.
    /// The sets that administer Prefect are turned on by name, or with `all`.
    pub fn is_default(self) -> bool {
        !matches!(
            self,
            Toolset::Schedules
                | Toolset::WorkPools
                | Toolset::Automations
                | Toolset::Variables
                | Toolset::Concurrency
                | Toolset::Artifacts
                | Toolset::Blocks
        )
    }
}

/// `--toolsets` words that stand for several sets: the default offer, and every set.
pub const DEFAULT_TOOLSETS: &str = "default";
pub const ALL_TOOLSETS: &str = "all";

/// Options that shape the tool list.
#[derive(Clone, Debug, Default)]
pub struct ServerOptions {
    /// Remove every tool that is not read-only (cancel, create).
    pub read_only: bool,
    /// Offer these toolsets (names from [`Toolset::name`], or [`DEFAULT_TOOLSETS`] /
    /// [`ALL_TOOLSETS`]); `None` offers the default ones ([`Toolset::is_default`]).
    pub toolsets: Option<Vec<String>>,
    /// Over HTTP, let each request bring its own Prefect credentials in the
    /// `X-Prefect-Api-Key` / `X-Prefect-Api-Auth-String` headers (multi-tenant use).
    pub per_request_auth: super::credentials::PerRequestAuth,
    /// Stateless HTTP: no server-to-client requests (no session to carry the answer), and
    /// tasks only as sealed task ids, with a shared `request_state_key` (the next request may
    /// reach another replica).
    pub stateless: bool,
    /// The key sealing `requestState` (replicas must share it); a random one when absent.
    pub request_state_key: Option<StateKey>,
    /// Let destructive tools act without a person's confirmation when the client cannot be
    /// asked (`--allow-unconfirmed-writes`). Off by default: such calls then change nothing.
    pub allow_unconfirmed_writes: bool,
    /// How long a question waits for its answer (default
    /// [`super::ask::DEFAULT_QUESTION_TIMEOUT`]).
    pub question_timeout: Option<std::time::Duration>,
}

/// `--toolsets` named a set that does not exist.
#[derive(Debug, thiserror::Error)]
#[error("unknown toolset {name:?}; the toolsets are: {valid} (or \"default\" for the default offer, \"all\" for every toolset)")]
pub struct UnknownToolset {
    name: String,
    valid: String,
}

impl ServerOptions {
    /// Check the toolset names before anything starts.
    pub fn validate(&self) -> Result<(), UnknownToolset> {
        for name in self.chosen().into_iter().flatten() {
            if Toolset::named(name).is_none() && name != DEFAULT_TOOLSETS && name != ALL_TOOLSETS {
                return Err(UnknownToolset {
                    name: name.to_string(),
                    valid: Toolset::ALL.map(Toolset::name).join(", "),
                });
            }
        }
        Ok(())
    }

    /// The toolsets offered, in the order of the tool reference.
    pub fn offered(&self) -> Offered {
        let chosen = self.chosen();
        Offered(
            Toolset::ALL
                .into_iter()
                .filter(|set| match &chosen {
                    None => set.is_default(),
                    Some(names) => names.iter().any(|name| {
                        *name == set.name()
                            || *name == ALL_TOOLSETS
                            || (*name == DEFAULT_TOOLSETS && set.is_default())
                    }),
                })
                .collect(),
        )
    }

    /// The names chosen, trimmed; an empty choice (an unset field of a client's configuration
    /// form gives `PREFECT_MCP_TOOLSETS=`) is no choice, so the default.
    fn chosen(&self) -> Option<Vec<&str>> {
        let names: Vec<&str> = self
            .toolsets
            .iter()
            .flatten()
            .map(|name| name.trim())
            .filter(|name| !name.is_empty())
            .collect();
        (!names.is_empty()).then_some(names)
    }
}

/// The toolsets a server offers; resources, prompts and completions follow it as the tools do.
#[derive(Clone, Debug)]
pub struct Offered(Vec<Toolset>);

impl Offered {
    pub fn wants(&self, set: Toolset) -> bool {
        self.0.contains(&set)
    }

    /// The toolsets not offered, in the order of the tool reference (the instructions say how
    /// to turn them on).
    pub fn left_out(&self) -> Vec<Toolset> {
        Toolset::ALL
            .into_iter()
            .filter(|set| !self.wants(*set))
            .collect()
    }

    /// The router of the offered tools, from each toolset's router (`of`): their annotations
    /// from their declarations, their schemas made lean, and with `read_only` only the tools
    /// that read.
    pub fn tool_router<S: Send + Sync + 'static>(
        &self,
        of: impl Fn(Toolset) -> ToolRouter<S>,
        declaration: impl Fn(&str) -> Option<&'static Declaration>,
        read_only: bool,
    ) -> ToolRouter<S> {
        let mut router = ToolRouter::new();
        for set in &self.0 {
            router += of(*set);
        }
        let mut writers = Vec::new();
        for (name, route) in router.map.iter_mut() {
            let declared = declaration(name);
            route.attr.annotations = declared.map(Declaration::annotations);
            route.attr.input_schema = Arc::new(tool_schemas::lean_input(&route.attr.input_schema));
            if let Some(text) = &route.attr.description {
                route.attr.description = Some(tool_schemas::unwrapped(text).into());
            }
            if let Some(output) = &route.attr.output_schema {
                route.attr.output_schema = Some(Arc::new(tool_schemas::shallow(output)));
            }
            // An undeclared tool (a test's) is treated as a write: never offered read-only.
            if declared.is_none_or(Declaration::is_write) {
                writers.push(name.clone());
            }
        }
        if read_only {
            for name in writers {
                router.remove_route(&name);
            }
        }
        router
    }
}
