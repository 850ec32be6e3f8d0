//! Every tool is declared once (`server/src/mcp/declarations.rs`, each tool module's
//! `DECLARED`): the offered tools are exactly the declared ones, toolset by toolset; the views
//! they name exist; and the skill's tool reference (`references/tools.md`, which the model
//! reads) is rendered from them (`UPDATE_SNAPSHOTS=1` rewrites it).

use std::collections::BTreeSet;

use prefect_mcp_server::mcp::apps::VIEWS;
use prefect_mcp_server::mcp::declarations::{Effect, Waits};
use prefect_mcp_server::mcp::{PrefectServer, ServerOptions, Toolset};

use crate::harness::*;

const FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/skill/prefect-operations/references/tools.md"
);
const BEGIN: &str = "<!-- tools:begin";
const END: &str = "<!-- tools:end -->";

fn rendered() -> String {
    let mut table = String::from("| toolset | tool | what it does to Prefect |\n|---|---|---|\n");
    for (set, declared) in PrefectServer::declared() {
        let mut does = match declared.effect {
            Effect::Reads => "reads".to_string(),
            Effect::Writes => "writes".to_string(),
            Effect::Destroys => "removes or overwrites: asks the user first".to_string(),
        };
        match declared.waits {
            Waits::Never => {}
            Waits::Always => does.push_str("; waits (may run as a task)"),
            Waits::WhenPositive(argument) => does.push_str(&format!(
                "; with `{argument}` > 0 waits (may run as a task)"
            )),
        }
        table.push_str(&format!(
            "| {} | `{}` | {does} |\n",
            set.name(),
            declared.name
        ));
    }
    table
}

#[test]
fn skill_reference_lists_every_declared_tool() {
    let text = std::fs::read_to_string(FILE).unwrap();
    let begin = text.find(BEGIN).expect("the tools:begin marker");
    let body_start = begin + text[begin..].find('\n').unwrap() + 1;
    let end = text.find(END).expect("the tools:end marker");
    let expected = rendered();
    if text[body_start..end] == expected {
        return;
    }
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() && std::env::var_os("CI").is_none() {
        let updated = format!("{}{expected}{}", &text[..body_start], &text[end..]);
        std::fs::write(FILE, updated).unwrap();
        return;
    }
    panic!(
        "{FILE} is stale: its tool table does not match the declarations. Regenerate it with \
         `UPDATE_SNAPSHOTS=1 cargo test -p prefect-mcp-server skill_reference` and commit it.\n\
         expected:\n{expected}"
    );
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
    for (_, declaration) in PrefectServer::declared() {
        let name = declaration.name.to_string();
        assert!(
            declared.insert(name),
            "{} is declared twice",
            declaration.name
        );
    }
    assert_eq!(offered_by(None).await, declared);
}

#[tokio::test]
async fn a_toolset_offers_exactly_its_declared_tools() {
    for set in Toolset::ALL {
        let declared: BTreeSet<String> = PrefectServer::toolset_declarations(set)
            .map(|d| d.name.to_string())
            .collect();
        let offered = offered_by(Some(vec![set.name().to_string()])).await;
        assert_eq!(offered, declared, "toolset {}", set.name());
    }
}

#[test]
fn every_view_a_tool_declares_exists_and_every_view_shows_a_tool() {
    let declared: Vec<&str> = PrefectServer::declared()
        .filter_map(|(_, d)| d.view)
        .collect();
    for name in &declared {
        assert!(VIEWS.iter().any(|v| v.name == *name), "no view {name}");
    }
    for view in &VIEWS {
        assert!(declared.contains(&view.name), "{} shows no tool", view.name);
    }
}
