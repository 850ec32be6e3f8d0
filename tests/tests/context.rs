//! Prompts, resources, completions and the skill through rmcp's client, against the sample
//! world: the skill's filter examples run against Prefect, state-name completion on this
//! Prefect release (observed names on 3.9+, Prefect's built-in ones before), and `--toolsets`
//! applied to prompts, templates, resources and completions.

use integration_tests::{call_ok, connect, connect_with, workspace_root, Launch};
use serde_json::Value;

const FILTERS: &str = "server/skill/prefect-operations/references/filters.md";

/// (tool, JSON) of every example in the skill's filter reference: the fenced blocks whose info
/// string names a tool (```` ```json filter_flow_runs ````).
fn filter_examples() -> Vec<(String, Value)> {
    let text = std::fs::read_to_string(workspace_root().join(FILTERS)).expect("filters.md");
    let mut examples = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(tool) = line.strip_prefix("```json ") else {
            continue;
        };
        let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        let json: Value = serde_json::from_str(&body.join("\n"))
            .unwrap_or_else(|e| panic!("example for {tool} is not JSON ({e}): {body:?}"));
        examples.push((tool.trim().to_string(), json));
    }
    examples
}

#[tokio::test]
async fn every_filter_example_in_the_skill_runs_against_prefect() {
    let examples = filter_examples();
    assert!(examples.len() >= 10, "{examples:?}");
    let session = connect().await.expect("connect");
    for (tool, filter) in examples {
        let result = call_ok(
            &session,
            &tool,
            serde_json::json!({ "filter_criteria": filter }),
        )
        .await;
        // The sample world has something for each example, so an empty answer means the
        // example does not do what the text says.
        assert!(
            result["count"].as_u64().unwrap_or(0) >= 1,
            "{tool} {filter} matched nothing: {result}"
        );
    }
    session.cancel().await.expect("close");
}

#[tokio::test]
async fn the_skill_is_listed_and_its_files_are_resources() {
    let session = connect().await.expect("connect");
    let skills = session.list_skills(None).await.expect("skills/list");
    assert_eq!(skills.skills.len(), 1);
    let skill = &skills.skills[0];
    assert_eq!(skill.name(), "prefect-operations");
    let got = session
        .get_skill(rmcp::model::GetSkillRequestParams::new(skill.uri.clone()))
        .await
        .expect("skills/get");
    assert_eq!(got.skill, *skill);
    let rmcp::model::SkillResources::Files(files) = &skill.resources else {
        panic!("files expected")
    };
    for file in files {
        let read = session
            .read_resource(rmcp::model::ReadResourceRequestParams::new(
                file.uri.clone(),
            ))
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", file.uri));
        let rmcp::model::ResourceContents::TextResourceContents { text, .. } = &read.contents[0]
        else {
            panic!("text expected")
        };
        file.verify(text.as_bytes()).expect("digest matches");
    }
    session.cancel().await.expect("close");
}

#[tokio::test]
async fn state_names_complete_from_the_server_or_prefects_built_in_ones() {
    let session = connect().await.expect("connect");
    let values = session
        .complete_prompt_simple("triage_failures", "state", "")
        .await
        .expect("complete");
    let version = std::env::var("PREFECT_TEST_VERSION").unwrap_or_else(|_| "3.8.8".into());
    let observed = version
        .split('.')
        .take(2)
        .map(|p| p.parse::<u32>().unwrap_or(0))
        .collect::<Vec<_>>()
        >= vec![3, 9];
    if observed {
        // Exactly the names seen: the sample world has failed and completed runs, and no run
        // was ever "AwaitingConcurrencySlot".
        assert!(values.contains(&"Failed".to_string()), "{values:?}");
        assert!(values.contains(&"Completed".to_string()), "{values:?}");
        assert!(
            !values.contains(&"AwaitingConcurrencySlot".to_string()),
            "{values:?}"
        );
    } else {
        assert_eq!(values.len(), 20, "{values:?}");
        assert!(values.contains(&"AwaitingConcurrencySlot".to_string()));
    }
    // "Failed" is both a built-in name and one the sample world has seen.
    let failed = session
        .complete_prompt_simple("triage_failures", "state", "FAIL")
        .await
        .expect("complete");
    assert_eq!(
        failed.first().map(String::as_str),
        Some("Failed"),
        "{failed:?}"
    );
    session.cancel().await.expect("close");
}

