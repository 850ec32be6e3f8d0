//! MCP resources (@-mentions in Claude Code): Prefect objects by URI, read through the same
//! code as the tools, so a resource holds what the matching tool returns.
//!
//! - `prefect://flow-runs/{id}`: the run (JSON, as `get_flow_run_by_id`);
//! - `prefect://flow-runs/{id}/logs`: its newest log lines, oldest first (text);
//! - `prefect://deployments/{flow}/{deployment}`: the deployment (JSON, as `get_deployment_by_name`);
//! - `prefect://work-pools/{name}`: the pool with its queues, workers and health (JSON);
//! - the skill's files (`skill://prefect-operations/...`, see [`super::skill`]).
//!
//! `resources/list` offers the newest failed, crashed and late runs (bounded) and the skill.
//! Names in URIs are percent-encoded (`prefect://deployments/my%20flow/nightly`).

use percent_encoding::percent_decode_str;
use rmcp::model::{ReadResourceResult, Resource, ResourceContents, ResourceTemplate};
use rmcp::service::RequestContext;
use rmcp::RoleServer;
use uuid::Uuid;

use super::ask::{resolve, Asker};
use super::handler::PrefectServer;
use super::toolsets::{Offered, Toolset};
use crate::errors::{ArgumentError, ToolError};
use crate::output::FlowRunView;
use crate::prefect::logs::LogQuery;

pub const SCHEME: &str = "prefect://";
const JSON: &str = "application/json";
/// Log lines in a logs resource: the newest, where a failure shows.
const LOG_LINES: i64 = 100;
/// Runs of each kind (failed or crashed; late) that `resources/list` offers.
const LISTED_RUNS: i64 = 20;

/// A template, the toolset whose tools it reuses (it is offered when that toolset is), its
/// name and what it holds.
pub struct Template {
    pub uri_template: &'static str,
    pub toolset: Toolset,
    pub name: &'static str,
    pub description: &'static str,
    pub mime_type: &'static str,
}

pub const TEMPLATES: [Template; 4] = [
    Template {
        uri_template: "prefect://flow-runs/{id}",
        toolset: Toolset::FlowRuns,
        name: "flow_run",
        description: "A flow run by id: state (with the exception of a failed run), parameters, \
                      timing, deployment and work pool. Subscribe to be told when its state changes.",
        mime_type: JSON,
    },
    Template {
        uri_template: "prefect://flow-runs/{id}/logs",
        toolset: Toolset::Logs,
        name: "flow_run_logs",
        description: "A flow run's newest 100 log lines, oldest first, as text.",
        mime_type: "text/plain",
    },
    Template {
        uri_template: "prefect://deployments/{flow}/{deployment}",
        toolset: Toolset::Deployments,
        name: "deployment",
        description: "A deployment by flow and deployment name: schedules, paused, parameters, \
                      work pool and queue.",
        mime_type: JSON,
    },
    Template {
        uri_template: "prefect://work-pools/{name}",
        toolset: Toolset::WorkPools,
        name: "work_pool",
        description: "A work pool by name: status, queues, workers and whether its runs can start.",
        mime_type: JSON,
    },
];

/// What a `prefect://` URI names.
#[derive(Debug, PartialEq)]
pub enum Target {
    FlowRun(Uuid),
    FlowRunLogs(Uuid),
    Deployment { flow: String, deployment: String },
    WorkPool(String),
}

impl Target {
    /// The toolset this resource belongs to.
    pub fn toolset(&self) -> Toolset {
        let index = match self {
            Target::FlowRun(_) => 0,
            Target::FlowRunLogs(_) => 1,
            Target::Deployment { .. } => 2,
            Target::WorkPool(_) => 3,
        };
        TEMPLATES[index].toolset
    }
}

fn decode(segment: &str) -> Option<String> {
    let decoded = percent_decode_str(segment).decode_utf8().ok()?;
    (!decoded.trim().is_empty()).then(|| decoded.into_owned())
}

fn valid_uris() -> String {
    let templates: Vec<&str> = TEMPLATES.iter().map(|t| t.uri_template).collect();
    format!("{} and the skill's skill:// files", templates.join(", "))
}

/// Parse a `prefect://` URI, with an error that lists the valid shapes.
pub fn parse(uri: &str) -> Result<Target, ToolError> {
    let unknown = || {
        ToolError::from(ArgumentError::UnknownResource {
            uri: uri.to_string(),
            valid: valid_uris(),
        })
    };
    let path = uri.strip_prefix(SCHEME).ok_or_else(unknown)?;
    let segments: Vec<&str> = path.split('/').collect();
    let run_id = |raw: &str| {
        Uuid::parse_str(raw).map_err(|_| {
            ToolError::from(ArgumentError::NotAFlowRunId {
                uri: uri.to_string(),
                value: raw.to_string(),
            })
        })
    };
    match segments.as_slice() {
        ["flow-runs", id] => Ok(Target::FlowRun(run_id(id)?)),
        ["flow-runs", id, "logs"] => Ok(Target::FlowRunLogs(run_id(id)?)),
        ["deployments", flow, deployment] => Ok(Target::Deployment {
            flow: decode(flow).ok_or_else(unknown)?,
            deployment: decode(deployment).ok_or_else(unknown)?,
        }),
        ["work-pools", name] => Ok(Target::WorkPool(decode(name).ok_or_else(unknown)?)),
        _ => Err(unknown()),
    }
}

