//! What a 2026-07-28 `requestState` carries between the rounds of one call, and what an answer
//! must match to count.
//!
//! An answer counts only for the question it answered, as the person saw it: the state sealed
//! with a question names that question by a digest of everything shown (the message, the form,
//! and the targets the tool will act on), and it is bound to the tool, its arguments and the
//! caller. A retried call that would now show something else (three more runs to cancel, a
//! variable whose value changed) finds its answer stale and asks again. Answers that arrive
//! without a state this server sealed, or for a question the state never carried, count for
//! nothing.

use std::collections::BTreeMap;
use std::time::Duration;

use rmcp::model::{ElicitationSchema, InputResponses, JsonObject, RequestStateError, SealOptions};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::StateKey;
use crate::errors::ToolError;
use crate::telemetry;

/// How long a question may stay unanswered: a retry with older state is refused as expired.
pub(super) const STATE_TTL: Duration = Duration::from_secs(30 * 60);

/// An answer, with the digest of the question it answered.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub(super) struct Answered {
    pub shown: String,
    pub answer: Value,
}

/// The sealed content of a `requestState`.
#[derive(Serialize, Deserialize, Default)]
pub(super) struct Carried {
    /// Answers of earlier rounds, by question key.
    answered: BTreeMap<String, Answered>,
    /// The questions this state went out with, by key: the digest of what was shown.
    asked: BTreeMap<String, String>,
}

/// What the sealed state is bound to: this tool, these arguments and this caller, so that an
/// answer given for one call cannot be replayed into another, or by someone else.
pub(super) fn binding(tool: &str, arguments: Option<&JsonObject>, caller: &str) -> Vec<u8> {
    let arguments = arguments
        .map(|a| Value::Object(a.clone()))
        .unwrap_or_default();
    format!("prefect-mcp/tools/call\n{tool}\n{arguments}\n{caller}").into_bytes()
}

