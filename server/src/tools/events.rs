//! (being written) tools of the events toolset.

use rmcp::tool_router;

use crate::server::PrefectServer;

#[tool_router(router = events_tools, vis = "pub(crate)", allow_empty)]
impl PrefectServer {}
