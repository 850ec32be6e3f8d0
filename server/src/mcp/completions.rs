//! `completion/complete`: values for every prompt and resource template argument, from
//! Prefect: deployment names (`flow/deployment`), flow names, work pool names, recent runs'
//! names and ids, and state names (the exact names the server has seen on Prefect 3.9+, the
//! built-in ones before). Matching is a case-insensitive substring; the best matches (exact,
//! then prefix, then the rest) come first; at most 100 values.

use rmcp::model::{CompletionInfo, Reference};

use crate::errors::{ArgumentError, ToolError};
use crate::prefect::Prefect;

/// What an argument takes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Hours,
    StateName,
    Deployment,
    FlowRunNameOrId,
    FlowRunId,
    FlowWithDeployments,
    DeploymentOfFlow,
    WorkPool,
}

/// (prompt name or URI template, argument, what it takes).
const ARGUMENTS: [(&str, &str, Kind); 10] = [
    ("triage_failures", "hours", Kind::Hours),
    ("triage_failures", "state", Kind::StateName),
    ("why_late", "deployment", Kind::Deployment),
    ("deployment_health", "deployment", Kind::Deployment),
    ("explain_run", "flow_run", Kind::FlowRunNameOrId),
    ("prefect://flow-runs/{id}", "id", Kind::FlowRunId),
    ("prefect://flow-runs/{id}/logs", "id", Kind::FlowRunId),
    (
        "prefect://deployments/{flow}/{deployment}",
        "flow",
        Kind::FlowWithDeployments,
    ),
    (
        "prefect://deployments/{flow}/{deployment}",
        "deployment",
        Kind::DeploymentOfFlow,
    ),
    ("prefect://work-pools/{name}", "name", Kind::WorkPool),
];

const HOURS: [&str; 6] = ["1", "6", "12", "24", "72", "168"];

/// `candidates` that contain `typed` (case-insensitively): exact matches, then prefixes, then
/// matches at the start of a word (after `/`, `-`, `_`, `.` or a space: "he" finds
/// "mcp-hello/hello" before "mcp-scheduled/..."), then the rest, each in the candidates'
/// order; without duplicates; at most 100.
pub fn rank(candidates: impl IntoIterator<Item = String>, typed: &str) -> CompletionInfo {
    let needle = typed.trim().to_lowercase();
    let mut seen = std::collections::HashSet::new();
    let mut tiers: [Vec<String>; 4] = Default::default();
    for candidate in candidates {
        let lower = candidate.to_lowercase();
        let at_word_start = || {
            lower.match_indices(&needle).any(|(at, _)| {
                lower[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| matches!(c, '/' | '-' | '_' | '.' | ' '))
            })
        };
        let tier = if lower == needle {
            0
        } else if lower.starts_with(&needle) {
            1
        } else if !lower.contains(&needle) {
            continue;
        } else if at_word_start() {
            2
        } else {
            3
        };
        if seen.insert(candidate.clone()) {
            tiers[tier].push(candidate);
        }
    }
    let mut values: Vec<String> = tiers.into_iter().flatten().collect();
    let total = values.len();
    values.truncate(CompletionInfo::MAX_VALUES);
    let has_more = total > values.len();
    CompletionInfo::with_pagination(values, Some(total as u32), has_more)
        .expect("at most MAX_VALUES values")
}

fn reference_name(reference: &Reference) -> (&'static str, String) {
    match (reference.as_prompt_name(), reference.as_resource_uri()) {
        (Some(prompt), _) => ("prompt", prompt.to_string()),
        (None, Some(uri)) => ("resource template", uri.to_string()),
        (None, None) => ("reference", reference.reference_type().to_string()),
    }
}