/// The digest of a question as the person sees it: its key, message and form, and the targets
/// the tool acts on when the answer is yes (ids the message may only count).
pub(super) fn shown(
    key: &str,
    message: &str,
    form: &ElicitationSchema,
    targets: &[String],
) -> String {
    let form = serde_json::to_string(form).unwrap_or_default();
    let mut context = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    for part in [key, message, &form] {
        context.update(&(part.len() as u64).to_be_bytes());
        context.update(part.as_bytes());
    }
    for target in targets {
        context.update(&(target.len() as u64).to_be_bytes());
        context.update(target.as_bytes());
    }
    context
        .finish()
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The answers a retried call may use: those of earlier rounds, and the client's responses to
/// exactly the questions the sealed state went out with. Everything else is dropped and logged.
pub(super) fn answers_of_retry(
    key: &StateKey,
    binding: &[u8],
    request_state: Option<&str>,
    responses: Option<InputResponses>,
) -> Result<BTreeMap<String, Answered>, ToolError> {
    let responses = responses.unwrap_or_default();
    let Some(sealed) = request_state else {
        if !responses.is_empty() {
            ignored("no requestState this server issued came with them");
        }
        return Ok(BTreeMap::new());
    };
    let carried: Carried =
        key.0
            .open_json_with(sealed, binding)
            .map_err(|e| ToolError::RequestState {
                reason: describe_state_error(&e),
            })?;
    let mut answers = carried.answered;
    for (question, answer) in responses {
        match carried.asked.get(&question) {
            Some(shown) => {
                telemetry::question(match answer.get("action").and_then(Value::as_str) {
                    Some("accept") => "accepted",
                    Some("decline") => "declined",
                    _ => "cancelled",
                });
                answers.insert(
                    question,
                    Answered {
                        shown: shown.clone(),
                        answer,
                    },
                );
            }
            None => ignored("the requestState carried no such question"),
        }
    }
    Ok(answers)
}

/// Answers sent where no question of this server was asked never count; the line says so
/// (the keys are the client's words, so they are not repeated).
pub(super) fn ignored(why: &str) {
    tracing::warn!("inputResponses ignored: {why}");
}

/// Seal the state a question goes out with: the answers so far, and this question.
pub(super) fn seal(
    key: &StateKey,
    binding: &[u8],
    answered: &BTreeMap<String, Answered>,
    question: &str,
    shown: &str,
) -> Result<String, String> {
    let carried = Carried {
        answered: answered.clone(),
        asked: BTreeMap::from([(question.to_string(), shown.to_string())]),
    };
    key.0
        .seal_json_with(
            &carried,
            &SealOptions::new().associated_data(binding).ttl(STATE_TTL),
        )
        .map_err(|e| e.to_string())
}

fn describe_state_error(error: &RequestStateError) -> String {
    match error {
        RequestStateError::Expired => format!(
            "it expired: a question stays open {} minutes",
            STATE_TTL.as_secs() / 60
        ),
        RequestStateError::IntegrityCheckFailed
        | RequestStateError::UnknownKeyId
        | RequestStateError::InvalidKeyId => "it failed the integrity check".into(),
        RequestStateError::Deserialization(_) => "its content is not what this server seals".into(),
        _ => "it is not a request state this server issued".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key() -> StateKey {
        StateKey::from_secret("a-shared-secret-of-at-least-32-bytes!").unwrap()
    }

    fn yes() -> Value {
        json!({"action": "accept", "content": {"confirm": true}})
    }

    fn responses(pairs: &[(&str, Value)]) -> Option<InputResponses> {
        Some(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn state_opens_only_for_the_same_call_caller_and_key() {
        let args: JsonObject = serde_json::from_str(r#"{"flow_run": "twin"}"#).unwrap();
        let bound = binding("diagnose_flow_run", Some(&args), "alice");
        let sealed = seal(&key(), &bound, &BTreeMap::new(), "confirm", "d").unwrap();
        assert!(answers_of_retry(&key(), &bound, Some(&sealed), None).is_ok());
        let other: JsonObject = serde_json::from_str(r#"{"flow_run": "other"}"#).unwrap();
        for wrong in [
            binding("diagnose_flow_run", Some(&other), "alice"),
            binding("diagnose_flow_run", Some(&args), "bob"),
            binding("delete_flow_run", Some(&args), "alice"),
        ] {
            assert!(answers_of_retry(&key(), &wrong, Some(&sealed), None).is_err());
        }
        let other_key = StateKey::from_secret("another-shared-secret-of-32-bytes-or-more").unwrap();
        assert!(answers_of_retry(&other_key, &bound, Some(&sealed), None).is_err());
    }

    #[test]
    fn responses_count_only_for_the_questions_the_state_carried() {
        let bound = binding("delete_variable", None, "");
        // No state: a pre-answered confirmation is no answer at all.
        let none = answers_of_retry(&key(), &bound, None, responses(&[("confirm", yes())]));
        assert!(none.unwrap().is_empty());
        // A state that asked "which": an answer to "confirm" rides along for nothing.
        let sealed = seal(&key(), &bound, &BTreeMap::new(), "which", "d1").unwrap();
        let answers = answers_of_retry(
            &key(),
            &bound,
            Some(&sealed),
            responses(&[("confirm", yes()), ("which", yes())]),
        )
        .unwrap();
        assert_eq!(answers.keys().collect::<Vec<_>>(), ["which"]);
        assert_eq!(answers["which"].shown, "d1");
    }

    #[test]
    fn what_is_shown_includes_the_targets() {
        let form = ElicitationSchema::new(BTreeMap::new());
        let three = ["a", "b", "c"].map(String::from);
        let six = ["a", "b", "c", "d", "e", "f"].map(String::from);
        assert_ne!(
            shown("confirm", "Cancel 3 runs?", &form, &three),
            shown("confirm", "Cancel 3 runs?", &form, &six)
        );
        assert_eq!(
            shown("confirm", "Cancel 3 runs?", &form, &three),
            shown("confirm", "Cancel 3 runs?", &form, &three)
        );
        assert_ne!(
            shown("confirm", "Delete 'a'?", &form, &[]),
            shown("confirm", "Delete 'b'?", &form, &[])
        );
    }
}
