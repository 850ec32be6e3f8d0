//! Every tool is declared once (`server/src/mcp/declarations.rs`, each tool module's
//! `DECLARED`): the offered tools are exactly the declared ones, toolset by toolset; the views
//! they name exist; and the skill's tool reference (`references/tools.md`, which the model
//! reads) is rendered from them (`UPDATE_SNAPSHOTS=1` rewrites it).

use std::collections::BTreeSet;

use prefect_mcp_server::mcp::apps::VIEWS;
use prefect_mcp_server::mcp::declarations::{Declaration, Effect, Waits};
use prefect_mcp_server::mcp::{McpServer, ServerOptions, Toolset};
use rmcp::ServerHandler;

use crate::harness::*;
use crate::snapshots::check_generated;

const FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/skill/prefect-operations/references/tools.md"
);
const BEGIN: &str = "<!-- tools:begin";
const END: &str = "<!-- tools:end -->";

fn rendered() -> String {
    let mut table = String::from("| toolset | tool | what it does to Prefect |\n|---|---|---|\n");
    for (set, declared) in McpServer::declared() {
        let mut does = match declared.effect {
            Effect::Reads => "reads".to_string(),
            Effect::Writes => "writes".to_string(),
            Effect::Destroys => match declared.asks_when {
                Some(when) => format!("removes or overwrites: asks the user first ({when})"),
                None => "removes or overwrites: asks the user first".to_string(),
            },
        };
        match declared.waits {
            Waits::Never => {}
            Waits::Always => does.push_str("; waits (may run as a task)"),
            Waits::WhenPositive(argument) => does.push_str(&format!(
                "; with `{argument}` > 0 waits (may run as a task)"
            )),
        }
        let offered = if set.is_default() {
            ""
        } else {
            " (off by default)"
        };
        table.push_str(&format!(
            "| {}{offered} | `{}` | {does} |\n",
            set.name(),
            declared.name
        ));
    }
    table
}

#[test]
fn skill_reference_lists_every_declared_tool() {
    check_generated(FILE, BEGIN, END, &rendered());
}

async fn offered_by(toolsets: Option<Vec<String>>) -> BTreeSet<String> {
    let h = Harness::with_options(ServerOptions {
        toolsets,
        ..ServerOptions::default()
    })
    .await;
    h.server
        .tools()
        .into_iter()
        .map(|t| t.name.into())
        .collect()
}

#[tokio::test]
async fn every_tool_is_declared_once_and_every_declaration_is_a_tool() {
    let mut declared = BTreeSet::new();
    for (_, declaration) in McpServer::declared() {
        let name = declaration.name.to_string();
        assert!(
            declared.insert(name),
            "{} is declared twice",
            declaration.name
        );
    }
    assert_eq!(offered_by(Some(vec!["all".into()])).await, declared);
}

/// Cursor and Windsurf cap the tools an agent sees at 40 across every server it uses.
const DEFAULT_TOOL_CAP: usize = 40;
/// What a model reads of the tool list (name, description, inputSchema as compact JSON):
/// the default offer, and every toolset.
const DEFAULT_VISIBLE_BYTES: usize = 14 * 1024;
const ALL_VISIBLE_BYTES: usize = 24 * 1024;

async fn model_visible_bytes(toolsets: Option<Vec<String>>) -> usize {
    let h = Harness::with_options(ServerOptions {
        toolsets,
        ..ServerOptions::default()
    })
    .await;
    let visible: Vec<serde_json::Value> = h
        .server
        .tools()
        .into_iter()
        .map(|t| {
            serde_json::json!({"name": t.name, "description": t.description,
                               "inputSchema": *t.input_schema})
        })
        .collect();
    serde_json::to_vec(&visible).unwrap().len()
}

