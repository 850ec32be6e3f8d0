//! Variable tools: list_variables, get_variable, set_variable, delete_variable.

use std::fmt::Write;

use rmcp::service::RequestContext;
use rmcp::{tool, tool_router, Json, RoleServer};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use super::args::{tool_args, Parameters};
use crate::errors::{ArgumentError, ToolError};
use crate::mcp::ask::{confirm, confirm_target, Asker};
use crate::mcp::audit;
use crate::mcp::declarations::Declaration;
use crate::mcp::server::McpServer;
use crate::output::{quoted, quoted_value, Deleted, VariableList, VariableSet, VariableView};
use crate::prefect::variables::check_name;

pub(crate) const DECLARED: &[Declaration] = &[
    Declaration::reads("list_variables"),
    Declaration::reads("get_variable"),
    Declaration::destroys("set_variable")
        .idempotent()
        .asks_when("over an existing, different value"),
    Declaration::destroys("delete_variable"),
];

tool_args! {
    pub struct ListVariablesArgs paged {}
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VariableNameArgs {
    /// Variable name.
    pub name: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetVariableArgs {
    /// Variable name (at most 255 characters).
    pub name: String,
    /// Any JSON value but null.
    pub value: Value,
    /// Replace its tags.
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

#[tool_router(router = variables_tools, vis = "pub(crate)")]
impl McpServer {
    /// List variables (named JSON values flows read with `Variable.get`), sorted by name.
    #[tool]
    async fn list_variables(
        &self,
        Parameters(args): Parameters<ListVariablesArgs>,
    ) -> Result<Json<VariableList>, ToolError> {
        let (limit, offset) = args.page()?;
        self.prefect.list_variables(limit, offset).await.map(Json)
    }

    /// Get a variable by name: its JSON value and tags.
    #[tool]
    async fn get_variable(
        &self,
        Parameters(args): Parameters<VariableNameArgs>,
    ) -> Result<Json<VariableView>, ToolError> {
        let name = check_name(&args.name)?;
        self.prefect.read_variable(name).await.map(Json)
    }

    /// Create a variable, or replace the value (and, when given, the tags) of the one of that
    /// name, after the user confirms the old and new value.
    #[tool]
    async fn set_variable(
        &self,
        Parameters(args): Parameters<SetVariableArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<VariableSet>, ToolError> {
        let name = check_name(&args.name)?;
        if args.value.is_null() {
            return Err(ArgumentError::NullVariableValue.into());
        }
        let existing = match self.prefect.find_variable(name).await? {
            Some(existing) => existing,
            None => {
                let created = self
                    .prefect
                    .create_variable(name, args.value.clone(), args.tags.clone())
                    .await?;
                if let Some(variable) = created {
                    audit::target(variable.id, Some(&variable.name));
                    return Ok(Json(VariableSet {
                        created: true,
                        variable,
                    }));
                }
                // Made by someone else since the lookup: replacing it is a change to confirm.
                self.prefect.read_variable(name).await?
            }
        };
        audit::target(existing.id, Some(&existing.name));
        let same_tags = args.tags.as_ref().is_none_or(|tags| *tags == existing.tags);
        if existing.value == args.value && same_tags {
            // Nothing would be overwritten: nothing to ask, nothing to send.
            return Ok(Json(VariableSet {
                created: false,
                variable: existing,
            }));
        }
        let mut change = format!(
            "Replace the value of variable {}: {} -> {}",
            quoted(name),
            quoted_value(&existing.value),
            quoted_value(&args.value)
        );
        if let Some(tags) = &args.tags {
            let _ = write!(
                change,
                ", and its tags {} -> {}",
                quoted_value(&existing.tags.clone().into()),
                quoted_value(&tags.clone().into())
            );
        }
        change.push_str("? The old value is not kept.");
        confirm(&Asker::of(&context), &change, &[existing.id.to_string()]).await?;
        let variable = self
            .prefect
            .update_variable(name, args.value, args.tags)
            .await?;
        Ok(Json(VariableSet {
            created: false,
            variable,
        }))
    }

    /// Delete a variable, after the user confirms.
    #[tool]
    async fn delete_variable(
        &self,
        Parameters(args): Parameters<VariableNameArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<Deleted>, ToolError> {
        let name = check_name(&args.name)?;
        let variable = self.prefect.read_variable(name).await?;
        confirm_target(
            &Asker::of(&context),
            variable.id,
            Some(&variable.name),
            &format!(
                "Delete variable {} (value {})? This cannot be undone.",
                quoted(name),
                quoted_value(&variable.value)
            ),
        )
        .await?;
        self.prefect.delete_variable(name).await?;
        Ok(Json(Deleted {
            id: variable.id,
            name: variable.name,
            deleted: true,
            message: format!("Variable {} was deleted.", quoted(name)),
        }))
    }
}
