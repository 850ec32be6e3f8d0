//! (being written) tools of the task_runs toolset.

use rmcp::tool_router;

use crate::server::PrefectServer;

#[tool_router(router = task_runs_tools, vis = "pub(crate)", allow_empty)]
impl PrefectServer {}