#[tokio::test]
async fn the_tool_lists_a_model_reads_stay_within_their_budgets() {
    let default = model_visible_bytes(None).await;
    assert!(
        default <= DEFAULT_VISIBLE_BYTES,
        "the default offer is {default} bytes model-visible, over {DEFAULT_VISIBLE_BYTES}"
    );
    let all = model_visible_bytes(Some(vec!["all".into()])).await;
    assert!(
        all <= ALL_VISIBLE_BYTES,
        "every toolset is {all} bytes model-visible, over {ALL_VISIBLE_BYTES}"
    );
}

#[tokio::test]
async fn the_default_offer_is_the_default_toolsets_and_under_the_cap() {
    let defaults: Vec<Toolset> = Toolset::ALL
        .into_iter()
        .filter(|s| s.is_default())
        .collect();
    let declared: BTreeSet<String> = defaults
        .iter()
        .flat_map(|set| McpServer::toolset_declarations(*set))
        .map(|d| d.name.to_string())
        .collect();
    let offered = offered_by(None).await;
    assert_eq!(offered, declared);
    assert_eq!(offered_by(Some(vec!["default".into()])).await, declared);
    assert!(
        offered.len() <= DEFAULT_TOOL_CAP,
        "the default offer has {} tools, over the cap of {DEFAULT_TOOL_CAP}",
        offered.len()
    );
    // The documented contract and everyday work stay in it.
    for tool in [
        "get_flow_by_id",
        "search_flow_runs_by_state",
        "cancel_flow_run",
        "get_deployment_by_name",
        "create_flow_run_from_deployment",
        "diagnose_flow_run",
        "get_flow_run_logs",
        "get_dashboard",
        "wait_for_flow_run",
        "retry_flow_run",
        "pause_deployment",
    ] {
        assert!(offered.contains(tool), "{tool} is not offered by default");
    }
    // A set named beside `default` is added to it.
    let with_variables = offered_by(Some(vec!["default".into(), "variables".into()])).await;
    assert_eq!(with_variables.len(), declared.len() + 4);
    assert!(with_variables.contains("set_variable"));
}

#[tokio::test]
async fn the_instructions_name_the_toolsets_left_out() {
    let h = Harness::with_options(ServerOptions::default()).await;
    let instructions = h.server.get_info().instructions.unwrap_or_default();
    let left_out: Vec<&str> = Toolset::ALL
        .into_iter()
        .filter(|set| !set.is_default())
        .map(Toolset::name)
        .collect();
    assert!(!left_out.is_empty());
    let line = format!(
        "Not offered by this server: the toolsets {}.",
        left_out.join(", ")
    );
    assert!(instructions.contains(&line), "{instructions}");
    let everything = Harness::with_options(every_toolset()).await;
    let instructions = everything
        .server
        .get_info()
        .instructions
        .unwrap_or_default();
    assert!(!instructions.contains("Not offered"), "{instructions}");
}

const README: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");
const TOOLS_PAGE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/tools.md");
const TEAM_PAGE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/team-endpoint.md");
const TOOLSETS_BEGIN: &str = "<!-- toolsets:begin";
const TOOLSETS_END: &str = "<!-- toolsets:end -->";

fn rendered_toolsets() -> String {
    let mut table = String::from("| toolset | offered by default | tools |\n|---|---|---|\n");
    for set in Toolset::ALL {
        let names: Vec<&str> = McpServer::toolset_declarations(set)
            .map(|d| d.name)
            .collect();
        table.push_str(&format!(
            "| `{}` | {} | {} |\n",
            set.name(),
            if set.is_default() { "yes" } else { "no" },
            names.join(", ")
        ));
    }
    table
}

#[test]
fn readme_toolset_table_is_the_declared_one() {
    check_generated(README, TOOLSETS_BEGIN, TOOLSETS_END, &rendered_toolsets());
}

#[tokio::test]
async fn a_toolset_offers_exactly_its_declared_tools() {
    for set in Toolset::ALL {
        let declared: BTreeSet<String> = McpServer::toolset_declarations(set)
            .map(|d| d.name.to_string())
            .collect();
        let offered = offered_by(Some(vec![set.name().to_string()])).await;
        assert_eq!(offered, declared, "toolset {}", set.name());
    }
}

