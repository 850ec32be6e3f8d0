//! State names that exist, for searches that came back empty.
//!
//! State names are exact and case-sensitive in Prefect's filters, so `"late"` or `"Faild"`
//! quietly match nothing. When a search by state name finds nothing, the tools call
//! [`Prefect::check_state_names`]: a name no run has been in is an error that says so and
//! suggests the exact names that exist. Only empty answers pay for the extra request.
//!
//! The names come from `GET /observed-states` (Prefect 3.9+: every state type and name in the
//! retained flow and task run history). Older servers answer it 404/405; then the check falls
//! back to the names Prefect's own code gives states, and reports only names close to one of
//! them (a custom state name cannot be told apart from a typo there).

use prefect_api::{types, PrefectCall};

use super::Prefect;
pub use crate::errors::StateNameSource;
use crate::errors::{Doing, ToolError};
use crate::output::FlowRunList;

/// The state names Prefect itself uses (`prefect/states.py`, the task engine and the server's
/// orchestration rules), by state type.
pub const STANDARD_STATE_NAMES: [&str; 20] = [
    "Scheduled",
    "Late",
    "AwaitingRetry",
    "AwaitingConcurrencySlot",
    "Pending",
    "Submitting",
    "InfrastructurePending",
    "NotReady",
    "Running",
    "Retrying",
    "Completed",
    "Cached",
    "RolledBack",
    "Failed",
    "Cancelled",
    "Cancelling",
    "Crashed",
    "Paused",
    "Suspended",
    "TimedOut",
];

/// At most this many suggestions.
const MAX_SUGGESTIONS: usize = 3;

impl Prefect {
    /// After a search by `names` found nothing: an error for the first name that no run has
    /// been in (with the exact names that exist), `Ok` when every name is real (the search was
    /// simply empty).
    pub async fn check_state_names(&self, names: &[String]) -> Result<(), ToolError> {
        if names.is_empty() {
            return Ok(());
        }
        let (known, source) = self.known_state_names().await?;
        for name in names {
            if known.iter().any(|k| k == name) {
                continue;
            }
            let suggestions = close_matches(name, &known);
            // From the standard names only a near miss is certain to be a mistake.
            if source == StateNameSource::Standard && suggestions.is_empty() {
                continue;
            }
            return Err(ToolError::UnknownStateName {
                name: name.clone(),
                suggestions,
                known,
                names_from: source,
            });
        }
        Ok(())
    }

    /// The state names this server knows, and where they came from.
    pub async fn known_state_names(&self) -> Result<(Vec<String>, StateNameSource), ToolError> {
        let sort = types::ObservedStateSort("NAME_ASC".into());
        let answer = self
            .client
            .read_observed_states(std::num::NonZeroU64::new(200), Some(&sort), None)
            .value()
            .await;
        match answer {
            Ok(observed) => {
                let mut names: Vec<String> = observed.into_iter().map(|s| s.state_name).collect();
                names.sort();
                names.dedup();
                Ok((names, StateNameSource::Observed))
            }
            // No such route: a Prefect older than 3.9.
            Err(e) if matches!(e.status(), Some(404 | 405)) => Ok((
                STANDARD_STATE_NAMES.iter().map(|s| s.to_string()).collect(),
                StateNameSource::Standard,
            )),
            Err(e) => Err(e).doing("reading the state names this server has seen"),
        }
    }
}

impl Prefect {
    /// [`Prefect::read_flow_runs`], then, when nothing matched, the check of the state
    /// names the filter asked for.
    pub async fn read_flow_runs_checking_state_names(
        &self,
        body: &types::BodyReadFlowRunsFlowRunsFilterPost,
    ) -> Result<FlowRunList, ToolError> {
        let runs = self.read_flow_runs(body).await?;
        if runs.count == 0 {
            self.check_state_names(&flow_run_filter_names(body)).await?;
        }
        Ok(runs)
    }
}

/// The state names in a task run filter body (`task_runs.state.name.any_`).
pub fn task_run_filter_names(body: &types::BodyReadTaskRunsTaskRunsFilterPost) -> Vec<String> {
    body.task_runs
        .as_ref()
        .and_then(|f| f.state.as_ref())
        .and_then(|s| s.name.as_ref())
        .and_then(|n| n.any.clone())
        .unwrap_or_default()
}

/// The state names in a flow run filter body (`flow_runs.state.name.any_`).
pub fn flow_run_filter_names(body: &types::BodyReadFlowRunsFlowRunsFilterPost) -> Vec<String> {
    body.flow_runs
        .as_ref()
        .and_then(|f| f.state.as_ref())
        .and_then(|s| s.name.as_ref())
        .and_then(|n| n.any.clone())
        .unwrap_or_default()
}

/// The known names `name` was probably meant to be, best first: the same name in other case,
/// then names within a small edit distance, then names it begins (`"Await"` -> `AwaitingRetry`).
pub fn close_matches(name: &str, known: &[String]) -> Vec<String> {
    let wanted = name.trim().to_lowercase();
    if wanted.is_empty() {
        return Vec::new();
    }
    let allowed = (wanted.chars().count() / 3).max(1);
    let mut scored: Vec<(usize, &String)> = known
        .iter()
        .filter_map(|k| {
            let candidate = k.to_lowercase();
            let distance = edit_distance(&wanted, &candidate);
            if distance == 0 {
                Some((0, k))
            } else if distance <= allowed {
                Some((distance, k))
            } else if wanted.chars().count() >= 3 && candidate.starts_with(&wanted) {
                Some((allowed + 1, k))
            } else {
                None
            }
        })
        .collect();
    scored.sort();
    scored
        .into_iter()
        .map(|(_, k)| k.clone())
        .take(MAX_SUGGESTIONS)
        .collect()
}

/// Levenshtein distance over characters.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standard() -> Vec<String> {
        STANDARD_STATE_NAMES.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn other_case_and_typos_find_the_exact_name() {
        assert_eq!(close_matches("late", &standard()), ["Late"]);
        assert_eq!(close_matches("Faild", &standard())[0], "Failed");
        assert_eq!(close_matches("COMPLETED", &standard())[0], "Completed");
        assert_eq!(close_matches("Complete", &standard())[0], "Completed");
    }

    #[test]
    fn a_beginning_suggests_the_names_it_starts() {
        let found = close_matches("Await", &standard());
        assert!(
            found.contains(&"AwaitingRetry".to_string())
                && found.contains(&"AwaitingConcurrencySlot".to_string()),
            "{found:?}"
        );
        let found = close_matches("cancel", &standard());
        assert!(
            found.contains(&"Cancelled".to_string()) && found.contains(&"Cancelling".to_string()),
            "{found:?}"
        );
    }

    #[test]
    fn unrelated_and_blank_names_suggest_nothing() {
        assert!(close_matches("Nightly backfill", &standard()).is_empty());
        assert!(close_matches("  ", &standard()).is_empty());
        assert!(close_matches("x", &standard()).is_empty());
    }

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("faild", "failed"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("ünï", "uni"), 2);
    }

    #[test]
    fn filter_names_are_read_from_the_flow_run_state_filter() {
        let body: types::BodyReadFlowRunsFlowRunsFilterPost = serde_json::from_value(
            serde_json::json!({"flow_runs": {"state": {"name": {"any_": ["Late", "Faild"]}}}}),
        )
        .unwrap();
        assert_eq!(flow_run_filter_names(&body), ["Late", "Faild"]);
        assert!(flow_run_filter_names(&Default::default()).is_empty());
    }
}
