//! Block tools: list_blocks, get_block. Secret fields are masked (`output::blocks`).

use rmcp::{tool, tool_router, Json};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use super::args::{self, tool_args, Parameters};
use crate::errors::{ArgumentError, ToolError};
use crate::mcp::declarations::Declaration;
use crate::mcp::server::McpServer;
use crate::output::{BlockList, BlockView};

pub(crate) const DECLARED: &[Declaration] = &[
    Declaration::reads("list_blocks"),
    Declaration::reads("get_block"),
];

tool_args! {
    pub struct ListBlocksArgs paged {
        /// Only blocks of this type, by its slug (e.g. "secret", "s3-bucket").
        #[serde(default)]
        pub block_type: Option<String>,
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BlockArgs {
    /// Block UUID, or "type-slug/name" (e.g. "s3-bucket/prod-data").
    pub block: String,
}

/// A block type slug: lowercase letters, digits and dashes.
fn slug(value: &str) -> Result<&str, ToolError> {
    let slug = args::name("block_type", value)?;
    if args::is_slug(slug) {
        Ok(slug)
    } else {
        Err(ArgumentError::NotABlockName {
            value: value.to_string(),
        }
        .into())
    }
}

#[tool_router(router = blocks_tools, vis = "pub(crate)")]
impl McpServer {
    /// List blocks (saved configuration: credentials, storage, settings) by name and type,
    /// without their values.
    #[tool]
    async fn list_blocks(
        &self,
        Parameters(args): Parameters<ListBlocksArgs>,
    ) -> Result<Json<BlockList>, ToolError> {
        let (limit, offset) = args.page()?;
        let block_type = args.block_type.as_deref().map(slug).transpose()?;
        self.prefect
            .list_blocks(block_type.map(str::to_string), limit, offset)
            .await
            .map(Json)
    }

    /// Get a block by UUID or "type-slug/name": its fields, with every secret field's value
    /// masked (never shown, whatever its shape).
    #[tool]
    async fn get_block(
        &self,
        Parameters(args): Parameters<BlockArgs>,
    ) -> Result<Json<BlockView>, ToolError> {
        let given = args::name("block", &args.block)?;
        if let Ok(id) = Uuid::parse_str(given) {
            return self.prefect.read_block(id).await.map(Json);
        }
        let (type_slug, name) = given
            .split_once('/')
            .filter(|(_, name)| !name.trim().is_empty())
            .ok_or_else(|| ArgumentError::NotABlockName {
                value: given.to_string(),
            })?;
        let type_slug = slug(type_slug)?;
        self.prefect
            .read_block_named(type_slug, name.trim())
            .await
            .map(Json)
    }
}
