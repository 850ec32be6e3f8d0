//! The questions the tools ask: which of several objects is meant, and the run parameters a
//! deployment requires. Each one also says what a client that cannot be asked gets instead.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rmcp::model::{
    BooleanSchema, ElicitationSchema, EnumSchema, IntegerSchema, NumberSchema,
    PrimitiveSchemaDefinition, StringFormat, StringSchema,
};
use serde_json::{Map, Value};

use super::{Asker, Reply};
use crate::errors::ToolError;
pub use crate::prefect::Candidate;

/// At most this many choices are offered (newest first); a longer list is no help to a person.
pub const MAX_CHOICES: usize = 20;

/// The line an error lists a candidate with.
fn line(candidate: &Candidate) -> String {
    format!("{}: {}", candidate.id, candidate.label)
}

/// Which of several flow runs sharing the name `given` is meant. Returns the chosen id.
pub async fn which_flow_run(
    asker: &Asker,
    given: &str,
    candidates: &[Candidate],
) -> Result<String, ToolError> {
    let question = format!("the flow run named {given:?}");
    let message = format!(
        "{} flow runs are named {given:?}. Which one do you mean?",
        candidates.len()
    );
    match choose(asker, "flow_run", &question, message, candidates).await? {
        Some(id) => Ok(id),
        None => Err(ambiguous(
            format!("the flow run name {given:?}"),
            candidates,
        )),
    }
}

/// `given` names no deployment, but `candidates` have close names: which one is meant?
/// A client that cannot be asked gets "not found" with the close names.
pub async fn which_deployment(
    asker: &Asker,
    given: &str,
    candidates: &[Candidate],
) -> Result<String, ToolError> {
    let question = format!("the deployment meant by {given:?}");
    let message = format!("There is no deployment named {given:?}. Did you mean one of these?");
    match choose(asker, "deployment", &question, message, candidates).await? {
        Some(id) => Ok(id),
        None => Err(ToolError::NotFoundClose {
            what: format!("deployment {given:?}"),
            close: candidates
                .iter()
                .map(|c| format!("{} (id {})", c.label, c.id))
                .collect(),
        }),
    }
}

fn ambiguous(what: String, candidates: &[Candidate]) -> ToolError {
    let shown = candidates.len().min(MAX_CHOICES);
    ToolError::AmbiguousChoice {
        what,
        candidates: candidates[..shown].iter().map(line).collect(),
        more: candidates.len() - shown,
    }
}

/// Offer `candidates` as a single choice. `Ok(None)`: the client cannot be asked.
async fn choose(
    asker: &Asker,
    key: &str,
    question: &str,
    message: String,
    candidates: &[Candidate],
) -> Result<Option<String>, ToolError> {
    let offered = &candidates[..candidates.len().min(MAX_CHOICES)];
    let ids: Vec<String> = offered.iter().map(|c| c.id.clone()).collect();
    let labels: Vec<String> = offered.iter().map(|c| c.label.clone()).collect();
    let choice = EnumSchema::builder(ids.clone())
        .enum_titles(labels)
        .map_err(|detail| ToolError::BadAnswer {
            question: question.into(),
            detail,
        })?
        .title("Choice")
        .build();
    let schema = ElicitationSchema::builder()
        .required_property(key, PrimitiveSchemaDefinition::Enum(choice))
        .build()
        .map_err(|detail| ToolError::BadAnswer {
            question: question.into(),
            detail: detail.to_string(),
        })?;
    match asker.ask(key, question, message, schema).await? {
        Reply::CannotAsk => Ok(None),
        Reply::Declined => Err(declined(question, "declined", "nothing was done.")),
        Reply::Cancelled => Err(declined(question, "cancelled", "nothing was done.")),
        Reply::Accepted(content) => match content.get(key).and_then(Value::as_str) {
            Some(id) if ids.iter().any(|offered| offered == id) => Ok(Some(id.to_string())),
            other => Err(ToolError::BadAnswer {
                question: question.into(),
                detail: format!(
                    "{} is not one of the choices offered ({})",
                    other.map_or_else(|| "no choice".to_string(), |id| format!("{id:?}")),
                    ids.join(", ")
                ),
            }),
        },
    }
}

fn declined(question: &str, answer: &'static str, outcome: &'static str) -> ToolError {
    ToolError::Declined {
        question: question.into(),
        answer,
        outcome,
    }
}

/// A deployment's required parameters that have no default and were not given.
#[derive(Debug)]
struct Missing {
    name: String,
    /// The parameter's JSON schema (from Prefect's `parameter_openapi_schema`).
    schema: Value,
}

