//! JSON Schema rendered as TypeScript types, for the views' types of the tools' results
//! (`view_types.rs`). It covers what schemars derives: objects with required and optional
//! properties, arrays and tuples, scalars, nullable type lists, enums and consts, `$ref` into
//! `$defs`/`definitions` as named types, anyOf/oneOf as unions, allOf as intersections and
//! `additionalProperties` as index signatures. Anything else is `unknown`, which `tsc` makes a
//! view narrow before it uses it, so a schema this does not understand can only make the types
//! looser, never wrong.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

const INDENT: &str = "  ";

/// Exported types, rendered from schemas; the `$defs` they share are rendered once each.
#[derive(Default)]
pub struct TypeScript {
    /// Each `export type` in the order added: its name, its doc comment and its type.
    exports: Vec<(String, Option<String>, String)>,
    /// The named types from `$defs`, by name: the schema they came from, their doc comment and
    /// their type.
    named: BTreeMap<String, (Value, Option<String>, String)>,
}

/// Where a schema's local `$ref`s point: its definitions' names as exported.
struct Names(BTreeMap<String, String>);

impl Names {
    fn of_ref(&self, reference: &str) -> Option<&str> {
        let name = reference
            .strip_prefix("#/$defs/")
            .or_else(|| reference.strip_prefix("#/definitions/"))?;
        self.0.get(name).map(String::as_str)
    }
}

impl TypeScript {
    /// Export `name` as the type `schema` describes, its definitions as types of their own.
    pub fn add(&mut self, name: &str, doc: Option<&str>, schema: &Value) {
        let names = self.name_definitions(name, schema);
        for (local, exported) in &names.0 {
            if self.named.contains_key(exported) {
                continue;
            }
            let definition = &definitions(schema)[local];
            let doc = description(definition).map(str::to_string);
            let type_ = render(definition, &names, 0);
            self.named
                .insert(exported.clone(), (definition.clone(), doc, type_));
        }
        let type_ = render(schema, &names, 0);
        // A result whose object type is one of the named types (or another result's) is its
        // alias, so that the views can pass it on wherever that type is taken.
        let alias = self
            .named
            .iter()
            .map(|(name, (_, _, named))| (name, named))
            .chain(self.exports.iter().map(|(name, _, export)| (name, export)))
            .find(|(_, existing)| type_.starts_with('{') && **existing == type_)
            .map(|(name, _)| name.clone());
        self.push(name, doc, alias.as_deref().unwrap_or(&type_));
    }

    /// Export `name` as a type written by the caller (a union or a map of the others).
    pub fn push(&mut self, name: &str, doc: Option<&str>, type_: &str) {
        self.exports
            .push((name.to_string(), doc.map(str::to_string), type_.to_string()));
    }

    /// Every export, then the named types, each after a blank line.
    pub fn render(&self) -> String {
        let exports = self
            .exports
            .iter()
            .map(|(name, doc, type_)| export(name, doc.as_deref(), type_));
        let named = self
            .named
            .iter()
            .map(|(name, (_, doc, type_))| export(name, doc.as_deref(), type_));
        exports.chain(named).collect::<Vec<_>>().join("\n")
    }

    /// The exported name of each of `schema`'s definitions: its own, unless another schema
    /// already defined a different type by that name (then prefixed with `owner`).
    fn name_definitions(&self, owner: &str, schema: &Value) -> Names {
        let mut names = BTreeMap::new();
        for (local, definition) in definitions(schema) {
            let own = identifier(local);
            let exported = match self.named.get(&own) {
                Some((existing, _, _)) if existing != definition => format!("{owner}{own}"),
                _ => own,
            };
            names.insert(local.clone(), exported);
        }
        Names(names)
    }
}

fn definitions(schema: &Value) -> &Map<String, Value> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    ["$defs", "definitions"]
        .iter()
        .find_map(|key| schema.get(key)?.as_object())
        .unwrap_or_else(|| EMPTY.get_or_init(Map::new))
}

fn description(schema: &Value) -> Option<&str> {
    schema.get("description")?.as_str()
}

