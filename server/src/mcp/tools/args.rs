//! Checks shared by the tools: every bad argument is rejected here, before any HTTP call, with
//! a message that says what was wrong and what is valid.

use std::borrow::Cow;

use rmcp::handler::server::common::FromContextPart;
use rmcp::handler::server::tool::ToolCallContext;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::errors::{ArgumentError, ToolError};

/// A tool's arguments, decoded from the call's JSON object.
///
/// Like rmcp's own `Parameters` (and named the same, which is how the `#[tool]` macro finds the
/// input schema), but the error names the offending argument (`limit: invalid type: string
/// "5", expected i64`), and argument structs are `deny_unknown_fields`, so a misspelt argument is
/// an error instead of a filter silently dropped. The dispatch turns the error into an
/// `isError` result worded by `errors.rs`.
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
                let path = if path == "." { String::new() } else { path };
                crate::errors::decode_error(path, e.into_inner().to_string())
            })
    }
}

pub use crate::prefect::query::{States, DEFAULT_LIMIT, MAX_LIMIT};

pub use crate::output::STATE_TYPES;

pub fn default_limit() -> i64 {
    DEFAULT_LIMIT
}

/// A UUID argument. `hint` says where to go instead (e.g. the by-name tool).
pub fn uuid(field: &'static str, value: &str, hint: &'static str) -> Result<Uuid, ToolError> {
    Uuid::parse_str(value.trim()).map_err(|_| {
        ArgumentError::NotAUuid {
            field,
            value: value.to_string(),
            hint,
        }
        .into()
    })
}

/// The optional `flow_id` argument of the list tools: the one flow to list for, when given.
pub fn flow_id(flow_id: Option<&str>) -> Result<Option<Uuid>, ToolError> {
    non_blank(flow_id)
        .map(|raw| uuid("flow_id", raw, "get_flow_by_name gives a flow's id."))
        .transpose()
}

/// `limit` within Prefect's 1..=200.
pub fn limit(limit: i64) -> Result<i64, ToolError> {
    if (1..=MAX_LIMIT).contains(&limit) {
        Ok(limit)
    } else {
        Err(ArgumentError::OutOfRange {
            field: "limit",
            min: 1,
            max: MAX_LIMIT,
            got: limit,
            hint: "That is Prefect's page size limit; use offset to page through more.",
        }
        .into())
    }
}

/// A deployment's, pool's or queue's concurrency limit, when given: 0 removes the limit.
pub fn concurrency_limit(value: Option<i64>) -> Result<Option<u64>, ToolError> {
    optional_count("concurrency_limit", value, 0, "0 removes the limit.")
}

/// A count of runs or a queue priority, when given, within `min..=u32::MAX` (beyond any real use,
/// and inside what Prefect stores).
pub fn optional_count(
    field: &'static str,
    value: Option<i64>,
    min: i64,
    hint: &'static str,
) -> Result<Option<u64>, ToolError> {
    match value {
        Some(got) if !(min..=i64::from(u32::MAX)).contains(&got) => {
            Err(ArgumentError::OutOfRange {
                field,
                min,
                max: i64::from(u32::MAX),
                got,
                hint,
            }
            .into())
        }
        other => Ok(other.map(|n| n as u64)),
    }
}

/// `offset` of zero or more.
pub fn offset(offset: i64) -> Result<u64, ToolError> {
    u64::try_from(offset).map_err(|_| ArgumentError::NegativeOffset { got: offset }.into())
}

/// Whether `value` is a slug as Prefect makes them (artifact keys, block type slugs):
/// lowercase ASCII letters, digits and dashes.
pub fn is_slug(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A required, non-blank name.
pub fn name<'a>(field: &'static str, value: &'a str) -> Result<&'a str, ToolError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        Err(ArgumentError::Blank { field }.into())
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
        Err(ArgumentError::UnknownStateType {
            value: value.to_string(),
        }
        .into())
    }
}

/// `"flow_name/deployment_name"`, split at the slash. Prefect forbids `/` in both names, so
/// exactly one slash with text on both sides is the only valid shape.
pub fn deployment_full_name(value: &str) -> Result<(&str, &str), ToolError> {
    let invalid = || -> ToolError {
        ArgumentError::NotADeploymentName {
            value: value.to_string(),
        }
        .into()
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

/// An argument struct: strict (`deny_unknown_fields`), with its schema derived, and optionally
/// the shared paging arguments: `paged` adds `limit` and `offset` (and `page()`), `limited` adds
/// `limit` alone (and `checked_limit()`). Every list tool pages the same way and says so the
/// same way.
macro_rules! tool_args {
    ($(#[$meta:meta])* pub struct $name:ident paged { $($body:tt)* }) => {
        $crate::mcp::tools::args::tool_args! {
            $(#[$meta])*
            pub struct $name limited {
                $($body)*
                /// Results to skip.
                #[serde(default)]
                pub offset: i64,
            }
        }
        impl $name {
            /// `limit` and `offset`, checked.
            pub fn page(&self) -> Result<(i64, u64), $crate::errors::ToolError> {
                Ok((self.checked_limit()?, $crate::mcp::tools::args::offset(self.offset)?))
            }
        }
    };
    ($(#[$meta:meta])* pub struct $name:ident limited { $($body:tt)* }) => {
        $crate::mcp::tools::args::tool_args! {
            $(#[$meta])*
            pub struct $name {
                $($body)*
                /// Max results, 1-200.
                #[serde(default = "crate::mcp::tools::args::default_limit")]
                pub limit: i64,
            }
        }
        impl $name {
            /// `limit`, checked.
            pub fn checked_limit(&self) -> Result<i64, $crate::errors::ToolError> {
                $crate::mcp::tools::args::limit(self.limit)
            }
        }
    };
    ($(#[$meta:meta])* pub struct $name:ident { $($body:tt)* }) => {
        $(#[$meta])*
        #[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($body)*
        }
    };
}
pub(crate) use tool_args;

/// The optional `state_type` / `state_name` arguments of a tool, checked.
pub fn states(state_type: Option<&str>, state_name: Option<&str>) -> Result<States, ToolError> {
    Ok(States {
        types: non_blank(state_type)
            .map(self::state_type)
            .transpose()?
            .map(|t| vec![t]),
        names: non_blank(state_name).map(|n| vec![n.to_string()]),
    })
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
