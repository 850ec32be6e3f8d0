//! Flow write tools (toolset flows): delete_flow.

use rmcp::service::RequestContext;
use rmcp::{tool, tool_router, Json, RoleServer};
use schemars::JsonSchema;
use serde::Deserialize;

use super::args::{self, Parameters};
use crate::errors::ToolError;
use crate::mcp::ask::{confirm, Asker};
use crate::mcp::audit;
use crate::mcp::declarations::Declaration;
use crate::mcp::server::McpServer;
use crate::output::{quoted, Deleted};
use crate::prefect::deletes::FlowDeletion;

pub(crate) const DECLARED: &[Declaration] = &[Declaration::destroys("delete_flow")];

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteFlowArgs {
    /// Flow UUID or exact name.
    pub flow: String,
}

/// What goes with the flow, as the question and the answer say it.
fn taken_along(deletion: &FlowDeletion) -> String {
    let deployments = match deletion.deployments.as_slice() {
        [] => "no deployments".to_string(),
        names => {
            let listed: Vec<String> = names.iter().map(|n| quoted(n)).collect();
            let more = deletion.deployment_count - names.len() as i64;
            let tail = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            format!("its deployments {}{tail}", listed.join(", "))
        }
    };
    format!(
        "{deployments} and all {} of its flow runs with their task runs (their logs and \
         artifacts stay)",
        deletion.runs
    )
}

#[tool_router(router = flow_writes_tools, vis = "pub(crate)")]
impl McpServer {
    /// Delete a flow, after the user confirms: its deployments and all its runs go too.
    #[tool]
    async fn delete_flow(
        &self,
        Parameters(args): Parameters<DeleteFlowArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<Deleted>, ToolError> {
        let given = args::name("flow", &args.flow)?;
        let flow = self.prefect.read_flow_given(given).await?;
        audit::target(flow.id, Some(&flow.name));
        let deletion = self.prefect.flow_deletion(&flow).await?;
        confirm(
            &Asker::of(&context),
            &format!(
                "Delete flow {}? Prefect deletes with it {}. This cannot be undone.",
                quoted(&flow.name),
                taken_along(&deletion)
            ),
            &[flow.id.to_string()],
        )
        .await?;
        self.prefect.delete_flow(flow.id).await?;
        Ok(Json(Deleted {
            id: flow.id,
            message: format!(
                "Flow {} was deleted, with {}.",
                quoted(&flow.name),
                taken_along(&deletion)
            ),
            name: flow.name,
            deleted: true,
        }))
    }
}
