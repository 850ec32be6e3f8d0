//! The `prefect-operations` skill (extension `io.modelcontextprotocol/skills`): a `SKILL.md`
//! and its references, compiled into the binary (it ships alone) and served as `skill://`
//! resources, so that clients without the extension can read them as plain resources.

use rmcp::model::{
    GetSkillResult, ListSkillsResult, ReadResourceResult, Resource, ResourceContents, Skill,
    SkillFrontmatter, SkillResource, SkillResources,
};

use crate::errors::{ArgumentError, ToolError};

pub const NAME: &str = "prefect-operations";
const MARKDOWN: &str = "text/markdown";

/// The skill's files, by path within the skill.
pub const FILES: [(&str, &str); 6] = [
    (
        "SKILL.md",
        include_str!("../../skill/prefect-operations/SKILL.md"),
    ),
    (
        "references/triage.md",
        include_str!("../../skill/prefect-operations/references/triage.md"),
    ),
    (
        "references/late-runs.md",
        include_str!("../../skill/prefect-operations/references/late-runs.md"),
    ),
    (
        "references/filters.md",
        include_str!("../../skill/prefect-operations/references/filters.md"),
    ),
    (
        "references/states.md",
        include_str!("../../skill/prefect-operations/references/states.md"),
    ),
    (
        "references/tools.md",
        include_str!("../../skill/prefect-operations/references/tools.md"),
    ),
];

fn uri(path: &str) -> String {
    format!("skill://{NAME}/{path}")
}

/// A field of SKILL.md's frontmatter (`key: value` lines between the leading `---` lines).
fn frontmatter_field(key: &str) -> String {
    FILES[0]
        .1
        .lines()
        .skip(1)
        .take_while(|line| line.trim_end() != "---")
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
        .map(|value| value.trim().to_string())
        .unwrap_or_default()
}

pub fn skill() -> Skill {
    let files = FILES
        .iter()
        .map(|(path, text)| SkillResource::from_bytes(uri(path), text.as_bytes()))
        .collect();
    Skill::new(
        uri("SKILL.md"),
        SkillFrontmatter::new(frontmatter_field("name"), frontmatter_field("description")),
        SkillResources::Files(files),
    )
}

pub fn list() -> ListSkillsResult {
    ListSkillsResult::with_all_items(vec![skill()])
}

pub fn get(requested: &str) -> Result<GetSkillResult, ToolError> {
    let skill = skill();
    if requested == skill.uri {
        Ok(GetSkillResult::new(skill))
    } else {
        Err(ArgumentError::UnknownResource {
            uri: requested.to_string(),
            valid: format!("one skill, {}", skill.uri),
        }
        .into())
    }
}

/// Every file as a resource, for `resources/list`.
pub fn resources() -> Vec<Resource> {
    let description = frontmatter_field("description");
    FILES
        .iter()
        .map(|(path, text)| {
            let resource = Resource::new(uri(path), format!("{NAME}/{path}"))
                .with_mime_type(MARKDOWN)
                .with_size(text.len() as u64);
            if *path == "SKILL.md" {
                resource
                    .with_title("Prefect operations skill")
                    .with_description(description.clone())
            } else {
                resource
            }
        })
        .collect()
}

/// A skill file, or `None` when `uri` is not one.
pub fn read(requested: &str) -> Option<ReadResourceResult> {
    FILES
        .iter()
        .find(|(path, _)| uri(path) == requested)
        .map(|(_, text)| {
            ReadResourceResult::new(vec![
                ResourceContents::text(*text, requested).with_mime_type(MARKDOWN)
            ])
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_is_valid_and_lists_every_file() {
        let skill = skill();
        skill.validate().unwrap();
        assert_eq!(skill.name(), NAME);
        assert!(skill.frontmatter.description.len() > 40);
        let SkillResources::Files(files) = &skill.resources else {
            panic!("files expected")
        };
        assert_eq!(files.len(), FILES.len());
    }

    #[test]
    fn references_linked_from_skill_md_exist() {
        for (path, _) in &FILES[1..] {
            assert!(
                FILES[0].1.contains(&format!("({path})")),
                "{path} not linked"
            );
        }
    }

    #[test]
    fn files_are_readable_by_uri() {
        let read = read("skill://prefect-operations/references/states.md").unwrap();
        let text = serde_json::to_string(&read).unwrap();
        assert!(text.contains("AwaitingRetry"));
        assert!(super::read("skill://prefect-operations/nope.md").is_none());
    }
}
