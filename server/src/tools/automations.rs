//! (being written) tools of the automations toolset.

use rmcp::tool_router;

use crate::server::PrefectServer;

#[tool_router(router = automations_tools, vis = "pub(crate)", allow_empty)]
impl PrefectServer {}
