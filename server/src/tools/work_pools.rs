//! (being written) tools of the work_pools toolset.

use rmcp::tool_router;

use crate::server::PrefectServer;

#[tool_router(router = work_pools_tools, vis = "pub(crate)", allow_empty)]
impl PrefectServer {}
