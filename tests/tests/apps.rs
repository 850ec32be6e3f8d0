//! MCP Apps (`io.modelcontextprotocol/ui`): the views in a real browser, and the tool list of
//! clients without the extension, unchanged byte for byte.
//!
//! The browser tier runs server/apps/harness/driver.mjs: Debian's Chromium (driven by
//! puppeteer-core) shows the test host page, built on the App SDK's own AppBridge, which renders
//! each view (read from the server as a `ui://` resource) in a sandboxed iframe with the real tool
//! result from this server on the real Prefect with the sample world. The driver reads the views'
//! DOM, clicks through them (drill-downs, the log level filter, Run now, pause), and writes
//! screenshots in both themes to target/apps-screenshots/ (with `UPDATE_SCREENSHOTS=1`, to
//! docs/screenshots/, which README shows). `cargo xtask test` installs what it needs.
//!
//! tier: once

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use integration_tests::{prefect_api_url, run_client_script, server_binary, workspace_root};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// The test host page (`cargo xtask test` builds it into target/apps-harness/).
fn host_page() -> PathBuf {
    let path = std::env::var_os("PREFECT_TEST_APPS_HOST")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/apps-harness/host.html"));
    assert!(
        path.exists()
            && workspace_root()
                .join("server/apps/node_modules/puppeteer-core")
                .exists(),
        "no MCP Apps test host at {} (or no server/apps/node_modules): run the suite with \
         `cargo xtask test`, which installs the browser tier",
        path.display()
    );
    path
}

fn chromium() -> PathBuf {
    let path = std::env::var_os("PREFECT_TEST_CHROMIUM")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.exists(),
        "no Chromium at {}: run the suite with `cargo xtask test`, which installs Debian's chromium",
        path.display()
    );
    path
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_str().map_or_else(|| v.to_string(), String::from))
        .collect()
}

fn any_contains(list: &Value, needle: &str) -> bool {
    strings(list).iter().any(|s| s.contains(needle))
}