/// Complete `given` with the deployment's required parameters that have no default, asking for
/// them with a form. `schema` is the deployment's `parameter_openapi_schema`.
pub async fn missing_parameters(
    asker: &Asker,
    deployment: &str,
    schema: Option<&Map<String, Value>>,
    mut given: Map<String, Value>,
) -> Result<Map<String, Value>, ToolError> {
    let missing = find_missing(schema, &given);
    if missing.is_empty() {
        return Ok(given);
    }
    let cannot_ask = || ToolError::MissingParameters {
        deployment: deployment.to_string(),
        missing: missing
            .iter()
            .map(|m| (m.name.clone(), type_name(&m.schema)))
            .collect(),
    };
    // A form holds primitive fields only; an object or list parameter cannot be asked for.
    let Some(fields) = missing
        .iter()
        .map(|m| form_field(&m.schema).map(|field| (m.name.clone(), field)))
        .collect::<Option<Vec<_>>>()
    else {
        return Err(cannot_ask());
    };
    let names: Vec<String> = fields.iter().map(|(name, _)| name.clone()).collect();
    let mut form = ElicitationSchema::new(fields.into_iter().collect::<BTreeMap<_, _>>())
        .with_required(names.clone())
        .with_title(format!("Parameters for {deployment}"));
    form.property_order = Some(names.clone());
    let question = format!(
        "the parameters {} of deployment {deployment}",
        names.join(", ")
    );
    let message = format!(
        "Deployment {deployment} needs {} to start a run: {}.",
        if names.len() == 1 {
            "a value"
        } else {
            "values"
        },
        names.join(", ")
    );
    let outcome = "no flow run was created.";
    match asker.ask("parameters", &question, message, form).await? {
        Reply::CannotAsk => Err(cannot_ask()),
        Reply::Declined => Err(declined(&question, "declined", outcome)),
        Reply::Cancelled => Err(declined(&question, "cancelled", outcome)),
        Reply::Accepted(content) => {
            for m in &missing {
                let value = content
                    .get(&m.name)
                    .cloned()
                    .ok_or_else(|| ToolError::BadAnswer {
                        question: question.clone(),
                        detail: format!("it has no value for {}", m.name),
                    })?;
                given.insert(m.name.clone(), coerce(&m.schema, value));
            }
            Ok(given)
        }
    }
}

fn find_missing(schema: Option<&Map<String, Value>>, given: &Map<String, Value>) -> Vec<Missing> {
    let Some(schema) = schema else {
        return Vec::new();
    };
    let properties = schema.get("properties").and_then(Value::as_object);
    let mut missing: Vec<(i64, Missing)> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|name| !given.contains_key(*name))
        .filter_map(|name| {
            let property = properties
                .and_then(|p| p.get(name))
                .cloned()
                .unwrap_or_default();
            if property.get("default").is_some() {
                return None;
            }
            let position = property
                .get("position")
                .and_then(Value::as_i64)
                .unwrap_or(i64::MAX);
            Some((
                position,
                Missing {
                    name: name.to_string(),
                    schema: resolve(schema, property),
                },
            ))
        })
        .collect();
    missing.sort_by_key(|(position, _)| *position);
    missing.into_iter().map(|(_, m)| m).collect()
}

/// Prefect puts enum classes in `definitions` and refers to them with `allOf: [{$ref}]`.
fn resolve(root: &Map<String, Value>, property: Value) -> Value {
    let reference = property
        .get("$ref")
        .or_else(|| property.get("allOf")?.as_array()?.first()?.get("$ref"))
        .and_then(Value::as_str);
    let Some(reference) = reference else {
        return property;
    };
    let target = reference
        .strip_prefix("#/definitions/")
        .and_then(|name| root.get("definitions")?.get(name))
        .or_else(|| {
            reference
                .strip_prefix("#/$defs/")
                .and_then(|name| root.get("$defs")?.get(name))
        });
    match (target, property) {
        (Some(Value::Object(target)), Value::Object(mut own)) => {
            for (key, value) in target {
                own.entry(key.clone()).or_insert_with(|| value.clone());
            }
            Value::Object(own)
        }
        (_, property) => property,
    }
}

fn text(schema: &Value, key: &str) -> Option<Cow<'static, str>> {
    schema
        .get(key)
        .and_then(Value::as_str)
        .map(|s| Cow::Owned(s.to_string()))
}

