//! The official MCP conformance suite (npm `@modelcontextprotocol/conformance`), installed under
//! `target/clients/conformance` for `tests/tests/conformance.rs`.
//!
//! Its bundle imports `globSync` from `fs`, which Node 22 has and Node 20 (Debian's) lacks: the
//! install step replaces that import with the `glob` package's function of the same name and
//! signature, so the suite runs on either.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// The suite's pin, and the `glob` release whose `globSync` stands in for Node 22's.
pub const CONFORMANCE: &str = "@modelcontextprotocol/conformance@0.1.16";
pub const GLOB: &str = "glob@11";

/// The suite's entry point (run with `node`), installed and patched if missing.
pub fn ensure_conformance(dir: &Path) -> Result<PathBuf> {
    let entry = dir.join("node_modules/@modelcontextprotocol/conformance/dist/index.js");
    let pins = format!("{CONFORMANCE} {GLOB}");
    let marker = dir.join(".xtask-pins");
    if fs::read_to_string(&marker).is_ok_and(|have| have == pins) && entry.exists() {
        return Ok(entry);
    }
    crate::process::ensure_node_tools()?;
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    fs::write(
        dir.join("package.json"),
        "{\"name\": \"prefect-mcp-conformance\", \"private\": true}\n",
    )
    .context("writing the conformance suite's package.json")?;
    eprintln!("clients: npm install {CONFORMANCE} {GLOB}");
    crate::process::npm_install(dir, &[CONFORMANCE, GLOB])?;
    let bundle =
        fs::read_to_string(&entry).with_context(|| format!("reading {}", entry.display()))?;
    fs::write(&entry, patch_glob_sync(&bundle)?)
        .with_context(|| format!("writing {}", entry.display()))?;
    fs::write(&marker, pins).with_context(|| format!("writing {}", marker.display()))?;
    Ok(entry)
}

/// Move `globSync` out of the bundle's `import{...}from"fs"` into an import from `glob`.
fn patch_glob_sync(bundle: &str) -> Result<String> {
    let Some(fs_import_end) = bundle.find("}from\"fs\";") else {
        bail!(
            "the conformance bundle has no `from \"fs\"` import: the globSync patch needs updating"
        );
    };
    let fs_import_start = bundle[..fs_import_end]
        .rfind("import{")
        .context("malformed fs import in the conformance bundle")?;
    let names = &bundle[fs_import_start + "import{".len()..fs_import_end];
    let Some(glob_sync) = names
        .split(',')
        .find(|name| name.trim_start().starts_with("globSync"))
    else {
        // Already patched, or a release that no longer needs it.
        return Ok(bundle.to_string());
    };
    let kept: Vec<&str> = names.split(',').filter(|n| *n != glob_sync).collect();
    // The new import goes after the bundle's `#!` line: a shebang is only valid as line one.
    let body_start = if bundle.starts_with("#!") {
        bundle.find('\n').map_or(bundle.len(), |end| end + 1)
    } else {
        0
    };
    Ok(format!(
        "{}import{{{glob_sync}}}from\"glob\";{}import{{{}}}from\"fs\";{}",
        &bundle[..body_start],
        &bundle[body_start..fs_import_start],
        kept.join(","),
        &bundle[fs_import_end + "}from\"fs\";".len()..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shebang_stays_on_line_one() {
        let bundle = "#!/usr/bin/env node\nimport{globSync as o,readFileSync as r}from\"fs\";o();";
        let patched = patch_glob_sync(bundle).unwrap();
        assert!(patched.starts_with("#!/usr/bin/env node\nimport{globSync as o}from\"glob\";"));
        assert!(patched.contains("import{readFileSync as r}from\"fs\";o();"));
    }

    #[test]
    fn glob_sync_moves_to_the_glob_package() {
        let bundle = r#"import{Command as e}from"commander";import{existsSync as a,globSync as o,mkdtempSync as s}from"fs";rest"#;
        assert_eq!(
            patch_glob_sync(bundle).unwrap(),
            r#"import{globSync as o}from"glob";import{Command as e}from"commander";import{existsSync as a,mkdtempSync as s}from"fs";rest"#
        );
        let patched = patch_glob_sync(bundle).unwrap();
        assert_eq!(patch_glob_sync(&patched).unwrap(), patched);
    }
}
