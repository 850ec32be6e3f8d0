//! An update planned field by field against the current values: what is sent to Prefect (only
//! the fields whose value changes: Prefect's PATCH applies exactly what it is sent) and what is
//! reported (each old and new value).

use serde_json::{Map, Value};

use crate::output::FieldChanged;

#[derive(Debug, Default)]
pub struct FieldChanges {
    /// The fields as they are sent.
    pub fields: Map<String, Value>,
    /// What changes, field by field, in the order given.
    pub changed: Vec<FieldChanged>,
}

impl FieldChanges {
    /// `field` goes from `old` to `new`; a field that keeps its value is neither sent nor
    /// reported.
    pub fn change(&mut self, field: &'static str, old: Value, new: Value) {
        if old != new {
            self.fields.insert(field.to_string(), new.clone());
            self.changed.push(FieldChanged { field, old, new });
        }
    }

    pub fn is_empty(&self) -> bool {
        self.changed.is_empty()
    }

    /// "<what> updated: a, b." or "<what> unchanged: ...".
    pub fn message(&self, what: &str) -> String {
        if self.is_empty() {
            format!("{what} unchanged: it already had those values.")
        } else {
            let fields: Vec<&str> = self.changed.iter().map(|c| c.field).collect();
            format!("{what} updated: {}.", fields.join(", "))
        }
    }
}

/// Said after a change that was already so.
pub(super) fn already(was: bool, now: bool) -> &'static str {
    if was == now {
        " (it already was)"
    } else {
        ""
    }
}
