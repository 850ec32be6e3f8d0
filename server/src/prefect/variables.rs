//! Variables: Prefect's named JSON values (`prefect variable ...`), read, set and deleted.

use prefect_api::{types, PrefectCall, PrefectError};
use serde_json::Value;

use super::query::page_body;
use super::Prefect;
use crate::errors::{ArgumentError, Doing, ToolError};
use crate::output::{VariableList, VariableView};

/// Prefect refuses longer names (422); checked first so that the error says so plainly.
pub const MAX_NAME_CHARS: usize = 255;

impl Prefect {
    /// Variables sorted by name.
    pub async fn list_variables(&self, limit: i64, offset: u64) -> Result<VariableList, ToolError> {
        let body = page_body!(
            BodyReadVariablesVariablesFilterPost,
            VariableSort("NAME_ASC"),
            limit,
            offset,
        );
        let variables = self
            .client
            .read_variables(&body)
            .value()
            .await
            .doing("listing variables")?;
        Ok(VariableList::new(
            variables.into_iter().map(VariableView::from).collect(),
        ))
    }

    pub async fn read_variable(&self, name: &str) -> Result<VariableView, ToolError> {
        self.client
            .read_variable_by_name(name)
            .value()
            .await
            .doing(format!("reading variable {name:?}"))
            .map(VariableView::from)
    }

    /// The variable, or `None` when there is none of that name.
    pub async fn find_variable(&self, name: &str) -> Result<Option<VariableView>, ToolError> {
        self.client
            .read_variable_by_name(name)
            .value()
            .await
            .doing_or_none(format!("reading variable {name:?}"))
            .map(|found| found.map(VariableView::from))
    }

    /// Create the variable; `None` when one of that name exists (made by someone else since
    /// the caller looked), so that replacing it stays the caller's decision.
    pub async fn create_variable(
        &self,
        name: &str,
        value: Value,
        tags: Option<Vec<String>>,
    ) -> Result<Option<VariableView>, ToolError> {
        let body = types::VariableCreate {
            name: variable_name(name)?,
            tags: tags.unwrap_or_default(),
            value: json_value(value)?,
        };
        match self.client.create_variable(&body).value().await {
            Ok(created) => Ok(Some(created.into())),
            Err(PrefectError::Validation { status: 409, .. }) => Ok(None),
            Err(source) => Err(ToolError::Prefect {
                action: format!("setting variable {name:?}"),
                source,
            }),
        }
    }

    /// Replace the value (and, when given, the tags) of the variable of that name; the
    /// variable as it is now.
    pub async fn update_variable(
        &self,
        name: &str,
        value: Value,
        tags: Option<Vec<String>>,
    ) -> Result<VariableView, ToolError> {
        let body = types::VariableUpdate {
            name: None,
            tags,
            value: json_value(value)?,
        };
        self.client
            .update_variable_by_name(name, &body)
            .value()
            .await
            .doing(format!("setting variable {name:?}"))?;
        self.read_variable(name).await
    }

    pub async fn delete_variable(&self, name: &str) -> Result<(), ToolError> {
        self.client
            .delete_variable_by_name(name)
            .value()
            .await
            .doing(format!("deleting variable {name:?}"))
    }
}

/// A name Prefect accepts: not blank, at most 255 characters.
pub fn check_name(name: &str) -> Result<&str, ToolError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ArgumentError::Blank { field: "name" }.into());
    }
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(ArgumentError::TooLong {
            field: "name",
            max: MAX_NAME_CHARS,
            got: chars,
        }
        .into());
    }
    Ok(name)
}

fn variable_name<T: std::str::FromStr>(name: &str) -> Result<T, ToolError> {
    // After check_name, only a length Prefect's type refuses could fail here.
    check_name(name)?.parse::<T>().map_err(|_| {
        ArgumentError::TooLong {
            field: "name",
            max: MAX_NAME_CHARS,
            got: name.chars().count(),
        }
        .into()
    })
}

/// Any JSON value but `null` (Prefect's variable values are strings, numbers, booleans,
/// objects or lists); the generated value types are untagged enums over exactly those.
fn json_value<T: serde::de::DeserializeOwned>(value: Value) -> Result<Option<T>, ToolError> {
    serde_json::from_value(value)
        .map(Some)
        .map_err(|_| ArgumentError::NullVariableValue.into())
}
