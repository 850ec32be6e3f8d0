//! MCP Apps (extension `io.modelcontextprotocol/ui`): interactive views of the dashboard, a flow
//! run and a deployment that a host renders inline next to the tool's answer.
//!
//! The views are built from server/apps/ (`cargo xtask apps`) into one self-contained HTML file
//! each, checked in and compiled into the binary, so that the server ships alone and `cargo
//! build` needs no Node. They are served as `ui://prefect/<view>` resources. A tool names its
//! view in `_meta.ui.resourceUri` only for a client that declared the extension with the MCP
//! App mime type; every other client gets the tool list it always got, byte for byte. The tool
//! results themselves never change: a view adds to what the model reads, it replaces nothing.

use rmcp::model::{
    CacheScope, ClientCapabilities, ListToolsResult, MetaObject, ProtocolVersion,
    ReadResourceResult, Resource, ResourceContents, ResultType, Tool,
};
use rmcp::service::RequestContext;
use rmcp::RoleServer;
use serde_json::{json, Map, Value};

/// The extension's identifier in `capabilities.extensions`.
pub const EXTENSION: &str = "io.modelcontextprotocol/ui";
/// The mime type of an MCP App's HTML.
pub const MIME_TYPE: &str = "text/html;profile=mcp-app";
/// Where older hosts look for the view (the App SDK's server helper still writes it too).
const LEGACY_URI_KEY: &str = "ui/resourceUri";

/// Every view in one page (server/apps/dist/app.html): one copy of the App SDK and the shared
/// code. Each view's resource is this page with its name in `data-view` ([`View::page`]).
const APP_HTML: &str = include_str!("../../apps/dist/app.html");
/// What names the view in [`APP_HTML`], empty as built.
const VIEW_MARK: &str = "<html lang=\"en\" data-view=\"\">";

/// Every tool the views call through the host (`ctx.call`, and the deployment view's buttons),
/// sorted: where one is not offered (`--toolsets`, `--read-only`) the part of the view that needs
/// it says so in words. Tests hold this to the views' sources and to the declared tools, so a
/// renamed tool breaks a test rather than a view.
pub const VIEW_CALLS: [&str; 12] = [
    "create_flow_run_from_deployment",
    "diagnose_flow_run",
    "filter_flow_runs",
    "get_dashboard",
    "get_deployment_by_id",
    "get_flow_run_by_id",
    "get_flow_run_logs",
    "list_task_runs",
    "pause_deployment",
    "read_events",
    "resume_deployment",
    "wait_for_flow_run",
];

/// One view: its resource. The tools whose results it shows name it in their declarations
/// ([`super::declarations::Declaration::view`]).
pub struct View {
    pub uri: &'static str,
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
}

impl View {
    /// The page served as this view's resource.
    pub fn page(&self) -> String {
        APP_HTML.replacen(
            VIEW_MARK,
            &format!("<html lang=\"en\" data-view=\"{}\">", self.name),
            1,
        )
    }

    /// The size of [`Self::page`], without building it.
    fn page_len(&self) -> usize {
        APP_HTML.len() + self.name.len()
    }
}

pub const VIEWS: [View; 3] = [
    View {
        uri: "ui://prefect/dashboard",
        name: "dashboard",
        title: "Prefect dashboard",
        description: "Flow runs per state and over time, late runs, the newest failures with \
                      their messages, and work pools that cannot run; a run opens in place.",
    },
    View {
        uri: "ui://prefect/flow-run",
        name: "flow-run",
        title: "Prefect flow run",
        description: "A flow run's state timeline, its task runs as a Gantt chart, the failure \
                      message and the log tail with a level filter.",
    },
    View {
        uri: "ui://prefect/deployment",
        name: "deployment",
        title: "Prefect deployment",
        description: "A deployment's recent outcomes, upcoming runs and schedule, with buttons \
                      to run it now and to pause or resume it.",
    },
];

/// Whether the client renders MCP Apps: it declared the extension with our mime type.
pub fn client_renders(capabilities: Option<&ClientCapabilities>) -> bool {
    capabilities
        .and_then(|c| c.extensions.as_ref())
        .and_then(|extensions| extensions.get(EXTENSION))
        .and_then(|settings| settings.get("mimeTypes"))
        .and_then(Value::as_array)
        .is_some_and(|types| types.iter().any(|t| t == MIME_TYPE))
}

/// The name of the view a tool declares (`Declaration::view`), by tool name.
pub type ViewOf = fn(&str) -> Option<&'static str>;

/// Name each tool's view in its `_meta` (for a client that renders them).
pub fn attach_views(tools: &mut [Tool], view_of: ViewOf) {
    for tool in tools {
        let Some(view) = view_of(&tool.name).and_then(|name| VIEWS.iter().find(|v| v.name == name))
        else {
            continue;
        };
        let meta = tool.meta.get_or_insert_with(|| MetaObject(Map::new()));
        meta.0
            .insert("ui".into(), json!({ "resourceUri": view.uri }));
        meta.0.insert(LEGACY_URI_KEY.into(), json!(view.uri));
    }
}