fn export(name: &str, doc: Option<&str>, type_: &str) -> String {
    format!("{}export type {name} = {type_};\n", doc_comment(doc, ""))
}

/// A JSDoc comment of `doc` at `indent`, or nothing; `*/` in the text cannot end it.
fn doc_comment(doc: Option<&str>, indent: &str) -> String {
    let Some(doc) = doc.map(str::trim).filter(|d| !d.is_empty()) else {
        return String::new();
    };
    let doc = doc.replace("*/", "*\\/");
    if !doc.contains('\n') {
        return format!("{indent}/** {doc} */\n");
    }
    let mut out = format!("{indent}/**\n");
    for line in doc.lines() {
        out.push_str(&format!(
            "{indent} *{}{line}\n",
            if line.is_empty() { "" } else { " " }
        ));
    }
    out.push_str(&format!("{indent} */\n"));
    out
}

/// A name usable as a TypeScript identifier.
fn identifier(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The type a schema describes, its nested objects indented `depth` levels.
fn render(schema: &Value, names: &Names, depth: usize) -> String {
    let Value::Object(keywords) = schema else {
        // The boolean schemas: `true` allows anything, `false` nothing.
        return if schema == &Value::Bool(false) {
            "never"
        } else {
            "unknown"
        }
        .to_string();
    };
    if let Some(reference) = keywords.get("$ref").and_then(Value::as_str) {
        return names.of_ref(reference).unwrap_or("unknown").to_string();
    }
    if let Some(value) = keywords.get("const") {
        return literal(value);
    }
    if let Some(Value::Array(values)) = keywords.get("enum") {
        return union(values.iter().map(literal));
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(alternatives)) = keywords.get(key) {
            return union(alternatives.iter().map(|a| render(a, names, depth)));
        }
    }
    if let Some(Value::Array(parts)) = keywords.get("allOf") {
        let parts: Vec<String> = parts
            .iter()
            .map(|p| grouped(render(p, names, depth)))
            .collect();
        return parts.join(" & ");
    }
    match keywords.get("type") {
        Some(Value::String(type_)) => of_type(type_, keywords, names, depth),
        Some(Value::Array(types)) => union(types.iter().map(|t| {
            t.as_str()
                .map_or("unknown".into(), |t| of_type(t, keywords, names, depth))
        })),
        _ if keywords.contains_key("properties") => of_type("object", keywords, names, depth),
        _ => "unknown".to_string(),
    }
}

fn of_type(type_: &str, keywords: &Map<String, Value>, names: &Names, depth: usize) -> String {
    match type_ {
        "string" | "number" | "boolean" | "null" => type_.to_string(),
        "integer" => "number".to_string(),
        "array" => array(keywords, names, depth),
        "object" => object(keywords, names, depth),
        _ => "unknown".to_string(),
    }
}

fn array(keywords: &Map<String, Value>, names: &Names, depth: usize) -> String {
    if let Some(Value::Array(tuple)) = keywords.get("prefixItems") {
        let items: Vec<String> = tuple.iter().map(|i| render(i, names, depth)).collect();
        return format!("[{}]", items.join(", "));
    }
    let item = keywords
        .get("items")
        .map_or("unknown".to_string(), |items| render(items, names, depth));
    format!("{}[]", grouped(item))
}