pub fn flow_run_uri(id: Uuid) -> String {
    format!("{SCHEME}flow-runs/{id}")
}

fn json_contents(uri: &str, value: &impl serde::Serialize) -> Result<ResourceContents, ToolError> {
    let text = serde_json::to_string_pretty(value).map_err(|e| ToolError::UnexpectedAnswer {
        action: format!("writing {uri} as JSON"),
        problem: e.to_string(),
    })?;
    Ok(ResourceContents::text(text, uri).with_mime_type(JSON))
}

/// The templates offered with these toolsets.
pub fn offered_templates(offered: &Offered) -> Vec<ResourceTemplate> {
    TEMPLATES
        .iter()
        .filter(|t| offered.wants(t.toolset))
        .map(|t| {
            ResourceTemplate::new(t.uri_template, t.name)
                .with_description(t.description)
                .with_mime_type(t.mime_type)
        })
        .collect()
}

impl PrefectServer {
    /// Read a `prefect://` resource.
    pub(crate) async fn read_prefect_resource(
        &self,
        uri: &str,
        target: Target,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResult, ToolError> {
        let contents = match target {
            Target::FlowRun(id) => json_contents(uri, &self.prefect.read_flow_run(id).await?)?,
            Target::FlowRunLogs(id) => {
                let logs = self
                    .prefect
                    .flow_run_logs(LogQuery {
                        flow_run_id: id,
                        min_level: None,
                        limit: LOG_LINES,
                        offset: 0,
                        include_task_runs: true,
                    })
                    .await?;
                let mut text = String::new();
                if logs.older_lines_available {
                    text.push_str("(older lines exist: the get_flow_run_logs tool pages back)\n");
                }
                for line in &logs.logs {
                    text.push_str(&format!(
                        "{} {} {}\n",
                        line.timestamp.to_rfc3339(),
                        line.level,
                        line.message
                    ));
                }
                if logs.logs.is_empty() {
                    text.push_str("(no log lines)\n");
                }
                ResourceContents::text(text, uri)
            }
            Target::Deployment { flow, deployment } => {
                let view = resolve::deployment_named(
                    &self.prefect,
                    &format!("{flow}/{deployment}"),
                    &flow,
                    &deployment,
                    false,
                    &Asker::of(&context),
                )
                .await?;
                json_contents(uri, &view)?
            }
            Target::WorkPool(name) => {
                json_contents(uri, &self.prefect.work_pool_status(&name).await?)?
            }
        };
        Ok(ReadResourceResult::new(vec![contents]))
    }

    /// The newest failed or crashed runs and the late ones, as resources.
    pub(crate) async fn listed_runs(&self) -> Result<Vec<Resource>, ToolError> {
        let (failed, late) = self.prefect.failed_and_late_runs(LISTED_RUNS).await?;
        Ok(failed
            .flow_runs
            .iter()
            .chain(&late.flow_runs)
            .map(run_resource)
            .collect())
    }
}

fn run_resource(run: &FlowRunView) -> Resource {
    let name = run.name.clone().unwrap_or_else(|| run.id.to_string());
    let state = run.state.as_ref().map_or("no state".to_string(), |s| {
        s.name.clone().unwrap_or_else(|| s.type_.clone())
    });
    let resource = Resource::new(flow_run_uri(run.id), name.clone())
        .with_title(format!("{state} flow run {name}"))
        .with_mime_type(JSON);
    match run.state.as_ref().and_then(|s| s.message.as_deref()) {
        Some(message) => resource.with_description(crate::output::cap_text(message, 300)),
        None => resource,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_parse_into_targets() {
        let id = "2f9a6c1e-8d3b-4a8e-9c55-0d1e2f3a4b5c";
        let uuid = Uuid::parse_str(id).unwrap();
        assert_eq!(
            parse(&format!("prefect://flow-runs/{id}")).unwrap(),
            Target::FlowRun(uuid)
        );
        assert_eq!(
            parse(&format!("prefect://flow-runs/{id}/logs")).unwrap(),
            Target::FlowRunLogs(uuid)
        );
        assert_eq!(
            parse("prefect://deployments/mcp%20%C3%BCn%C3%AFcode%20flow/nightly").unwrap(),
            Target::Deployment {
                flow: "mcp ünïcode flow".into(),
                deployment: "nightly".into()
            }
        );
        assert_eq!(
            parse("prefect://work-pools/mcp-pool").unwrap(),
            Target::WorkPool("mcp-pool".into())
        );
    }

    #[test]
    fn bad_uris_name_the_valid_shapes() {
        for bad in [
            "prefect://flows/x",
            "http://x",
            "prefect://deployments/only-one",
            "prefect://work-pools/",
        ] {
            let err = parse(bad).unwrap_err().message();
            assert!(err.contains("prefect://flow-runs/{id}"), "{bad}: {err}");
        }
        let err = parse("prefect://flow-runs/seed-fail")
            .unwrap_err()
            .message();
        assert!(err.contains("not a flow run id"), "{err}");
    }

    #[test]
    fn names_round_trip_through_encoding() {
        use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
        let name = "mcp ünïcode flow";
        let encoded = utf8_percent_encode(name, NON_ALPHANUMERIC).to_string();
        assert_eq!(decode(&encoded).unwrap(), name);
    }
}