#[test]
fn views_render_real_results_in_chromium_and_call_tools_through_the_host() {
    // README's screenshots are refreshed on request only, so that a test run leaves the
    // checked-in files alone.
    let screenshots = if std::env::var_os("UPDATE_SCREENSHOTS").is_some() {
        workspace_root().join("docs/screenshots")
    } else {
        workspace_root().join("target/apps-screenshots")
    };
    std::fs::create_dir_all(&screenshots).unwrap();
    let s = run_client_script(
        Command::new("node")
            .arg(workspace_root().join("server/apps/harness/driver.mjs"))
            .arg("--server")
            .arg(server_binary())
            .arg("--api-url")
            .arg(prefect_api_url())
            .arg("--host")
            .arg(host_page())
            .arg("--chromium")
            .arg(chromium())
            .arg("--screenshots")
            .arg(&screenshots)
            .env_remove("PREFECT_API_KEY")
            .env_remove("PREFECT_API_AUTH_STRING"),
    );

    // A client that declared the extension sees the five tools name their views, which the
    // server serves with the MCP App mime type and a CSP that allows no outside origin.
    let with_views = strings(&s["tools_with_views"]);
    for expected in [
        "get_dashboard -> ui://prefect/dashboard",
        "get_flow_run_by_id -> ui://prefect/flow-run",
        "diagnose_flow_run -> ui://prefect/flow-run",
        "get_deployment_by_id -> ui://prefect/deployment",
        "get_deployment_by_name -> ui://prefect/deployment",
    ] {
        assert!(with_views.iter().any(|t| t == expected), "{expected}: {s}");
    }
    assert_eq!(with_views.len(), 5, "{s}");
    for (uri, resource) in s["resources"].as_object().expect("resources read") {
        assert!(resource["bytes"].as_u64().unwrap() <= 1024 * 1024, "{uri}");
        assert_eq!(
            resource["meta"]["ui"]["csp"]["connectDomains"],
            json!([]),
            "{uri}"
        );
    }

    // The dashboard: the sample world's failure with its message, its late run, its broken
    // pools, both charts; a failure opens in place through get_flow_run_by_id.
    let d = &s["dashboard"];
    let failed_name = s["failed_run"]["name"].as_str().unwrap();
    assert!(any_contains(&d["failures"], failed_name), "{d}");
    assert!(
        any_contains(&d["failures"], "sample failure: the input file was missing"),
        "{d}"
    );
    assert!(any_contains(&d["late"], "seed-late"), "{d}");
    assert!(any_contains(&d["pools"], "mcp-paused-pool"), "{d}");
    let bars = strings(&d["state_bars"]);
    assert!(
        bars.contains(&"FAILED".into()) && bars.contains(&"COMPLETED".into()),
        "{d}"
    );
    assert!(d["history_bars"].as_u64().unwrap() > 0, "{d}");
    assert_eq!(d["opened_title"], d["opened_from"], "{d}");
    assert!(any_contains(&d["tool_calls"], "get_flow_run_by_id"), "{d}");

    // The flow run: its state, message, timeline, Gantt and logs; the level filter reloads the
    // tail with ERROR and worse only; the diagnosis shows its summary over the same run.
    let f = &s["flow_run"];
    assert_eq!(f["title"], failed_name, "{f}");
    assert_eq!(f["state"], "Failed", "{f}");
    assert!(
        f["message"]
            .as_str()
            .is_some_and(|m| m.contains("sample failure")),
        "{f}"
    );
    let timeline = strings(&f["timeline"]);
    assert!(
        timeline.contains(&"Running".into()) && timeline.last() == Some(&"Failed".into()),
        "{f}"
    );
    assert!(any_contains(&f["gantt"], "load_input"), "{f}");
    assert!(any_contains(&f["gantt_states"], "FAILED"), "{f}");
    assert!(!strings(&f["log_levels"]).is_empty(), "{f}");
    // The traceback's file paths are shortened: no machine's directories on the page (or in
    // the screenshots), where Prefect's venv and the sample flows sit below this checkout.
    let checkout = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let checkout = std::fs::canonicalize(checkout).unwrap();
    let logs = f["log_text"].as_str().unwrap_or_default();
    assert!(
        !logs.contains("site-packages") && !logs.contains(&*checkout.to_string_lossy()),
        "{f}"
    );
    let errors = strings(&f["error_log_levels"]);
    assert!(
        !errors.is_empty() && errors.iter().all(|l| l == "ERROR" || l == "CRITICAL"),
        "{f}"
    );
    assert!(
        f["diagnosis_summary"]
            .as_str()
            .is_some_and(|t| t.contains(failed_name)),
        "{f}"
    );

    // The deployment: the schedule and upcoming runs of the hourly one; Run now round-trips
    // through the host to the server and the new run shows in the strip once it finished.
    let dep = &s["deployment"];
    assert_eq!(dep["scheduled_title"], "mcp-scheduled/hourly", "{dep}");
    assert!(
        dep["schedule"]
            .as_str()
            .is_some_and(|t| t.contains("every 1 h")),
        "{dep}"
    );
    assert!(!strings(&dep["upcoming"]).is_empty(), "{dep}");
    assert_eq!(dep["title"], "mcp-hello/hello", "{dep}");
    let run_now = &dep["run_now"]["calls"][0];
    assert_eq!(run_now["name"], "create_flow_run_from_deployment", "{dep}");
    assert_eq!(run_now["isError"], false, "{dep}");
    let created = dep["created_run"].as_str().expect("created run name");
    assert!(
        dep["run_now"]["outcome"]
            .as_str()
            .is_some_and(|o| o.contains(created)),
        "{dep}"
    );
    assert_eq!(dep["created_run_state"], "COMPLETED", "{dep}");
    // Pause: through the write tool when the server offers it (then resumed), otherwise the
    // view says readably that the call could not run.
    let pause = &dep["pause"];
    if strings(&s["tools"]).contains(&"pause_deployment".into()) {
        let call = &pause["calls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "pause_deployment");
        assert_eq!(call.map(|c| &c["isError"]), Some(&json!(false)), "{dep}");
        assert_eq!(
            dep["resume"]["calls"]
                .as_array()
                .and_then(|calls| calls.iter().find(|c| c["name"] == "resume_deployment"))
                .map(|c| &c["isError"]),
            Some(&json!(false)),
            "{dep}"
        );
    } else {
        assert!(
            pause["outcome"]
                .as_str()
                .is_some_and(|o| o.starts_with("Pause:") && o.contains("tool not found")),
            "{dep}"
        );
    }

    // A run that has not finished is followed: it ends in Prefect and the view shows it without
    // a Refresh, woken by wait_for_flow_run (on Prefect's event stream), not by polling reads.
    let following = &s["following"];
    assert_eq!(following["first_state"], "SCHEDULED", "{following}");
    assert_eq!(following["final_state"], "CANCELLED", "{following}");
    let calls = strings(&following["tool_calls"]);
    assert!(calls.contains(&"wait_for_flow_run".into()), "{following}");
    assert!(
        calls.iter().filter(|c| *c == "get_flow_run_by_id").count() <= 1,
        "one read to draw the ended run: {following}"
    );

    // Every view follows the host's theme.
    for view in ["dashboard", "flow_run", "deployment"] {
        let theme = &s[view]["theme_background"];
        assert_ne!(theme["light"], theme["dark"], "{view}: {theme}");
    }

    // The 2026-07-28 era: capabilities in each request's _meta decide the same way.
    let era = &s["era_2026"];
    assert_eq!(strings(&era["with_extension"]).len(), 5, "{era}");
    assert_eq!(strings(&era["without_extension"]).len(), 0, "{era}");
    assert_eq!(
        era["tools_with_extension"], era["tools_without_extension"],
        "{era}"
    );
}

/// tools/list as raw JSON-RPC bytes from a fresh server, for a client with these capabilities.
async fn raw_tools_list(capabilities: Value) -> String {
    let mut child = tokio::process::Command::new(server_binary())
        .env("PREFECT_API_URL", prefect_api_url())
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("starting the server");
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": capabilities,
        "clientInfo": {"name": "raw", "version": "1"}}});
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    for message in [initialize, initialized, list] {
        stdin
            .write_all(format!("{message}\n").as_bytes())
            .await
            .unwrap();
    }
    let answer = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.contains("\"id\":2") {
                return line;
            }
        }
        panic!("the server closed stdout before answering tools/list");
    })
    .await
    .expect("tools/list answered within 30 s");
    drop(stdin);
    let _ = child.kill().await;
    answer
}

