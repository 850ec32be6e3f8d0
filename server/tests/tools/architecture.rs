//! The shape of `server/src`: layers that only look down, and no import circles.
//!
//! A reference is a `crate::` or `super::` path in a file's code outside its `#[cfg(test)]`
//! part. The Prefect layer (`prefect/`), `output/` and `errors/` must not reference the MCP
//! layer (`mcp/`), and neither the Prefect layer nor its views (`output/`) know rmcp; among all files, the
//! references must form no circle. Only the Prefect layer builds the generated client's types:
//! `mcp/` and `transport/` never name `prefect_api`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each source file of server/src (by module path, e.g. `mcp::tools::flows`) and its code
/// outside tests.
fn sources() -> BTreeMap<Vec<String>, String> {
    sources_of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
}

/// [`sources`] of the crate whose `src` is `root`.
fn sources_of(root: &Path) -> BTreeMap<Vec<String>, String> {
    let root = root.to_path_buf();
    let mut files = Vec::new();
    collect(&root, &mut files);
    let mut modules = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(&root).unwrap().with_extension("");
        let mut path: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if path
            .last()
            .is_some_and(|last| last == "mod" || last == "lib")
        {
            path.pop();
        }
        if path == ["main"] {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        modules.insert(path, text);
    }
    // Modules declared under #[cfg(test)] (`#[cfg(test)] mod fuzz;`) are tests entirely.
    let test_only: Vec<Vec<String>> = modules
        .iter()
        .flat_map(|(path, text)| {
            let lines: Vec<&str> = text.lines().collect();
            lines
                .windows(2)
                .filter(|w| w[0].trim() == "#[cfg(test)]")
                .filter_map(|w| {
                    let name = w[1].trim().strip_prefix("mod ")?.strip_suffix(';')?;
                    let mut child = path.clone();
                    child.push(name.to_string());
                    Some(child)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    modules
        .into_iter()
        .filter(|(path, _)| !test_only.contains(path))
        .map(|(path, text)| (path, outside_tests(&text)))
        .collect()
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// The code before the file's `#[cfg(test)] mod ...` block, without comments.
fn outside_tests(text: &str) -> String {
    let mut code = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim() == "#[cfg(test)]"
            && lines
                .peek()
                .is_some_and(|next| next.trim_start().starts_with("mod ") && next.contains('{'))
        {
            break;
        }
        let line = line.split("//").next().unwrap_or_default();
        code.push_str(line);
        code.push('\n');
    }
    code
}

/// The module paths a `crate::`/`super::` reference starting at `rest` names; `{a, b::c}`
/// groups give several.
fn paths(rest: &str) -> Vec<Vec<String>> {
    let ident = |s: &str| -> (String, usize) {
        let end = s
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(s.len());
        (s[..end].to_string(), end)
    };
    if let Some(group) = rest.strip_prefix('{') {
        let mut depth = 1;
        let mut end = 0;
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                end = i;
                break;
            }
        }
        let inner = &group[..end];
        let mut items = Vec::new();
        let (mut depth, mut start) = (0, 0);
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    items.push(&inner[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        items.push(&inner[start..]);
        return items
            .into_iter()
            .map(str::trim)
            .filter(|item| !item.is_empty() && *item != "self")
            .flat_map(paths)
            .collect();
    }
    let (first, end) = ident(rest);
    if first.is_empty() {
        return Vec::new();
    }
    let after = &rest[end..];
    match after.strip_prefix("::") {
        Some(more) => {
            let mut found = paths(more);
            if found.is_empty() {
                found.push(Vec::new());
            }
            for path in &mut found {
                path.insert(0, first.clone());
            }
            found
        }
        None => vec![vec![first]],
    }
}

/// The files each file references, resolved to the longest module path that is a file.
fn references(
    modules: &BTreeMap<Vec<String>, String>,
) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let mut graph = BTreeMap::new();
    for (module, code) in modules {
        let mut targets = BTreeSet::new();
        for (anchor, base) in [("crate::", Vec::new()), ("super::", module.clone())] {
            for (at, _) in code.match_indices(anchor) {
                // `$crate::` in a macro is `crate::`; `xsuper::` is not a reference.
                let before = code[..at].chars().last();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let mut base = base.clone();
                let mut rest = &code[at + anchor.len()..];
                if anchor == "super::" {
                    // A file's module is its own path; `super` is its parent.
                    base.pop();
                    while let Some(more) = rest.strip_prefix("super::") {
                        base.pop();
                        rest = more;
                    }
                }
                for tail in paths(rest) {
                    let mut full = base.clone();
                    full.extend(tail);
                    while !full.is_empty() && !modules.contains_key(&full) {
                        full.pop();
                    }
                    if !full.is_empty() && &full != module {
                        targets.insert(full);
                    }
                }
            }
        }
        graph.insert(module.clone(), targets);
    }
    graph
}

fn layer(module: &[String]) -> &str {
    module.first().map_or("", String::as_str)
}

#[test]
fn the_prefect_layer_output_and_errors_never_reach_up_into_mcp() {
    let modules = sources();
    let graph = references(&modules);
    let mut wrong = Vec::new();
    for (module, targets) in &graph {
        if !["prefect", "output", "errors"].contains(&layer(module)) {
            continue;
        }
        for target in targets {
            if layer(target) == "mcp" {
                wrong.push(format!("{} -> {}", module.join("::"), target.join("::")));
            }
        }
    }
    for (module, code) in &modules {
        if ["prefect", "output"].contains(&layer(module)) && code.contains("rmcp") {
            wrong.push(format!("{} uses rmcp", module.join("::")));
        }
    }
    assert!(
        wrong.is_empty(),
        "references up into the MCP layer: {wrong:#?}"
    );
}

#[test]
fn the_mcp_layer_never_reaches_into_the_transport() {
    // Identity and scopes reach the MCP layer as `mcp::caller::Caller`, which the transport
    // produces; the transport calls down into the MCP layer, never the reverse.
    let wrong: Vec<String> = references(&sources())
        .into_iter()
        .filter(|(module, _)| layer(module) == "mcp")
        .flat_map(|(module, targets)| {
            targets
                .into_iter()
                .filter(|target| layer(target) == "transport")
                .map(move |target| format!("{} -> {}", module.join("::"), target.join("::")))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "references up into the transport: {wrong:#?}"
    );
}

/// Where the code (comments aside, tests included) of the files under `src/<layer>/` names
/// `prefect_api`, as `file:line`, and how many files there are.
fn mentions_of_the_generated_client(layer: &str) -> (Vec<String>, usize) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&src.join(layer), &mut files);
    let mut mentions = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (index, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if code.contains("prefect_api") {
                let name = file.strip_prefix(&src).unwrap().display();
                mentions.push(format!("{name}:{}", index + 1));
            }
        }
    }
    (mentions, files.len())
}

#[test]
fn only_the_prefect_layer_names_the_generated_client() {
    // The Prefect layer alone builds `prefect_api`'s filters, sorts and request bodies, behind
    // plain types of its own. What the layers above hold or read of the client (the client and
    // its builder, credentials, errors, a deployment as Prefect answers it) they name through
    // that layer (`crate::prefect::{Client, Auth, PrefectError}`, ...), so there is no exception.
    let mut wrong = Vec::new();
    for layer in ["mcp", "transport"] {
        let (mentions, files) = mentions_of_the_generated_client(layer);
        assert!(files > 0, "no files under src/{layer}/");
        wrong.extend(mentions);
    }
    assert!(
        wrong.is_empty(),
        "the generated client named outside the Prefect layer (go through `crate::prefect`): \
         {wrong:#?}"
    );
    // The check sees what it looks for: the Prefect layer does name it.
    assert!(!mentions_of_the_generated_client("prefect").0.is_empty());
}

#[test]
fn the_files_of_server_src_and_xtask_src_form_no_circle() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for root in ["server/src", "xtask/src"] {
        let graph = references(&sources_of(&workspace.join(root)));
        if let Some(circle) = circle(&graph) {
            panic!("import circle in {root}: {}", circle.join(" -> "));
        }
    }
}

