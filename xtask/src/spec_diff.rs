//! `cargo xtask spec diff OLD NEW`: what changed between two checked-in Prefect documents.
//!
//! Operations (by method and path, named as `generate` names them) and schemas that were added,
//! removed or changed, each change with a one-line account of what differs. Entries the server
//! depends on are marked `*`: operations whose generated client method is called somewhere in
//! `server/src`, and schemas those operations reach through `$ref`s. The marks come from the
//! code, so they stay true as the server grows.

use anyhow::{Context, Result};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use crate::{normalize, spec};

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// Keys whose change alters no request or response: reported, but as documentation.
const DOC_KEYS: [&str; 3] = ["description", "summary", "title"];

pub fn run(old: &str, new: &str) -> Result<()> {
    let old_doc = read(old)?;
    let new_doc = read(new)?;
    let sources = server_sources(&crate::workspace_root().join("server").join("src"))?;
    let diff = diff(&old_doc, &new_doc, &sources);
    print!("{}", diff.render(old, new));
    Ok(())
}

fn read(version: &str) -> Result<Value> {
    let path = spec::spec_path(version);
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "reading {} (the checked-in documents are openapi/prefect-<version>.json)",
            path.display()
        )
    })?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

/// The text of every `.rs` file under `dir`.
fn server_sources(dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(server_sources(&path)?);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(
                std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))?,
            );
        }
    }
    Ok(out)
}

/// Names called as methods (`.name(` or `.name::<`, whitespace allowed) in `sources`, comments
/// skipped. Intersected with the operation names, these are the operations the server calls.
pub fn method_calls(sources: &[String]) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for source in sources {
        let code: String = source
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        let bytes = code.as_bytes();
        let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] != b'.' {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            let start = j;
            while j < bytes.len() && ident(bytes[j]) {
                j += 1;
            }
            let name = &code[start..j];
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            if !name.is_empty() && (code[j..].starts_with('(') || code[j..].starts_with("::<")) {
                found.insert(name.to_string());
            }
            i = j.max(i + 1);
        }
    }
    found
}

/// One operation of a document: `(path, method)` -> (generated method name, operation object).
fn operations(doc: &Value) -> BTreeMap<(String, String), (String, Value)> {
    let mut named = doc.clone();
    normalize::clean_operation_ids(&mut named);
    let mut out = BTreeMap::new();
    for (path, item) in named
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for method in METHODS {
            let Some(named_op) = item.get(method) else {
                continue;
            };
            let name = named_op["operationId"].as_str().unwrap_or("?").to_string();
            // Compare the document's own operation, not the renamed one.
            let op = doc["paths"][path][method].clone();
            out.insert((path.clone(), method.to_string()), (name, op));
        }
    }
    out
}

fn schemas(doc: &Value) -> Map<String, Value> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// Every schema name a value refers to (`#/components/schemas/X`), followed transitively.
fn reachable_schemas(roots: &[&Value], all: &Map<String, Value>) -> BTreeSet<String> {
    fn refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(obj) => {
                if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
                    if let Some(name) = r.strip_prefix("#/components/schemas/") {
                        out.push(name.to_string());
                    }
                }
                obj.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut seen = BTreeSet::new();
    let mut queue = Vec::new();
    for root in roots {
        refs(root, &mut queue);
    }
    while let Some(name) = queue.pop() {
        if seen.insert(name.clone()) {
            if let Some(schema) = all.get(&name) {
                refs(schema, &mut queue);
            }
        }
    }
    seen
}

#[derive(Debug, Default, PartialEq)]
pub struct Entry {
    /// `GET /observed-states (read_observed_states)` or a schema name.
    pub label: String,
    /// Used by the server (an operation it calls, or a schema such an operation reaches).
    pub used: bool,
    /// What changed, for changed entries.
    pub detail: String,
    /// Only descriptions, summaries or titles changed.
    pub docs_only: bool,
}

#[derive(Debug, Default)]
pub struct Section {
    pub added: Vec<Entry>,
    pub removed: Vec<Entry>,
    pub changed: Vec<Entry>,
}

