//! `cargo xtask spec diff OLD NEW`: what changed between two checked-in Prefect documents.
//!
//! Operations (by method and path, named as `generate` names them) and schemas that were added,
//! removed or changed, each change with a one-line account of what differs. Entries the server
//! depends on are marked `*`: operations whose generated client method is called somewhere in
//! `server/src`, and schemas those operations reach through `$ref`s. The marks come from the
//! code, so they stay true as the server grows.
//!
//! Modules: [`document`] (what a document holds), [`server_calls`] (what the server calls),
//! [`changes`] (one-line accounts of a change), [`render`] (the printed report).

mod changes;
mod document;
mod render;
mod server_calls;

use anyhow::{Context, Result};
use serde_json::Value;
use std::collections::BTreeMap;

use crate::spec;
use changes::{changed_keys, only_docs, schema_change};
use document::{operations, reachable_schemas, schemas};
use server_calls::{method_calls, server_sources};

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
