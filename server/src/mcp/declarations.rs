//! Every fact about a tool, declared once beside it: each module of [`super::tools`] holds a
//! `DECLARED` list of its tools, and [`super::toolsets`] finds them by toolset and by name. The MCP annotations, the read-only filter, OAuth's write
//! scope, the instructions' lines about writes, which calls run as tasks, which view shows a
//! result, and the skill's tool reference are all derived from these declarations, so that a new
//! tool is described by its module and nothing else.

use rmcp::model::{JsonObject, ToolAnnotations};
use serde_json::Value;

/// What a tool does to Prefect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Reads only (`readOnlyHint`); `--read-only` keeps it; the `prefect:read` scope calls it.
    Reads,
    /// Changes something that can be changed back; acts at once.
    Writes,
    /// Removes or overwrites (`destructiveHint`): a person confirms exactly what changes first.
    Destroys,
}

/// Whether a call of the tool may wait long, and so runs as an MCP task when the client asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Waits {
    Never,
    Always,
    /// Only with the named argument above zero (`timeout` of create_flow_run_from_deployment).
    WhenPositive(&'static str),
}

/// One tool's facts.
#[derive(Clone, Copy, Debug)]
pub struct Declaration {
    pub name: &'static str,
    pub effect: Effect,
    /// Calling it twice with the same arguments changes nothing more (`idempotentHint`); reads
    /// are idempotent by nature and say nothing.
    pub idempotent: bool,
    pub waits: Waits,
    /// The name of the MCP Apps view ([`super::apps::VIEWS`]) that shows its result.
    pub view: Option<&'static str>,
    /// For a tool that destroys only in some calls: when it asks (docs/tools.md's list of the tools
    /// that ask says so).
    pub asks_when: Option<&'static str>,
}

impl Declaration {
    pub const fn reads(name: &'static str) -> Self {
        Declaration {
            name,
            effect: Effect::Reads,
            idempotent: false,
            waits: Waits::Never,
            view: None,
            asks_when: None,
        }
    }

    pub const fn writes(name: &'static str) -> Self {
        Declaration {
            effect: Effect::Writes,
            ..Declaration::reads(name)
        }
    }

    pub const fn destroys(name: &'static str) -> Self {
        Declaration {
            effect: Effect::Destroys,
            ..Declaration::reads(name)
        }
    }

    pub const fn idempotent(self) -> Self {
        Declaration {
            idempotent: true,
            ..self
        }
    }

    pub const fn waits(self, waits: Waits) -> Self {
        Declaration { waits, ..self }
    }

    pub const fn view(self, view: &'static str) -> Self {
        Declaration {
            view: Some(view),
            ..self
        }
    }

    /// A destructive tool that asks only in the calls `when` says.
    pub const fn asks_when(self, when: &'static str) -> Self {
        Declaration {
            asks_when: Some(when),
            ..self
        }
    }

    pub fn is_write(&self) -> bool {
        self.effect != Effect::Reads
    }

    /// The MCP annotations clients read (none of the tools reaches beyond the Prefect server).
    pub fn annotations(&self) -> ToolAnnotations {
        let mut annotations = ToolAnnotations::new()
            .read_only(!self.is_write())
            .open_world(false);
        if self.is_write() {
            annotations = annotations
                .destructive(self.effect == Effect::Destroys)
                .idempotent(self.idempotent);
        }
        annotations
    }

    /// Whether this call, with these arguments, may wait long enough to run as a task.
    pub fn may_wait(&self, arguments: Option<&JsonObject>) -> bool {
        match self.waits {
            Waits::Never => false,
            Waits::Always => true,
            Waits::WhenPositive(argument) => arguments
                .and_then(|a| a.get(argument))
                .and_then(Value::as_f64)
                .is_some_and(|value| value > 0.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_follow_the_effect() {
        let reads = Declaration::reads("r").annotations();
        assert_eq!(reads.read_only_hint, Some(true));
        assert_eq!(reads.destructive_hint, None);
        let destroys = Declaration::destroys("d").idempotent().annotations();
        assert_eq!(
            (
                destroys.read_only_hint,
                destroys.destructive_hint,
                destroys.idempotent_hint
            ),
            (Some(false), Some(true), Some(true))
        );
        assert_eq!(destroys.open_world_hint, Some(false));
    }

    #[test]
    fn only_waiting_calls_may_wait() {
        let timeout = Declaration::writes("c").waits(Waits::WhenPositive("timeout"));
        let arguments = |value: Value| serde_json::json!({ "timeout": value });
        assert!(timeout.may_wait(arguments(serde_json::json!(30)).as_object()));
        assert!(!timeout.may_wait(arguments(serde_json::json!(0)).as_object()));
        assert!(!timeout.may_wait(None));
        assert!(Declaration::reads("w").waits(Waits::Always).may_wait(None));
        assert!(!Declaration::reads("l").may_wait(None));
    }
}