#[derive(Debug, Default)]
pub struct Diff {
    pub operations: Section,
    pub schemas: Section,
}

/// Compare two documents; `sources` is the server's code, for the `used` marks.
pub fn diff(old: &Value, new: &Value, sources: &[String]) -> Diff {
    let calls = method_calls(sources);
    let old_ops = operations(old);
    let new_ops = operations(new);
    let old_schemas = schemas(old);
    let new_schemas = schemas(new);

    // Operations the server calls, in either document, and the schemas they reach.
    let called = |ops: &BTreeMap<(String, String), (String, Value)>| -> Vec<Value> {
        ops.values()
            .filter(|(name, _)| calls.contains(name))
            .map(|(_, op)| op.clone())
            .collect()
    };
    let called_old = called(&old_ops);
    let called_new = called(&new_ops);
    let mut used_schemas = reachable_schemas(&called_old.iter().collect::<Vec<_>>(), &old_schemas);
    used_schemas.extend(reachable_schemas(
        &called_new.iter().collect::<Vec<_>>(),
        &new_schemas,
    ));

    let mut out = Diff::default();
    let op_label = |(path, method): &(String, String), name: &str| {
        format!("{} {path} ({name})", method.to_uppercase())
    };
    for (key, (name, op)) in &new_ops {
        let used = calls.contains(name);
        match old_ops.get(key) {
            None => out.operations.added.push(Entry {
                label: op_label(key, name),
                used,
                ..Entry::default()
            }),
            Some((old_name, old_op)) if old_op != op => {
                let mut detail = changed_keys(old_op, op);
                if old_name != name {
                    detail = format!("renamed from {old_name}; {detail}");
                }
                out.operations.changed.push(Entry {
                    label: op_label(key, name),
                    used: used || calls.contains(old_name),
                    docs_only: old_name == name && only_docs(old_op, op),
                    detail,
                });
            }
            Some(_) => {}
        }
    }
    for (key, (name, _)) in &old_ops {
        if !new_ops.contains_key(key) {
            out.operations.removed.push(Entry {
                label: op_label(key, name),
                used: calls.contains(name),
                ..Entry::default()
            });
        }
    }

    for (name, schema) in &new_schemas {
        let used = used_schemas.contains(name);
        match old_schemas.get(name) {
            None => out.schemas.added.push(Entry {
                label: name.clone(),
                used,
                ..Entry::default()
            }),
            Some(old_schema) if old_schema != schema => out.schemas.changed.push(Entry {
                label: name.clone(),
                used,
                docs_only: only_docs(old_schema, schema),
                detail: schema_change(old_schema, schema),
            }),
            Some(_) => {}
        }
    }
    for name in old_schemas.keys() {
        if !new_schemas.contains_key(name) {
            out.schemas.removed.push(Entry {
                label: name.clone(),
                used: used_schemas.contains(name),
                ..Entry::default()
            });
        }
    }
    out
}

/// `a` and `b` differ only in documentation keys, at any depth.
fn only_docs(a: &Value, b: &Value) -> bool {
    fn strip(v: &Value) -> Value {
        match v {
            Value::Object(obj) => Value::Object(
                obj.iter()
                    .filter(|(k, _)| !DOC_KEYS.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), strip(v)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(strip).collect()),
            other => other.clone(),
        }
    }
    strip(a) == strip(b)
}

