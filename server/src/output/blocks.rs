//! Views of block documents (saved configuration: credentials, storage, settings). A block's
//! secret fields are masked here, whatever Prefect sent: Prefect masks only secret leaves, and
//! answers a Secret block that holds a JSON object in clear.

use chrono::{DateTime, Utc};
use prefect_api::types;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

/// What a masked value reads as (Prefect's own mask).
pub const MASK: &str = "********";
/// The block type whose whole value is a secret.
const SECRET_BLOCK_TYPE: &str = "secret";

/// A block in a list: which one it is, never its values.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BlockSummary {
    pub id: Uuid,
    pub name: Option<String>,
    /// The type's slug: with the name, "slug/name" finds it (get_block).
    pub block_type: Option<String>,
    pub block_type_name: Option<String>,
    pub updated: Option<DateTime<Utc>>,
}

impl From<&types::BlockDocument> for BlockSummary {
    fn from(b: &types::BlockDocument) -> Self {
        BlockSummary {
            id: b.id,
            name: b.name.clone(),
            block_type: b.block_type.as_ref().map(|t| t.slug.clone()),
            block_type_name: b
                .block_type_name
                .clone()
                .or_else(|| b.block_type.as_ref().map(|t| t.name.clone())),
            updated: b.updated,
        }
    }
}

list_view!(BlockList, blocks, BlockSummary);

/// One block: its fields, each secret one masked.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BlockView {
    #[serde(flatten)]
    pub summary: BlockSummary,
    /// The block's fields; every value at or under a secret field reads "********".
    pub fields: Map<String, Value>,
    /// The secret fields (dotted paths, `*` for every key), as the block's schema declares
    /// them; their values are never shown.
    pub secret_fields: Vec<String>,
    /// Set when the block's schema did not say which fields are secret: every value is masked.
    pub all_masked: Option<bool>,
}

impl From<types::BlockDocument> for BlockView {
    fn from(b: types::BlockDocument) -> Self {
        let summary = BlockSummary::from(&b);
        let declared = b.block_schema.as_ref().and_then(|schema| {
            schema.fields.get("secret_fields").map(|paths| {
                paths
                    .as_array()
                    .map(|paths| {
                        paths
                            .iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default()
            })
        });
        let declared = declared.map(|mut paths| {
            paths.sort();
            paths.dedup();
            paths
        });
        let mut fields = b.data;
        let is_secret_type = summary.block_type.as_deref() == Some(SECRET_BLOCK_TYPE);
        let (secret_fields, all_masked) = match declared {
            Some(paths) if !is_secret_type => {
                for path in &paths {
                    let parts: Vec<&str> = path.split('.').collect();
                    mask_path(&mut fields, &parts);
                }
                (paths, None)
            }
            // A Secret block is all secret; a block whose schema is not known is masked whole.
            other => {
                for value in fields.values_mut() {
                    *value = Value::String(MASK.into());
                }
                (other.unwrap_or_default(), (!is_secret_type).then_some(true))
            }
        };
        BlockView {
            summary,
            fields,
            secret_fields,
            all_masked,
        }
    }
}

/// Masks every value at `path` below `fields` (`*` stands for every key or item).
fn mask_path(fields: &mut Map<String, Value>, path: &[&str]) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if *first == "*" {
        for value in fields.values_mut() {
            mask_value(value, rest);
        }
    } else if let Some(value) = fields.get_mut(*first) {
        mask_value(value, rest);
    }
}

fn mask_value(value: &mut Value, rest: &[&str]) {
    if rest.is_empty() || value.is_null() {
        if !value.is_null() {
            *value = Value::String(MASK.into());
        }
        return;
    }
    match value {
        Value::Object(map) => mask_path(map, rest),
        Value::Array(items) if rest[0] == "*" => {
            for item in items {
                mask_value(item, &rest[1..]);
            }
        }
        // A path that goes deeper than the value: mask what is there rather than guess.
        other => *other = Value::String(MASK.into()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn block(slug: &str, data: Value, secret_fields: Option<Value>) -> types::BlockDocument {
        let mut fields = json!({"title": slug, "type": "object", "properties": {}});
        if let Some(paths) = secret_fields {
            fields["secret_fields"] = paths;
        }
        serde_json::from_value(json!({
            "id": "6a1f8e2d-4b3c-4d5e-8f70-9a1b2c3d4e5f", "name": "prod",
            "data": data, "block_schema_id": "6a1f8e2d-4b3c-4d5e-8f70-9a1b2c3d4e60",
            "block_type_id": "6a1f8e2d-4b3c-4d5e-8f70-9a1b2c3d4e61",
            "block_type_name": slug, "is_anonymous": false,
            "block_document_references": {},
            "block_type": {"id": "6a1f8e2d-4b3c-4d5e-8f70-9a1b2c3d4e61", "name": slug,
                           "slug": slug, "is_protected": false,
                           "created": null, "updated": null, "logo_url": null,
                           "documentation_url": null, "description": null, "code_example": null},
            "block_schema": {"id": "6a1f8e2d-4b3c-4d5e-8f70-9a1b2c3d4e60", "checksum": "x",
                             "fields": fields, "capabilities": [], "version": "1",
                             "block_type_id": null, "block_type": null,
                             "created": null, "updated": null},
            "created": null, "updated": null
        }))
        .unwrap()
    }

    #[test]
    fn a_secret_block_holding_json_is_masked_whole() {
        let view = BlockView::from(block(
            "secret",
            json!({"value": {"user": "bob", "password": "pw"}}),
            Some(json!(["value", "value"])),
        ));
        assert_eq!(view.fields["value"], MASK);
        assert_eq!(view.secret_fields, ["value"]);
        let text = serde_json::to_string(&view).unwrap();
        assert!(!text.contains("pw") && !text.contains("bob"), "{text}");
    }

    #[test]
    fn secret_paths_mask_what_is_under_them_and_plain_fields_stay() {
        let view = BlockView::from(block(
            "acc-settings",
            json!({"region": "eu", "api_token": "t0ken",
                   "extra": {"a": "s1", "b": {"deep": "s2"}}, "list": [{"k": "s3"}],
                   "nested": {"inner": {"key": "s4"}, "plain": 1}}),
            Some(json!(["api_token", "extra.*", "list.*.k", "nested.inner"])),
        ));
        assert_eq!(view.fields["region"], "eu");
        assert_eq!(view.fields["api_token"], MASK);
        assert_eq!(view.fields["extra"], json!({"a": MASK, "b": MASK}));
        assert_eq!(view.fields["list"], json!([{"k": MASK}]));
        assert_eq!(view.fields["nested"], json!({"inner": MASK, "plain": 1}));
        assert_eq!(view.all_masked, None);
    }

    #[test]
    fn a_block_whose_schema_names_no_secret_fields_is_masked_whole() {
        let view = BlockView::from(block("mystery", json!({"url": "s3://x", "key": "k"}), None));
        assert_eq!(view.fields["url"], MASK);
        assert_eq!(view.fields["key"], MASK);
        assert_eq!(view.all_masked, Some(true));
    }
}
