//! Block documents: pages of them, and one by id or by "type-slug/name". Secrets are never
//! asked for (`include_secrets` stays false) and a body that does not decode is not quoted in
//! the error, since it may hold one.

use prefect_api::{types, PrefectCall, PrefectError};
use uuid::Uuid;

use super::query::page_body;
use super::Prefect;
use crate::errors::{Doing, ToolError};
use crate::output::{BlockList, BlockSummary, BlockView};

/// Prefect's answer for a block, with a decoding failure's body left out of the error.
fn without_body<T>(result: Result<T, PrefectError>) -> Result<T, PrefectError> {
    result.map_err(|error| match error {
        PrefectError::Decode { .. } => PrefectError::Decode {
            message: "the block document did not decode (its body is not shown: it may hold \
                      secrets)"
                .into(),
        },
        other => other,
    })
}

impl Prefect {
    /// Named block documents, sorted by name, of one type when given.
    pub async fn list_blocks(
        &self,
        block_type: Option<String>,
        limit: i64,
        offset: u64,
    ) -> Result<BlockList, ToolError> {
        let block_types = block_type.map(|slug| types::BlockTypeFilter {
            slug: Some(types::BlockTypeFilterSlug {
                any: Some(vec![slug]),
            }),
            ..Default::default()
        });
        let mut body = page_body!(
            BodyReadBlockDocumentsBlockDocumentsFilterPost,
            BlockDocumentSort("NAME_ASC"),
            limit,
            offset,
            block_types: block_types,
        );
        body.include_secrets = false;
        let blocks = without_body(self.client.read_block_documents(&body).value().await)
            .doing("listing blocks")?;
        Ok(BlockList::new(
            blocks.iter().map(BlockSummary::from).collect(),
        ))
    }

    pub async fn read_block(&self, id: Uuid) -> Result<BlockView, ToolError> {
        without_body(
            self.client
                .read_block_document_by_id(&id, Some(false))
                .value()
                .await,
        )
        .doing(format!("reading block {id}"))
        .map(BlockView::from)
    }

    pub async fn read_block_named(&self, slug: &str, name: &str) -> Result<BlockView, ToolError> {
        without_body(
            self.client
                .read_block_document_by_name_for_block_type(slug, name, Some(false))
                .value()
                .await,
        )
        .doing(format!("reading block {slug}/{name}"))
        .map(BlockView::from)
    }
}
