//! State names that no run has been in, with the exact names that exist.

use super::StateNameSource;

pub(super) fn unknown_state_name(
    name: &str,
    suggestions: &[String],
    known: &[String],
    names_from: &StateNameSource,
) -> String {
    let quoted = |names: &[String]| {
        names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (what, list) = match names_from {
        StateNameSource::Observed => (
            format!(
                "No flow or task run has been in a state named \"{name}\" (checked against the \
                 state names in this server's retained run history, GET /observed-states)."
            ),
            "The names that occurred are",
        ),
        StateNameSource::Standard => (
            format!(
                "\"{name}\" is not one of Prefect's state names (this server predates Prefect \
                 3.9's GET /observed-states, so it was checked against Prefect's standard names)."
            ),
            "The standard names are",
        ),
    };
    let hint = if suggestions.is_empty() {
        String::new()
    } else {
        format!(
            " Did you mean {}?",
            quoted(suggestions).replace(", \"", " or \"")
        )
    };
    format!(
        "{what}{hint} State names are exact and case-sensitive; state_type (FAILED, ...) is \
         case-insensitive. {list}: {}.",
        quoted(known)
    )
}
