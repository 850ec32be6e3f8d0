//! Variable tools: list_variables, get_variable, set_variable, delete_variable.

use rmcp::service::RequestContext;
use rmcp::{tool, tool_router, Json, RoleServer};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use super::args::{tool_args, Parameters};
use crate::errors::{ArgumentError, ToolError};
use crate::mcp::ask::{confirm, Asker};
use crate::mcp::audit;
use crate::mcp::prefect_server::PrefectServer;
use crate::output::{Deleted, VariableList, VariableSet, VariableView};
use crate::prefect::variables::check_name;

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
impl PrefectServer {
    /// List variables (named JSON values flows read with `Variable.get`), sorted by name.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn list_variables(
        &self,
        Parameters(args): Parameters<ListVariablesArgs>,
    ) -> Result<Json<VariableList>, ToolError> {
        let (limit, offset) = args.page()?;
        self.prefect.list_variables(limit, offset).await.map(Json)
    }

    /// Get a variable by name: its JSON value and tags.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn get_variable(
        &self,
        Parameters(args): Parameters<VariableNameArgs>,
    ) -> Result<Json<VariableView>, ToolError> {
        let name = check_name(&args.name)?;
        self.prefect.read_variable(name).await.map(Json)
    }

    /// Create a variable, or replace the value (and, when given, the tags) of the one of that
    /// name.
    #[tool(annotations(
        read_only_hint = false,
        destructive_hint = true,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn set_variable(
        &self,
        Parameters(args): Parameters<SetVariableArgs>,
    ) -> Result<Json<VariableSet>, ToolError> {
        let name = check_name(&args.name)?;
        if args.value.is_null() {
            return Err(ArgumentError::NullVariableValue.into());
        }
        let (variable, created) = self
            .prefect
            .set_variable(name, args.value, args.tags)
            .await?;
        audit::target(variable.id, Some(&variable.name));
        Ok(Json(VariableSet { created, variable }))
    }

    /// Delete a variable, after the user confirms.
    #[tool(annotations(
        read_only_hint = false,
        destructive_hint = true,
        idempotent_hint = false,
        open_world_hint = false
    ))]
    async fn delete_variable(
        &self,
        Parameters(args): Parameters<VariableNameArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<Deleted>, ToolError> {
        let name = check_name(&args.name)?;
        let variable = self.prefect.read_variable(name).await?;
        audit::target(variable.id, Some(&variable.name));
        let shown = crate::output::cap_text(&variable.value.to_string(), 80);
        confirm(
            &Asker::of(&context),
            &format!("Delete variable '{name}' (value {shown})? This cannot be undone."),
        )
        .await?;
        self.prefect.delete_variable(name).await?;
        Ok(Json(Deleted {
            id: variable.id,
            name: variable.name,
            deleted: true,
            message: format!("Variable '{name}' was deleted."),
        }))
    }
}
