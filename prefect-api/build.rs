//! The URL template of every operation (`url.template` of its trace span), read from the
//! generated client's own doc lines ("Sends a `GET` request to `/flow_runs/{id}`"), so that the
//! table cannot drift from the operations: `url_template(operation_id)` in `$OUT_DIR`.

use std::fmt::Write;

fn main() {
    println!("cargo::rerun-if-changed=src/generated.rs");
    let generated = std::fs::read_to_string("src/generated.rs").expect("src/generated.rs");
    let mut arms = String::new();
    let mut template: Option<&str> = None;
    for line in generated.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("Sends a `") {
            // "GET` request to `/flow_runs/{id}`"
            template = rest.split('`').nth(2);
        } else if let Some(rest) = line.strip_prefix("operation_id: \"") {
            let operation = rest.trim_end_matches("\",");
            if let Some(path) = template.take() {
                writeln!(arms, "        {operation:?} => \"/api{path}\",").unwrap();
            }
        }
    }
    let code = format!(
        "/// The path template of an operation of the generated client, from its doc line.\n\
         pub(crate) fn url_template(operation: &str) -> &'static str {{\n    match operation {{\n{arms}        _ => \"/api\",\n    }}\n}}\n"
    );
    let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("url_templates.rs");
    std::fs::write(out, code).unwrap();
}