fn object(keywords: &Map<String, Value>, names: &Names, depth: usize) -> String {
    let properties = keywords.get("properties").and_then(Value::as_object);
    let has_properties = properties.is_some_and(|p| !p.is_empty());
    let required: Vec<&str> = keywords
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    // Absent, additional properties are allowed but say nothing a view can read; only a
    // free-form object (no properties) is a map.
    let others = match keywords.get("additionalProperties") {
        None if has_properties => None,
        None | Some(Value::Bool(true)) => Some("unknown".to_string()),
        Some(Value::Bool(false)) => None,
        Some(schema) => Some(render(schema, names, depth + 1)),
    };
    let Some(properties) = properties.filter(|_| has_properties) else {
        return match others {
            Some(value) => format!("{{ [key: string]: {value} }}"),
            None => "Record<string, never>".to_string(),
        };
    };
    let inner = INDENT.repeat(depth + 1);
    let mut out = String::from("{\n");
    for (name, property) in properties {
        let optional = if required.contains(&name.as_str()) {
            ""
        } else {
            "?"
        };
        out.push_str(&doc_comment(description(property), &inner));
        out.push_str(&format!(
            "{inner}{}{optional}: {};\n",
            property_key(name),
            render(property, names, depth + 1)
        ));
    }
    // An index signature must admit every property's type; any other one goes beside them.
    let mut others_apart = None;
    match others {
        Some(value) if value == "unknown" => {
            out.push_str(&format!("{inner}[key: string]: unknown;\n"))
        }
        Some(value) => others_apart = Some(value),
        None => {}
    }
    out.push_str(&format!("{}}}", INDENT.repeat(depth)));
    match others_apart {
        Some(value) => format!("{out} & {{ [key: string]: {value} }}"),
        None => out,
    }
}

fn property_key(name: &str) -> String {
    let mut chars = name.chars();
    let plain = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if plain {
        name.to_string()
    } else {
        literal(&Value::String(name.to_string()))
    }
}

/// A JSON value as a TypeScript literal type (a JSON string is a valid TypeScript string).
fn literal(value: &Value) -> String {
    match value {
        Value::Array(_) | Value::Object(_) => "unknown".to_string(),
        scalar => scalar.to_string(),
    }
}

/// The union of `types`, each once; one that admits anything makes the union `unknown`.
fn union(types: impl Iterator<Item = String>) -> String {
    let mut members: Vec<String> = Vec::new();
    for member in types {
        if member == "unknown" {
            return member;
        }
        if !members.contains(&member) {
            members.push(member);
        }
    }
    match members.len() {
        0 => "never".to_string(),
        _ => members.join(" | "),
    }
}

/// A type as an operand of `[]` or `&`: unions and intersections in parentheses.
fn grouped(type_: String) -> String {
    if type_.contains(" | ") || type_.contains(" & ") {
        format!("({type_})")
    } else {
        type_
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rendered(schema: Value) -> String {
        let mut ts = TypeScript::default();
        ts.add("Out", None, &schema);
        ts.render()
    }

    #[test]
    fn objects_arrays_nullables_enums_and_refs() {
        let schema = json!({
            "type": "object",
            "properties": {
                "id": {"type": "string", "description": "The id."},
                "count": {"type": ["integer", "null"]},
                "tags": {"type": "array", "items": {"type": "string"}},
                "state": {"anyOf": [{"$ref": "#/$defs/State"}, {"type": "null"}]},
                "params": {"type": "object", "additionalProperties": true},
                "sizes": {"type": "object", "additionalProperties": {"type": "number"}},
                "kind": {"enum": ["a", "b"]},
                "odd-key": {}
            },
            "required": ["id", "tags"],
            "$defs": {"State": {"type": "object", "properties": {"type": {"const": "X"}},
                                "required": ["type"]}}
        });
        assert_eq!(
            rendered(schema),
            "export type Out = {\n  count?: number | null;\n  /** The id. */\n  id: string;\n  \
             kind?: \"a\" | \"b\";\n  \"odd-key\"?: unknown;\n  params?: { [key: string]: unknown };\n  \
             sizes?: { [key: string]: number };\n  state?: State | null;\n  tags: string[];\n};\n\
             \nexport type State = {\n  type: \"X\";\n};\n"
        );
    }

    #[test]
    fn a_definition_named_alike_but_different_is_renamed() {
        let mut ts = TypeScript::default();
        let with = |t: &str| json!({"$ref": "#/$defs/Item", "$defs": {"Item": {"type": t}}});
        ts.add("First", None, &with("string"));
        ts.add("Second", None, &with("number"));
        ts.add("Third", None, &with("string"));
        let out = ts.render();
        assert!(out.contains("export type First = Item;"), "{out}");
        assert!(out.contains("export type Second = SecondItem;"), "{out}");
        assert!(out.contains("export type Third = Item;"), "{out}");
        assert!(out.contains("export type SecondItem = number;"), "{out}");
    }
}