/// The form field for a parameter, when its type is one a form can hold.
fn form_field(schema: &Value) -> Option<PrimitiveSchemaDefinition> {
    let title = text(schema, "title");
    let description = text(schema, "description");
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let values: Vec<String> = values
            .iter()
            .map(|v| v.as_str().map(String::from))
            .collect::<Option<_>>()?;
        let mut builder = EnumSchema::builder(values);
        if let Some(title) = title {
            builder = builder.title(title);
        }
        if let Some(description) = description {
            builder = builder.description(description);
        }
        return Some(PrimitiveSchemaDefinition::Enum(builder.build()));
    }
    let field = match schema.get("type").and_then(Value::as_str)? {
        "string" => {
            let mut field = StringSchema::new();
            field.format = match schema.get("format").and_then(Value::as_str) {
                Some("date") => Some(StringFormat::Date),
                Some("date-time") => Some(StringFormat::DateTime),
                Some("email") => Some(StringFormat::Email),
                Some("uri") => Some(StringFormat::Uri),
                _ => None,
            };
            field.title = title;
            field.description = description;
            PrimitiveSchemaDefinition::String(field)
        }
        "integer" => {
            let mut field = IntegerSchema::new();
            field.title = title;
            field.description = description;
            field.minimum = schema.get("minimum").and_then(Value::as_i64);
            field.maximum = schema.get("maximum").and_then(Value::as_i64);
            PrimitiveSchemaDefinition::Integer(field)
        }
        "number" => {
            let mut field = NumberSchema::new();
            field.title = title;
            field.description = description;
            field.minimum = schema.get("minimum").and_then(Value::as_f64);
            field.maximum = schema.get("maximum").and_then(Value::as_f64);
            PrimitiveSchemaDefinition::Number(field)
        }
        "boolean" => {
            let mut field = BooleanSchema::new();
            field.title = title;
            field.description = description;
            PrimitiveSchemaDefinition::Boolean(field)
        }
        _ => return None,
    };
    Some(field)
}

/// How an error names a parameter's type: "string", "integer", "one of: full, incremental".
fn type_name(schema: &Value) -> String {
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        return format!("one of {}", values.join(", "));
    }
    match schema.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        _ if schema.get("anyOf").is_some() => "one of several types".into(),
        _ => "any JSON value".into(),
    }
}

/// Forms answer numbers as JSON numbers; some clients send an integer field as `5.0`.
fn coerce(schema: &Value, value: Value) -> Value {
    let is_integer = schema.get("type").and_then(Value::as_str) == Some("integer");
    match value.as_f64() {
        Some(n) if is_integer && value.as_i64().is_none() && n.fract() == 0.0 => {
            Value::from(n as i64)
        }
        _ => value,
    }
}

/// `given` keys that look like a choice answer, for tests of the schema shape.
#[cfg(test)]
fn form_for(schema: &rmcp::model::JsonObject, given: &Map<String, Value>) -> Vec<(String, Value)> {
    find_missing(Some(schema), given)
        .into_iter()
        .filter_map(|m| {
            let field = form_field(&m.schema)?;
            Some((m.name, serde_json::to_value(field).ok()?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn prefect_schema() -> rmcp::model::JsonObject {
        json!({
            "title": "Parameters",
            "type": "object",
            "properties": {
                "region": {"title": "region", "description": "Where.", "position": 0, "type": "string"},
                "batch_size": {"title": "batch_size", "position": 1, "type": "integer"},
                "mode": {"title": "mode", "position": 2, "enum": ["full", "incremental"], "type": "string"},
                "dry_run": {"title": "dry_run", "position": 3, "default": false, "type": "boolean"},
                "level": {"position": 4, "allOf": [{"$ref": "#/definitions/Level"}]},
                "items": {"position": 5, "type": "array", "default": []}
            },
            "required": ["region", "batch_size", "mode", "level"],
            "definitions": {"Level": {"title": "Level", "enum": ["low", "high"], "type": "string"}}
        })
        .as_object()
        .cloned()
        .unwrap()
    }

    #[test]
    fn required_parameters_without_default_become_typed_fields_in_order() {
        let fields = form_for(&prefect_schema(), &Map::new());
        let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["region", "batch_size", "mode", "level"]);
        assert_eq!(fields[0].1["type"], "string");
        assert_eq!(fields[0].1["description"], "Where.");
        assert_eq!(fields[1].1["type"], "integer");
        assert_eq!(fields[2].1["enum"], json!(["full", "incremental"]));
        assert_eq!(fields[3].1["enum"], json!(["low", "high"]));
    }

    #[test]
    fn given_parameters_are_not_asked_for() {
        let given = json!({"region": "eu", "batch_size": 5, "mode": "full", "level": "low"});
        assert!(find_missing(Some(&prefect_schema()), given.as_object().unwrap()).is_empty());
    }

    #[test]
    fn types_are_named_for_clients_that_cannot_be_asked() {
        assert_eq!(type_name(&json!({"type": "integer"})), "integer");
        assert_eq!(
            type_name(&json!({"enum": ["a", "b"]})),
            "one of \"a\", \"b\""
        );
        assert!(form_field(&json!({"type": "object"})).is_none());
    }

    #[test]
    fn whole_floats_become_integers_for_integer_fields() {
        assert_eq!(coerce(&json!({"type": "integer"}), json!(5.0)), json!(5));
        assert_eq!(coerce(&json!({"type": "number"}), json!(5.5)), json!(5.5));
    }
}
