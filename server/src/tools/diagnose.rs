//! (being written) tools of the diagnose toolset.

use rmcp::tool_router;

use crate::server::PrefectServer;

#[tool_router(router = diagnose_tools, vis = "pub(crate)", allow_empty)]
impl PrefectServer {}