#[test]
fn every_view_a_tool_declares_exists_and_every_view_shows_a_tool() {
    let declared: Vec<&str> = McpServer::declared().filter_map(|(_, d)| d.view).collect();
    for name in &declared {
        assert!(VIEWS.iter().any(|v| v.name == *name), "no view {name}");
    }
    for view in &VIEWS {
        assert!(declared.contains(&view.name), "{} shows no tool", view.name);
    }
}

/// The rows of the table of metrics in docs/team-endpoint.md: (Prometheus name, OpenTelemetry name, type).
fn documented_metric_rows() -> BTreeSet<(String, String, String)> {
    let text = std::fs::read_to_string(TEAM_PAGE).unwrap();
    let start = text
        .find("<!-- metrics:begin")
        .expect("docs/team-endpoint.md: no metrics:begin marker");
    let stop = text
        .find("<!-- metrics:end -->")
        .expect("docs/team-endpoint.md: no metrics:end marker");
    text[start..stop]
        .lines()
        .filter(|line| line.starts_with("| `"))
        .map(|row| {
            let cells: Vec<String> = row
                .split('|')
                .map(|cell| cell.trim().trim_matches('`').to_string())
                .collect();
            (cells[1].clone(), cells[2].clone(), cells[3].clone())
        })
        .collect()
}

#[test]
fn the_metric_table_lists_exactly_the_declared_metrics() {
    let declared: BTreeSet<(String, String, String)> =
        prefect_mcp_server::telemetry::enable_metrics()
            .declared()
            .iter()
            .map(|m| (m.prometheus.clone(), m.name.to_string(), m.kind.to_string()))
            .collect();
    assert_eq!(documented_metric_rows(), declared);
}

const ASKING_BEGIN: &str = "<!-- asking:begin";
const ASKING_END: &str = "<!-- asking:end -->";

fn rendered_asking() -> String {
    let mut destroys: Vec<&Declaration> = McpServer::declared()
        .map(|(_, d)| d)
        .filter(|d| d.annotations().destructive_hint == Some(true))
        .collect();
    destroys.sort_by_key(|d| d.name);
    let named: Vec<String> = destroys
        .iter()
        .map(|d| match d.asks_when {
            Some(when) => format!("`{}` ({when})", d.name),
            None => format!("`{}`", d.name),
        })
        .collect();
    format!(
        "The tools that confirm first (`destructiveHint`): {}.\n",
        named.join(", ")
    )
}

#[test]
fn the_list_of_the_tools_that_ask_is_the_declared_one() {
    check_generated(TOOLS_PAGE, ASKING_BEGIN, ASKING_END, &rendered_asking());
}

/// The tool names the views' sources call: `call("name"` and the deployment view's
/// `act("Label", "name"`.
fn tools_called_by_views(dir: &std::path::Path, found: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            tools_called_by_views(&path, found);
            continue;
        }
        if path.extension().is_none_or(|e| e != "ts") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (at, _) in text.match_indices("call(\"") {
            let rest = &text[at + "call(\"".len()..];
            found.insert(rest[..rest.find('"').unwrap()].to_string());
        }
        for (at, _) in text.match_indices("act(\"") {
            let rest = &text[at + "act(\"".len()..];
            let after_label = &rest[rest.find('"').unwrap() + 1..];
            if let Some(name) = after_label.strip_prefix(", \"") {
                found.insert(name[..name.find('"').unwrap()].to_string());
            }
        }
    }
}

#[test]
fn the_tools_views_call_are_declared_and_exist() {
    let mut called = BTreeSet::new();
    tools_called_by_views(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/apps/src")),
        &mut called,
    );
    let declared: BTreeSet<String> = prefect_mcp_server::mcp::apps::VIEW_CALLS
        .iter()
        .map(|name| name.to_string())
        .collect();
    assert_eq!(called, declared, "VIEW_CALLS is not what the views call");
    for name in &declared {
        assert!(
            McpServer::declaration(name).is_some(),
            "the views call {name}, which no tool declares"
        );
    }
}
