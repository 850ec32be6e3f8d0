//! Files (or parts of files) rendered from the server's own declarations and checked in: a test
//! fails when one is stale, and with `UPDATE_SNAPSHOTS=1` (never under CI) rewrites it.

/// `file`'s text between the line holding `begin` and `end` is `expected`.
pub fn check_generated(file: &str, begin: &str, end: &str, expected: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    let start = text
        .find(begin)
        .unwrap_or_else(|| panic!("{file}: no {begin} marker"));
    let body_start = start + text[start..].find('\n').unwrap() + 1;
    let stop = text
        .find(end)
        .unwrap_or_else(|| panic!("{file}: no {end} marker"));
    if text[body_start..stop] != *expected {
        rewrite_or_fail(
            file,
            &format!("{}{expected}{}", &text[..body_start], &text[stop..]),
            expected,
        );
    }
}

/// `file` is `expected` in full (a missing file is stale too).
pub fn check_generated_file(file: &str, expected: &str) {
    if std::fs::read_to_string(file).ok().as_deref() != Some(expected) {
        rewrite_or_fail(file, expected, expected);
    }
}

fn rewrite_or_fail(file: &str, updated: &str, expected: &str) {
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() && std::env::var_os("CI").is_none() {
        std::fs::write(file, updated).unwrap();
        return;
    }
    panic!(
        "{file} is stale: it does not match what the server declares. Regenerate it with \
         `UPDATE_SNAPSHOTS=1 cargo test -p prefect-mcp-server --test tools` and commit it.\n\
         expected:\n{expected}"
    );
}