#[tokio::test]
async fn completions_rank_and_reject_what_is_not_completable() {
    let session = connect().await.expect("connect");
    let flows = session
        .complete_resource_simple("prefect://deployments/{flow}/{deployment}", "flow", "MCP-S")
        .await
        .expect("complete");
    assert_eq!(
        flows.first().map(String::as_str),
        Some("mcp-scheduled"),
        "{flows:?}"
    );
    let info = session
        .complete_resource_argument(
            "prefect://deployments/{flow}/{deployment}",
            "deployment",
            "",
            Some(rmcp::model::CompletionContext::with_arguments(
                [("flow".to_string(), "mcp-scheduled".to_string())].into(),
            )),
        )
        .await
        .expect("complete");
    let mut deployments = info.values.clone();
    deployments.sort();
    assert_eq!(deployments, ["hourly", "paused-schedule"]);
    let error = session
        .complete_prompt_simple("why_late", "nope", "x")
        .await
        .expect_err("unknown argument");
    assert!(error.to_string().contains("why_late deployment"), "{error}");
    session.cancel().await.expect("close");
}

#[tokio::test]
async fn toolsets_apply_to_prompts_resources_and_completions() {
    let session = connect_with(Launch::default().arg("--toolsets").arg("deployments"))
        .await
        .expect("connect");
    let prompts: Vec<String> = session
        .list_all_prompts()
        .await
        .expect("prompts")
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(prompts, ["deployment_health"]);
    let templates: Vec<String> = session
        .list_all_resource_templates()
        .await
        .expect("templates")
        .into_iter()
        .map(|t| t.uri_template)
        .collect();
    assert_eq!(templates, ["prefect://deployments/{flow}/{deployment}"]);
    // No flow_runs toolset: no runs in the list, only the skill's files.
    let resources = session.list_all_resources().await.expect("resources");
    assert!(resources.iter().all(|r| r.uri.starts_with("skill://")));
    let error = session
        .read_resource(rmcp::model::ReadResourceRequestParams::new(
            "prefect://work-pools/mcp-pool",
        ))
        .await
        .expect_err("work_pools is not offered");
    assert!(error.to_string().contains("work_pools"), "{error}");
    let error = session
        .complete_prompt_simple("why_late", "deployment", "he")
        .await
        .expect_err("why_late is not offered");
    assert!(error.to_string().contains("deployment_health"), "{error}");
    session.cancel().await.expect("close");
}

#[tokio::test]
async fn bad_prompt_arguments_and_uris_are_clear_errors() {
    let session = connect().await.expect("connect");
    let error = session
        .get_prompt(
            rmcp::model::GetPromptRequestParams::new("why_late").with_arguments(
                serde_json::json!({"deployment": "nightly"})
                    .as_object()
                    .cloned()
                    .unwrap(),
            ),
        )
        .await
        .expect_err("not flow/deployment");
    assert!(
        error.to_string().contains("flow_name/deployment_name"),
        "{error}"
    );
    let error = session
        .read_resource(rmcp::model::ReadResourceRequestParams::new(
            "prefect://flow-runs/00000000-0000-0000-0000-000000000000",
        ))
        .await
        .expect_err("no such run");
    assert!(error.to_string().contains("Not found"), "{error}");
    let error = session
        .read_resource(rmcp::model::ReadResourceRequestParams::new(
            "prefect://flows/x",
        ))
        .await
        .expect_err("no such template");
    assert!(
        error.to_string().contains("prefect://flow-runs/{id}"),
        "{error}"
    );
    session.cancel().await.expect("close");
}
