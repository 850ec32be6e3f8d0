//! (being written) tools of the dashboard toolset.

use rmcp::tool_router;

use crate::server::PrefectServer;

#[tool_router(router = dashboard_tools, vis = "pub(crate)", allow_empty)]
impl PrefectServer {}