/// A circle of references, if the graph has one.
fn circle(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Option<Vec<String>> {
    // Depth-first search; a back edge is a circle.
    fn visit(
        node: &Vec<String>,
        graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        stack: &mut Vec<Vec<String>>,
        done: &mut BTreeSet<Vec<String>>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut circle: Vec<String> = stack[at..].iter().map(|n| n.join("::")).collect();
            circle.push(node.join("::"));
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, graph, stack, done) {
                return Some(circle);
            }
        }
        stack.pop();
        done.insert(node.clone());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn references_are_found_in_groups_and_through_super() {
    assert_eq!(
        paths("{a::b, c::{d, e}, self};"),
        [vec!["a", "b"], vec!["c", "d"], vec!["c", "e"]]
            .map(|p| p.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    );
    let modules = sources();
    let graph = references(&modules);
    let flows = graph
        .get(&vec!["mcp".to_string(), "tools".into(), "flows".into()])
        .unwrap();
    assert!(flows.contains(&vec!["mcp".to_string(), "tools".into(), "args".into()]));
    assert!(flows.contains(&vec!["prefect".to_string(), "flows".into()]));
}

/// The architecture page's module map: the text of its first code block.
fn documented_architecture() -> String {
    let page = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/architecture.md"),
    )
    .unwrap();
    let block = &page[page
        .find("```\n")
        .expect("docs/architecture.md: no module map")
        + 4..];
    block[..block.find("```").unwrap()].to_string()
}

/// The entries of a folder as the architecture page names them: `name.rs`, or `name/` for a folder.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if e.path().is_dir() {
                format!("{name}/")
            } else {
                name
            }
        })
        .filter(|name| name != "mod.rs" && name != "lib.rs")
        .collect();
    names.sort();
    names
}

#[test]
fn the_architecture_page_names_every_module_of_server_src_and_mcp() {
    let block = documented_architecture();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut missing = Vec::new();
    for name in entries(&src) {
        if !block.contains(&format!("src/{name}")) {
            missing.push(format!("src/{name}"));
        }
    }
    for name in entries(&src.join("mcp")) {
        let named = block.lines().any(|line| {
            line.split(|c: char| c.is_whitespace() || c == ',' || c == '(')
                .any(|word| word == name || word.starts_with(&format!("{name}<")))
        });
        if !named {
            missing.push(format!("src/mcp/{name}"));
        }
    }
    assert!(
        missing.is_empty(),
        "docs/architecture.md does not name {missing:?}: add a line for each"
    );
}