#[tokio::test]
async fn clients_without_the_extension_get_the_tool_list_byte_for_byte() {
    let plain = raw_tools_list(json!({})).await;
    let other_extension =
        raw_tools_list(json!({"extensions": {"io.modelcontextprotocol/tasks": {}}})).await;
    let wrong_mime = raw_tools_list(
        json!({"extensions": {"io.modelcontextprotocol/ui": {"mimeTypes": ["text/html"]}}}),
    )
    .await;
    let with_views = raw_tools_list(json!({"extensions": {
        "io.modelcontextprotocol/ui": {"mimeTypes": ["text/html;profile=mcp-app"]}}}))
    .await;

    assert_eq!(plain, other_extension);
    assert_eq!(plain, wrong_mime);
    assert!(!plain.contains("resourceUri") && !plain.contains("ui://"));

    // With the extension: the same list, plus the views' _meta on five tools.
    let mut viewed: Value = serde_json::from_str(&with_views).unwrap();
    let mut named = 0;
    for tool in viewed["result"]["tools"].as_array_mut().unwrap() {
        let Some(meta) = tool.get_mut("_meta").and_then(Value::as_object_mut) else {
            continue;
        };
        assert!(meta["ui"]["resourceUri"]
            .as_str()
            .unwrap()
            .starts_with("ui://prefect/"));
        meta.remove("ui");
        meta.remove("ui/resourceUri");
        named += 1;
        if meta.is_empty() {
            tool.as_object_mut().unwrap().remove("_meta");
        }
    }
    assert_eq!(named, 5);
    let plain: Value = serde_json::from_str(&plain).unwrap();
    assert_eq!(viewed, plain);
}