/// The `tools/list` answer: for a client without the extension, exactly what rmcp's generated
/// handler gives; for one with it, the same tools with their views named.
/// `per_caller`: the list already depends on who asks (OAuth scopes), so it is private too.
pub fn tool_list(
    mut tools: Vec<Tool>,
    context: &RequestContext<RoleServer>,
    per_caller: bool,
    view_of: ViewOf,
) -> ListToolsResult {
    let supports_cache_hints = context
        .protocol_version()
        .is_some_and(|version| version >= ProtocolVersion::V_2026_07_28);
    let views = client_renders(context.client_capabilities().as_ref());
    if views {
        attach_views(&mut tools, view_of);
    }
    ListToolsResult {
        result_type: Some(ResultType::COMPLETE),
        tools,
        meta: None,
        next_cursor: None,
        ttl_ms: supports_cache_hints.then_some(0),
        // Once views are named, the list depends on the request's capabilities.
        cache_scope: supports_cache_hints.then_some(if views || per_caller {
            CacheScope::Private
        } else {
            CacheScope::Public
        }),
    }
}

/// The resource's `_meta.ui`: the views fetch nothing (no CSP domains to allow: every call goes
/// through the host) and look best with the host's border around them.
fn resource_meta() -> MetaObject {
    let mut meta = Map::new();
    meta.insert(
        "ui".into(),
        json!({
            "csp": { "connectDomains": [], "resourceDomains": [] },
            "prefersBorder": true,
        }),
    );
    MetaObject(meta)
}

/// The views as resources, for `resources/list` (to clients that render them).
pub fn resources() -> Vec<Resource> {
    VIEWS
        .iter()
        .map(|view| {
            Resource::new(view.uri, view.name)
                .with_title(view.title)
                .with_description(view.description)
                .with_mime_type(MIME_TYPE)
                .with_size(view.page_len() as u64)
                .with_meta(resource_meta())
        })
        .collect()
}

/// `resources/read` of a `ui://prefect/...` URI; `None` for any other URI.
pub fn read(uri: &str) -> Option<ReadResourceResult> {
    let view = VIEWS.iter().find(|v| v.uri == uri)?;
    Some(ReadResourceResult::new(vec![
        ResourceContents::TextResourceContents {
            uri: view.uri.into(),
            mime_type: Some(MIME_TYPE.into()),
            text: view.page(),
            meta: Some(resource_meta()),
        },
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capabilities(settings: Value) -> ClientCapabilities {
        serde_json::from_value(json!({ "extensions": { EXTENSION: settings } })).unwrap()
    }

    #[test]
    fn only_clients_declaring_the_app_mime_type_get_views() {
        assert!(client_renders(Some(&capabilities(
            json!({"mimeTypes": [MIME_TYPE]})
        ))));
        assert!(!client_renders(Some(&capabilities(
            json!({"mimeTypes": ["text/html"]})
        ))));
        assert!(!client_renders(Some(&capabilities(json!({})))));
        assert!(!client_renders(Some(&ClientCapabilities::default())));
        assert!(!client_renders(None));
    }

    #[test]
    fn views_are_self_contained_and_within_a_mebibyte() {
        assert_eq!(
            APP_HTML.matches(VIEW_MARK).count(),
            1,
            "the page names no view once"
        );
        // One copy of the App SDK for all views: the three pages they were weighed 1.84 MB.
        assert!(APP_HTML.len() <= 700 * 1024, "{} bytes", APP_HTML.len());
        for view in &VIEWS {
            let page = view.page();
            assert_eq!(page.len(), view.page_len(), "{}", view.name);
            assert!(page.len() <= 1024 * 1024, "{} is too big", view.name);
            assert!(page.starts_with("<!doctype html>"), "{}", view.name);
            assert!(
                page.contains(&format!("data-view=\"{}\"", view.name)),
                "{}",
                view.name
            );
            // Nothing fetched: no external script, stylesheet or image.
            for external in ["src=\"http", "href=\"http", "src='http", "@import"] {
                assert!(!page.contains(external), "{} has {external}", view.name);
            }
        }
    }

    #[test]
    fn each_viewed_tool_names_its_resource_and_others_stay_bare() {
        let tool =
            |name: &'static str| Tool::new(name, "", std::sync::Arc::new(serde_json::Map::new()));
        let mut tools = vec![tool("get_dashboard"), tool("list_flows")];
        attach_views(&mut tools, |name| {
            (name == "get_dashboard").then_some("dashboard")
        });
        let meta = tools[0].meta.as_ref().unwrap();
        assert_eq!(meta.0["ui"]["resourceUri"], "ui://prefect/dashboard");
        assert_eq!(meta.0[LEGACY_URI_KEY], "ui://prefect/dashboard");
        assert!(tools[1].meta.is_none());
        for view in &VIEWS {
            let read = read(view.uri).unwrap();
            let json = serde_json::to_value(&read.contents[0]).unwrap();
            assert_eq!(json["mimeType"], MIME_TYPE);
            assert_eq!(json["_meta"]["ui"]["prefersBorder"], true);
        }
        assert!(read("ui://prefect/nothing").is_none());
    }
}
