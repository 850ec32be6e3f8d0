//! diagnose_flow_run: why did this run fail, or why has it not started? One call gathers the
//! run, its failed task runs, the tail of its error logs, its deployment, work pool, queue and
//! workers, and full concurrency limits, and names the likely causes.

use rmcp::service::RequestContext;
use rmcp::{tool, tool_router, Json, RoleServer};
use schemars::JsonSchema;
use serde::Deserialize;

use super::args::Parameters;
use crate::errors::ToolError;
use crate::mcp::ask::{resolve, Asker};
use crate::mcp::declarations::Declaration;
use crate::mcp::server::McpServer;
use crate::output::Diagnosis;

pub(crate) const DECLARED: &[Declaration] =
    &[Declaration::reads("diagnose_flow_run").view("flow-run")];

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiagnoseArgs {
    /// Flow run UUID or name (e.g. "crimson-hawk"); a name several runs share is asked about.
    pub flow_run: String,
}

#[tool_router(router = diagnose_tools, vis = "pub(crate)")]
impl McpServer {
    /// Diagnose a flow run in one call: why it failed (exception, failing task, error lines)
    /// or why it is late or stuck (no worker, paused pool, queue or deployment, a full
    /// concurrency limit), with what to do about each.
    #[tool]
    async fn diagnose_flow_run(
        &self,
        Parameters(args): Parameters<DiagnoseArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<Diagnosis>, ToolError> {
        let (run, same_name) =
            resolve::flow_run(&self.prefect, &args.flow_run, &Asker::of(&context)).await?;
        self.prefect.diagnose(run, same_name).await.map(Json)
    }
}
