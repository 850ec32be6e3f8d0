//! Checks shared by the tools: every bad argument is rejected here, before any HTTP call, with
//! a message that says what was wrong and what is valid.

use std::borrow::Cow;

use prefect_api::types;
use rmcp::handler::server::common::FromContextPart;
use rmcp::handler::server::tool::ToolCallContext;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::errors::ToolError;

/// A tool's arguments, decoded from the call's JSON object.
///
/// Like rmcp's own `Parameters` (and named the same, which is how the `#[tool]` macro finds the
/// input schema), but the error names the offending argument (`limit: invalid type: string
/// "5", expected i64`), and argument structs are `deny_unknown_fields`, so a misspelt argument is
/// an error instead of a filter silently dropped. rmcp turns the error into an `isError` result.
pub struct Parameters<T>(pub T);

impl<T: JsonSchema> JsonSchema for Parameters<T> {
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

impl<S, T: DeserializeOwned> FromContextPart<ToolCallContext<'_, S>> for Parameters<T> {
    fn from_context_part(context: &mut ToolCallContext<S>) -> Result<Self, rmcp::ErrorData> {
        let arguments = context.arguments.take().unwrap_or_default();
        serde_path_to_error::deserialize(serde_json::Value::Object(arguments))
            .map(Parameters)
            .map_err(|e| {
                let path = e.path().to_string();
                let at = if path == "." {
                    String::new()
                } else {
                    format!("{path}: ")
                };
                // rmcp reports an invalid_params error with exactly this prefix as a tool
                // error (isError) rather than a protocol error.
                rmcp::ErrorData::invalid_params(
                    format!("failed to deserialize parameters: {at}{}", e.into_inner()),
                    None,
                )
            })
    }
}

/// Prefect's page size limit: `limit` above this gets a 422 from the server.
pub const MAX_LIMIT: i64 = 200;
pub const DEFAULT_LIMIT: i64 = 20;

/// Prefect's state types, as the API spells them.
pub const STATE_TYPES: [&str; 9] = [
    "SCHEDULED",
    "PENDING",
    "RUNNING",
    "COMPLETED",
    "FAILED",
    "CANCELLED",
    "CRASHED",
    "PAUSED",
    "CANCELLING",
];

pub fn default_limit() -> i64 {
    DEFAULT_LIMIT
}

/// A UUID argument. `hint` says where to go instead (e.g. the by-name tool).
pub fn uuid(field: &str, value: &str, hint: &str) -> Result<Uuid, ToolError> {
    Uuid::parse_str(value.trim()).map_err(|_| {
        ToolError::invalid(format!(
            "{field} must be a UUID such as 2f9a6c1e-8d3b-4a8e-9c55-0d1e2f3a4b5c, got {value:?}.{}",
            if hint.is_empty() {
                String::new()
            } else {
                format!(" {hint}")
            }
        ))
    })
}

/// The optional `flow_id` argument of the list tools, as a filter on that one flow.
pub fn flow_id_filter(flow_id: Option<&str>) -> Result<Option<types::FlowFilter>, ToolError> {
    let Some(raw) = non_blank(flow_id) else {
        return Ok(None);
    };
    let id = uuid("flow_id", raw, "get_flow_by_name gives a flow's id.")?;
    Ok(Some(types::FlowFilter {
        id: Some(types::FlowFilterId {
            any: Some(vec![id]),
            ..Default::default()
        }),
        ..Default::default()
    }))
}

/// `limit` within Prefect's 1..=200.
pub fn limit(limit: i64) -> Result<i64, ToolError> {
    if (1..=MAX_LIMIT).contains(&limit) {
        Ok(limit)
    } else {
        Err(ToolError::invalid(format!(
            "limit must be between 1 and {MAX_LIMIT} (Prefect's page size limit), got {limit}. \
             Use offset to page through more."
        )))
    }
}

/// `offset` of zero or more.
pub fn offset(offset: i64) -> Result<u64, ToolError> {
    u64::try_from(offset)
        .map_err(|_| ToolError::invalid(format!("offset must be 0 or more, got {offset}")))
}

/// A required, non-blank name.
pub fn name<'a>(field: &str, value: &'a str) -> Result<&'a str, ToolError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        Err(ToolError::invalid(format!("{field} must not be empty")))
    } else {
        Ok(trimmed)
    }
}

/// A state type, case-insensitively, as Prefect spells it.
pub fn state_type(value: &str) -> Result<String, ToolError> {
    let upper = value.trim().to_ascii_uppercase();
    if STATE_TYPES.contains(&upper.as_str()) {
        Ok(upper)
    } else {
        Err(ToolError::invalid(format!(
            "state_type {value:?} is not a Prefect state type; valid types are {}. \
             (Display names such as \"Late\" are state names: use state_name for those.)",
            STATE_TYPES.join(", ")
        )))
    }
}

/// `"flow_name/deployment_name"`, split at the slash. Prefect forbids `/` in both names, so
/// exactly one slash with text on both sides is the only valid shape.
pub fn deployment_full_name(value: &str) -> Result<(&str, &str), ToolError> {
    let invalid = || {
        ToolError::invalid(format!(
            "deployment name {value:?} must have the form \"flow_name/deployment_name\", for \
             example \"etl/nightly\" (list_deployments shows flow_name and name of each)"
        ))
    };
    let (flow, deployment) = value.trim().split_once('/').ok_or_else(invalid)?;
    if flow.trim().is_empty() || deployment.trim().is_empty() || deployment.contains('/') {
        return Err(invalid());
    }
    Ok((flow.trim(), deployment.trim()))
}

/// An optional text argument that was given: trimmed, with blank meaning not given (clients
/// often send "" for an argument they mean to leave out).
pub fn non_blank(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_outside_prefects_range_are_rejected() {
        assert!(limit(0).is_err());
        assert!(limit(201).is_err());
        assert_eq!(limit(200).unwrap(), 200);
        assert!(offset(-1).is_err());
    }

    #[test]
    fn state_types_are_case_insensitive_and_errors_list_valid_ones() {
        assert_eq!(state_type("failed").unwrap(), "FAILED");
        let err = state_type("Late").unwrap_err().message();
        assert!(err.contains("SCHEDULED, PENDING"), "{err}");
    }

    #[test]
    fn deployment_names_need_exactly_one_slash() {
        assert_eq!(deployment_full_name("a b/ünï").unwrap(), ("a b", "ünï"));
        for bad in ["nightly", "/x", "x/", "a/b/c"] {
            let err = deployment_full_name(bad).unwrap_err().message();
            assert!(err.contains("flow_name/deployment_name"), "{err}");
        }
    }

    #[test]
    fn uuids_are_checked_with_a_hint() {
        let err = uuid("flow_id", "nope", "Use get_flow_by_name for names.").unwrap_err();
        assert!(err.message().contains("get_flow_by_name"));
        assert!(uuid("flow_id", "2f9a6c1e-8d3b-4a8e-9c55-0d1e2f3a4b5c", "").is_ok());
    }
}