/// The top-level keys whose values differ, e.g. `parameters, responses`; for parameters, which.
fn changed_keys(old: &Value, new: &Value) -> String {
    let keys: BTreeSet<&String> = old
        .as_object()
        .into_iter()
        .chain(new.as_object())
        .flat_map(|o| o.keys())
        .collect();
    keys.into_iter()
        .filter(|k| old.get(k.as_str()) != new.get(k.as_str()))
        .map(|k| {
            if k == "parameters" {
                let by_name = |v: &Value| -> BTreeMap<String, Value> {
                    v.get("parameters")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .map(|p| (p["name"].as_str().unwrap_or("?").to_string(), p.clone()))
                        .collect()
                };
                format!(
                    "parameters ({})",
                    member_change(&by_name(old), &by_name(new))
                )
            } else {
                k.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `+a -b ~c` over two maps of named members.
fn member_change<V: PartialEq>(old: &BTreeMap<String, V>, new: &BTreeMap<String, V>) -> String {
    let mut parts = Vec::new();
    for name in new.keys().filter(|k| !old.contains_key(*k)) {
        parts.push(format!("+{name}"));
    }
    for name in old.keys().filter(|k| !new.contains_key(*k)) {
        parts.push(format!("-{name}"));
    }
    for (name, value) in new {
        if old.get(name).is_some_and(|o| o != value) {
            parts.push(format!("~{name}"));
        }
    }
    parts.join(" ")
}

/// A schema's change: properties added/removed/changed, then other keys that differ (with the
/// values added to and removed from an `enum`).
fn schema_change(old: &Value, new: &Value) -> String {
    let props = |v: &Value| -> BTreeMap<String, Value> {
        v.get("properties")
            .and_then(Value::as_object)
            .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    };
    let mut parts = Vec::new();
    let (old_props, new_props) = (props(old), props(new));
    if old_props != new_props {
        parts.push(format!(
            "properties {}",
            member_change(&old_props, &new_props)
        ));
    }
    let keys: BTreeSet<&String> = old
        .as_object()
        .into_iter()
        .chain(new.as_object())
        .flat_map(|o| o.keys())
        .filter(|k| k.as_str() != "properties")
        .collect();
    for key in keys {
        if old.get(key.as_str()) == new.get(key.as_str()) {
            continue;
        }
        if key == "enum" {
            let values = |v: &Value| -> BTreeMap<String, ()> {
                v["enum"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|e| (e.as_str().map_or_else(|| e.to_string(), String::from), ()))
                    .collect()
            };
            parts.push(format!(
                "enum {}",
                member_change(&values(old), &values(new))
            ));
        } else {
            parts.push(key.clone());
        }
    }
    parts.join("; ")
}

impl Diff {
    pub fn render(&self, old: &str, new: &str) -> String {
        let count = |s: &Section| {
            let used = s
                .added
                .iter()
                .chain(&s.removed)
                .chain(&s.changed)
                .filter(|e| e.used)
                .count();
            format!(
                "{} added, {} removed, {} changed ({} used by the server)",
                s.added.len(),
                s.removed.len(),
                s.changed.len(),
                used
            )
        };
        let mut out = String::new();
        let _ = writeln!(out, "Prefect OpenAPI {old} -> {new}");
        let _ = writeln!(out, "  operations: {}", count(&self.operations));
        let _ = writeln!(out, "  schemas:    {}", count(&self.schemas));
        let _ = writeln!(
            out,
            "  (* = the server calls the operation, or the schema is part of one it calls)"
        );
        for (title, section) in [("Operations", &self.operations), ("Schemas", &self.schemas)] {
            for (what, entries) in [
                ("added", &section.added),
                ("removed", &section.removed),
                ("changed", &section.changed),
            ] {
                if entries.is_empty() {
                    continue;
                }
                let _ = writeln!(out, "\n{title} {what}:");
                // What matters first: used entries, then real changes, then documentation.
                let mut sorted: Vec<&Entry> = entries.iter().collect();
                sorted.sort_by_key(|e| (!e.used, e.docs_only));
                for e in sorted {
                    let mark = if e.used { "*" } else { " " };
                    let detail = match (e.detail.is_empty(), e.docs_only) {
                        (true, _) => String::new(),
                        (false, true) => format!("  [documentation only: {}]", e.detail),
                        (false, false) => format!("  [{}]", e.detail),
                    };
                    let _ = writeln!(out, "  {mark} {}{detail}", e.label);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(paths: Value, schemas: Value) -> Value {
        json!({"openapi": "3.1.0", "paths": paths, "components": {"schemas": schemas}})
    }

    fn old_doc() -> Value {
        doc(
            json!({
                "/flows/{id}": {"get": {
                    "operationId": "read_flow_flows__id__get",
                    "description": "Get a flow.",
                    "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Flow"}}}}}
                }},
                "/flows/": {"post": {"operationId": "create_flow_flows__post", "description": "Create."}},
                "/gone": {"delete": {"operationId": "drop_gone_gone_delete"}}
            }),
            json!({
                "Flow": {"properties": {"id": {"type": "string"}, "tags": {"$ref": "#/components/schemas/Tags"}}},
                "Tags": {"type": "array", "items": {"type": "string"}},
                "Sort": {"enum": ["A", "B"]},
                "Old": {"type": "object"}
            }),
        )
    }

    fn new_doc() -> Value {
        doc(
            json!({
                "/flows/{id}": {"get": {
                    "operationId": "read_flow_flows__id__get",
                    "description": "Get a flow.",
                    "parameters": [{"name": "detail", "in": "query"}],
                    "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Flow"}}}}}
                }},
                "/flows/": {"post": {"operationId": "create_flow_flows__post", "description": "Create a flow."}},
                "/observed-states": {"get": {"operationId": "read_observed_states_observed_states_get"}}
            }),
            json!({
                "Flow": {"properties": {"id": {"type": "string"}, "tags": {"$ref": "#/components/schemas/Tags"}}},
                "Tags": {"type": "array", "items": {"type": "integer"}},
                "Sort": {"enum": ["A", "C"]},
                "New": {"type": "object"}
            }),
        )
    }

    #[test]
    fn method_calls_are_found_across_lines_and_comments_are_skipped() {
        let src = "let x = self\n    .client\n    .read_flow(&id)\n    .value();\n\
                   // .drop_gone(\nfoo.create_flow::<T>(a);\n"
            .to_string();
        let calls = method_calls(&[src]);
        assert!(calls.contains("read_flow") && calls.contains("create_flow"));
        assert!(calls.contains("value"));
        assert!(!calls.contains("drop_gone") && !calls.contains("client"));
    }

    #[test]
    fn added_removed_and_changed_with_marks_from_the_code() {
        let sources = vec!["self.client.read_flow(&id).await".to_string()];
        let d = diff(&old_doc(), &new_doc(), &sources);

        assert_eq!(d.operations.added.len(), 1);
        assert_eq!(
            d.operations.added[0].label,
            "GET /observed-states (read_observed_states)"
        );
        assert!(!d.operations.added[0].used);
        assert_eq!(d.operations.removed[0].label, "DELETE /gone (drop_gone)");

        let read = d
            .operations
            .changed
            .iter()
            .find(|e| e.label.contains("read_flow"))
            .unwrap();
        assert!(read.used && !read.docs_only);
        assert_eq!(read.detail, "parameters (+detail)");
        let create = d
            .operations
            .changed
            .iter()
            .find(|e| e.label.contains("create_flow"))
            .unwrap();
        assert!(!create.used && create.docs_only);

        // Tags is reached from the called operation through Flow: used.
        let tags = d
            .schemas
            .changed
            .iter()
            .find(|e| e.label == "Tags")
            .unwrap();
        assert!(tags.used, "{tags:?}");
        let sort = d
            .schemas
            .changed
            .iter()
            .find(|e| e.label == "Sort")
            .unwrap();
        assert!(!sort.used);
        assert_eq!(sort.detail, "enum +C -B");
        assert_eq!(d.schemas.added[0].label, "New");
        assert_eq!(d.schemas.removed[0].label, "Old");
        // Flow itself did not change.
        assert!(d.schemas.changed.iter().all(|e| e.label != "Flow"));

        let text = d.render("1", "2");
        assert!(
            text.contains("operations: 1 added, 1 removed, 2 changed (1 used by the server)"),
            "{text}"
        );
        assert!(
            text.contains("  * GET /flows/{id} (read_flow)  [parameters (+detail)]"),
            "{text}"
        );
        assert!(text.contains("[documentation only: description]"), "{text}");
    }

    #[test]
    fn identical_documents_have_no_difference() {
        let d = diff(&old_doc(), &old_doc(), &[]);
        assert!(d.operations.added.is_empty() && d.operations.changed.is_empty());
        assert!(d.schemas.removed.is_empty() && d.schemas.changed.is_empty());
    }
}
