//! (being written) tools of the server_info toolset.

use rmcp::tool_router;

use crate::server::PrefectServer;

#[tool_router(router = server_info_tools, vis = "pub(crate)", allow_empty)]
impl PrefectServer {}
