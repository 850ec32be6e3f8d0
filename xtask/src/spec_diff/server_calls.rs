//! Which operations the server depends on: the method calls in its source.

use anyhow::{Context, Result};
use std::collections::BTreeSet;
use std::path::Path;

/// The text of every `.rs` file under `dir`.
pub(super) fn server_sources(dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(server_sources(&path)?);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(
                std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))?,
            );
        }
    }
    Ok(out)
}

/// Names called as methods (`.name(` or `.name::<`, whitespace allowed) in `sources`, comments
/// skipped. Intersected with the operation names, these are the operations the server calls.
pub fn method_calls(sources: &[String]) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for source in sources {
        let code: String = source
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        let bytes = code.as_bytes();
        let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] != b'.' {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            let start = j;
            while j < bytes.len() && ident(bytes[j]) {
                j += 1;
            }
            let name = &code[start..j];
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            if !name.is_empty() && (code[j..].starts_with('(') || code[j..].starts_with("::<")) {
                found.insert(name.to_string());
            }
            i = j.max(i + 1);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_calls_are_found_across_lines_and_comments_are_skipped() {
        let src = "let x = self\n    .client\n    .read_flow(&id)\n    .value();\n\
                   // .drop_gone(\nfoo.create_flow::<T>(a);\n"
            .to_string();
        let calls = method_calls(&[src]);
        assert!(calls.contains("read_flow") && calls.contains("create_flow"));
        assert!(calls.contains("value"));
        assert!(!calls.contains("drop_gone") && !calls.contains("client"));
    }
}
