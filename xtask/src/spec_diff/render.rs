//! The printed report: counts, then entries grouped by section, most important first.

use std::fmt::Write as _;

use super::{Diff, Entry, Section};

impl Diff {
    pub fn render(&self, old: &str, new: &str) -> String {
        let count = |s: &Section| {
            let used = s
                .added
                .iter()
                .chain(&s.removed)
                .chain(&s.changed)
                .filter(|e| e.used)
                .count();
            format!(
                "{} added, {} removed, {} changed ({} used by the server)",
                s.added.len(),
                s.removed.len(),
                s.changed.len(),
                used
            )
        };
        let mut out = String::new();
        let _ = writeln!(out, "Prefect OpenAPI {old} -> {new}");
        let _ = writeln!(out, "  operations: {}", count(&self.operations));
        let _ = writeln!(out, "  schemas:    {}", count(&self.schemas));
        let _ = writeln!(
            out,
            "  (* = the server calls the operation, or the schema is part of one it calls)"
        );
        for (title, section) in [("Operations", &self.operations), ("Schemas", &self.schemas)] {
            for (what, entries) in [
                ("added", &section.added),
                ("removed", &section.removed),
                ("changed", &section.changed),
            ] {
                if entries.is_empty() {
                    continue;
                }
                let _ = writeln!(out, "\n{title} {what}:");
                // What matters first: used entries, then real changes, then documentation.
                let mut sorted: Vec<&Entry> = entries.iter().collect();
                sorted.sort_by_key(|e| (!e.used, e.docs_only));
                for e in sorted {
                    let mark = if e.used { "*" } else { " " };
                    let detail = match (e.detail.is_empty(), e.docs_only) {
                        (true, _) => String::new(),
                        (false, true) => format!("  [documentation only: {}]", e.detail),
                        (false, false) => format!("  [{}]", e.detail),
                    };
                    let _ = writeln!(out, "  {mark} {}{detail}", e.label);
                }
            }
        }
        out
    }
}