/// Completions for `argument` of `reference`, which must be offered (`offered` says which
/// prompt names and URI templates are).
pub async fn complete(
    prefect: &Prefect,
    reference: &Reference,
    argument: &str,
    typed: &str,
    context_flow: Option<&str>,
    offered: impl Fn(&str) -> bool,
) -> Result<CompletionInfo, ToolError> {
    let (what, name) = reference_name(reference);
    let kind = ARGUMENTS
        .iter()
        .find(|(owner, arg, _)| *owner == name && *arg == argument && offered(owner))
        .map(|(_, _, kind)| *kind)
        .ok_or_else(|| {
            let valid: Vec<String> = ARGUMENTS
                .iter()
                .filter(|(owner, _, _)| offered(owner))
                .map(|(owner, arg, _)| format!("{owner} {arg}"))
                .collect();
            ToolError::from(ArgumentError::NotCompletable {
                what: format!("argument {argument:?} of {what} {name:?}"),
                valid,
            })
        })?;
    let candidates = match kind {
        Kind::Hours => HOURS.map(String::from).to_vec(),
        Kind::StateName => prefect.known_state_names().await?.0,
        Kind::Deployment => prefect.deployment_full_names().await?,
        Kind::FlowRunNameOrId => prefect.run_names_and_ids(typed, true).await?,
        Kind::FlowRunId => prefect.run_names_and_ids(typed, false).await?,
        Kind::FlowWithDeployments => {
            let mut flows: Vec<String> = prefect
                .deployment_full_names()
                .await?
                .into_iter()
                .filter_map(|full| full.split_once('/').map(|(flow, _)| flow.to_string()))
                .collect();
            flows.sort();
            flows
        }
        Kind::DeploymentOfFlow => prefect
            .deployment_full_names()
            .await?
            .into_iter()
            .filter_map(|full| {
                let (flow, deployment) = full.split_once('/')?;
                context_flow
                    .is_none_or(|wanted| wanted.trim() == flow)
                    .then(|| deployment.to_string())
            })
            .collect(),
        Kind::WorkPool => prefect.work_pool_names().await?,
    };
    Ok(rank(candidates, typed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(candidates: &[&str], typed: &str) -> Vec<String> {
        rank(candidates.iter().map(|c| c.to_string()), typed).values
    }

    #[test]
    fn exact_then_prefix_then_substring_case_insensitively() {
        let names = ["mcp-fail/fail", "etl/nightly", "Fail/x", "fail", "a/b"];
        assert_eq!(values(&names, "FAIL"), ["fail", "Fail/x", "mcp-fail/fail"]);
        assert_eq!(values(&names, ""), names);
    }

    #[test]
    fn word_starts_before_other_substrings() {
        let names = ["mcp-scheduled/hourly", "mcp-hello/hello", "etl/ahead"];
        assert_eq!(
            values(&names, "he"),
            ["mcp-hello/hello", "mcp-scheduled/hourly", "etl/ahead"]
        );
    }

    #[test]
    fn at_most_100_with_has_more() {
        let many: Vec<String> = (0..150).map(|i| format!("run-{i}")).collect();
        let info = rank(many, "run");
        assert_eq!(info.values.len(), 100);
        assert_eq!(info.total, Some(150));
        assert_eq!(info.has_more, Some(true));
        info.validate().unwrap();
    }

    #[test]
    fn every_prompt_argument_is_completable() {
        let all = crate::mcp::toolsets::ServerOptions {
            toolsets: Some(vec![crate::mcp::toolsets::ALL_TOOLSETS.into()]),
            ..Default::default()
        }
        .offered();
        for prompt in crate::mcp::McpServer::prompt_router(&all).list_all() {
            for argument in prompt.arguments.iter().flatten() {
                assert!(
                    ARGUMENTS
                        .iter()
                        .any(|(p, a, _)| *p == prompt.name && *a == argument.name),
                    "{} {}",
                    prompt.name,
                    argument.name
                );
            }
        }
        for template in crate::mcp::resources::TEMPLATES {
            let mut rest = template.uri_template;
            while let Some(start) = rest.find('{') {
                let end = rest[start..].find('}').unwrap() + start;
                let argument = &rest[start + 1..end];
                assert!(
                    ARGUMENTS
                        .iter()
                        .any(|(p, a, _)| *p == template.uri_template && *a == argument),
                    "{} {argument}",
                    template.uri_template
                );
                rest = &rest[end + 1..];
            }
        }
    }
}
