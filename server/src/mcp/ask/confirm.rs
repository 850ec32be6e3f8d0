//! The write tools' questions: a confirmation before what cannot be undone or touches many
//! objects, and the input form of a paused run that waits for one.
//!
//! A client that cannot be asked gets no destructive change: the error says what would have
//! happened, unless the operator allowed unconfirmed writes (`--allow-unconfirmed-writes`).

use std::collections::BTreeMap;

use rmcp::model::{BooleanSchema, ElicitationSchema, PrimitiveSchemaDefinition};
use serde_json::{Map, Value};

use super::questions::{declined, form_field};
use super::{Asker, Reply};
use crate::errors::{ToolError, WriteError};
use crate::output::{quoted_value, quoted_within};
use crate::prefect::flow_run_writes::InputWanted;
use crate::prefect::parameters::{field_lines, resolve};

/// What happens when a confirmation is declined or dismissed.
const NOTHING_CHANGED: &str = "nothing was changed.";

/// Ask the person to confirm `action`, a sentence saying exactly what will happen ("Delete flow
/// run "x" (FAILED, ...)? This cannot be undone."), before acting on `targets` (the ids the
/// "yes" covers: a retried call whose targets changed asks again). `Ok(())`: go ahead.
pub async fn confirm(asker: &Asker, action: &str, targets: &[String]) -> Result<(), ToolError> {
    ask_to_confirm(asker, action, targets, false).await
}

/// [`confirm`] for a write that acts on one object: it becomes the write's audit target (the
/// record names it, when it has a name, whatever the answer), and the "yes" covers that object's
/// id alone.
pub async fn confirm_target(
    asker: &Asker,
    id: impl std::fmt::Display,
    name: Option<&str>,
    action: &str,
) -> Result<(), ToolError> {
    crate::mcp::audit::target(&id, name);
    confirm(asker, action, &[id.to_string()]).await
}

/// [`confirm`], for a tool whose documented contract acts without asking when the client
/// cannot be asked (`cancel_flow_run`): a client that can be asked is asked.
pub async fn confirm_when_possible(
    asker: &Asker,
    action: &str,
    targets: &[String],
) -> Result<(), ToolError> {
    ask_to_confirm(asker, action, targets, true).await
}

async fn ask_to_confirm(
    asker: &Asker,
    action: &str,
    targets: &[String],
    documented_without_asking: bool,
) -> Result<(), ToolError> {
    let mut field = BooleanSchema::new();
    field.title = Some("Confirm".into());
    field.description = Some("Check to go ahead.".into());
    field.default = Some(false);
    let form = ElicitationSchema::new(BTreeMap::from([(
        "confirm".to_string(),
        PrimitiveSchemaDefinition::Boolean(field),
    )]))
    .with_required(vec!["confirm".to_string()]);
    let question = format!("confirmation ({action})");
    match asker
        .ask_about("confirm", &question, action.to_string(), form, targets)
        .await?
    {
        Reply::Accepted(content) if content.get("confirm") == Some(&Value::Bool(true)) => Ok(()),
        Reply::Accepted(_) => Err(declined(&question, "not confirmed", NOTHING_CHANGED)),
        Reply::Declined => Err(declined(&question, "declined", NOTHING_CHANGED)),
        Reply::Cancelled => Err(declined(&question, "cancelled", NOTHING_CHANGED)),
        Reply::CannotAsk if documented_without_asking || asker.allows_unconfirmed_writes() => {
            Ok(())
        }
        Reply::CannotAsk => Err(ToolError::Write(WriteError::ConfirmationRequired {
            action: action.to_string(),
        })),
    }
}

/// The input a paused run waits for, asked with a form built from its own schema (titles,
/// descriptions, defaults). Pausing with `wait_for_input` is Prefect's own human gate, so the
/// values a model proposes (`proposed`, already checked against the schema) only fill the
/// form in: a person accepts or edits them. A client that cannot be asked, or a field a form
/// cannot hold, gets an error naming each field and its type; proposed values go ahead
/// unseen only under `--allow-unconfirmed-writes`.
pub async fn run_input(
    asker: &Asker,
    run: &str,
    wanted: &InputWanted,
    proposed: Option<&Map<String, Value>>,
) -> Result<Map<String, Value>, ToolError> {
    let root = &wanted.schema;
    let properties: Vec<(String, Value)> = root
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| {
            p.iter()
                .map(|(name, s)| {
                    let mut field = resolve(root, s.clone());
                    if let (Some(value), Some(schema)) =
                        (proposed.and_then(|p| p.get(name)), field.as_object_mut())
                    {
                        schema.insert("default".into(), value.clone());
                    }
                    (name.clone(), field)
                })
                .collect()
        })
        .unwrap_or_default();
    let required: Vec<String> = root
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    let cannot_ask = || match proposed {
        Some(values) if asker.allows_unconfirmed_writes() => Ok(values.clone()),
        Some(values) => Err(ToolError::Write(WriteError::ConfirmationRequired {
            action: format!(
                "Resume flow run {run} with the input {}.",
                quoted_value(&Value::Object(values.clone()))
            ),
        })),
        None => Err(ToolError::Write(WriteError::RunInputRequired {
            flow_run: run.to_string(),
            fields: field_lines(root),
        })),
    };
    let Some(fields) = properties
        .iter()
        .map(|(name, s)| form_field(s).map(|field| (name.clone(), field)))
        .collect::<Option<Vec<_>>>()
    else {
        // A form cannot hold this input: the proposed values are confirmed as they are.
        let Some(values) = proposed else {
            return cannot_ask();
        };
        let action = format!(
            "Resume flow run {run} with the input {}?",
            quoted_value(&Value::Object(values.clone()))
        );
        confirm(asker, &action, &[]).await?;
        return Ok(values.clone());
    };
    let names: Vec<String> = fields.iter().map(|(name, _)| name.clone()).collect();
    let title = root.get("title").and_then(Value::as_str).unwrap_or("Input");
    let mut form = ElicitationSchema::new(fields.into_iter().collect::<BTreeMap<_, _>>())
        .with_required(required.clone())
        .with_title(title.to_string());
    form.property_order = Some(names);
    let question = format!("the input flow run {run} waits for");
    let message = match &wanted.description {
        Some(description) => format!(
            "Flow run {run} is paused, waiting for input: {}",
            quoted_within(description, 400)
        ),
        None => format!("Flow run {run} is paused, waiting for input ({title})."),
    };
    let outcome = "the run stays paused.";
    match asker.ask("run_input", &question, message, form).await? {
        Reply::CannotAsk => cannot_ask(),
        Reply::Declined => Err(declined(&question, "declined", outcome)),
        Reply::Cancelled => Err(declined(&question, "cancelled", outcome)),
        Reply::Accepted(content) => {
            let mut input = Map::new();
            for (name, schema) in &properties {
                match content.get(name).or_else(|| schema.get("default")) {
                    Some(value) => {
                        input.insert(name.clone(), value.clone());
                    }
                    None if required.contains(name) => {
                        return Err(ToolError::BadAnswer {
                            question,
                            detail: format!("it has no value for {name}"),
                        })
                    }
                    None => {}
                }
            }
            Ok(input)
        }
    }
}
