//! (being written) tools of the logs toolset.

use rmcp::tool_router;

use crate::server::PrefectServer;

#[tool_router(router = logs_tools, vis = "pub(crate)", allow_empty)]
impl PrefectServer {}
