//! Prefect's own answers, captured once from a Prefect 3.8.8 server holding the project's sample
//! world (`cargo xtask prefect up && cargo xtask prefect seed`), with curl against its API, e.g.
//! `curl -s $API/flows/<id>` or `curl -s -X POST $API/flows/filter -H 'content-type:
//! application/json' -d '{"limit": 3, "sort": "NAME_ASC"}'`, pretty-printed with Python's
//! `json.dumps(indent=1)`. Lists are trimmed to a few items; nothing else was edited (the events
//! page's `next_page` still names the capturing server's host, which the tool ignores).

use serde_json::Value;

pub const FLOW: &str = include_str!("../fixtures/flow.json");
pub const FLOWS: &str = include_str!("../fixtures/flows.json");
pub const FLOW_RUN_COMPLETED: &str = include_str!("../fixtures/flow_run_completed.json");
pub const FLOW_RUN_FAILED: &str = include_str!("../fixtures/flow_run_failed.json");
pub const FLOW_RUN_LATE: &str = include_str!("../fixtures/flow_run_late.json");
pub const DEPLOYMENT: &str = include_str!("../fixtures/deployment.json");
pub const DEPLOYMENT_PARAMS: &str = include_str!("../fixtures/deployment_params.json");
pub const DEPLOYMENT_LATE: &str = include_str!("../fixtures/deployment_late.json");
pub const DEPLOYMENTS: &str = include_str!("../fixtures/deployments.json");
pub const TASK_RUNS: &str = include_str!("../fixtures/task_runs.json");
pub const LOGS: &str = include_str!("../fixtures/logs.json");
pub const WORK_POOLS: &str = include_str!("../fixtures/work_pools.json");
pub const WORK_POOL: &str = include_str!("../fixtures/work_pool.json");
pub const WORK_QUEUES: &str = include_str!("../fixtures/work_queues.json");
/// The sample world's pools have no workers (its deployments are served by a runner).
pub const WORKERS: &str = include_str!("../fixtures/workers.json");
pub const EVENTS: &str = include_str!("../fixtures/events.json");
pub const AUTOMATIONS: &str = include_str!("../fixtures/automations.json");
pub const CONCURRENCY_LIMITS: &str = include_str!("../fixtures/concurrency_limits.json");

/// Ids in the fixtures above.
pub const FLOW_ID: &str = "eb202107-3865-4d9a-b032-a6f9e6688fda";
pub const COMPLETED_RUN_ID: &str = "95edad4d-e6f1-4015-8d32-feea2efbdc12";
pub const FAILED_RUN_ID: &str = "27d2dcc7-1eb0-42e0-a7c6-b89941d0ce3d";
pub const FAILED_RUN_DEPLOYMENT_ID: &str = "9c279ad5-9795-410b-b287-1cac90f4b929";
pub const LATE_RUN_ID: &str = "cb1e27fc-20a6-4a79-8e9f-cc8eb0486058";
pub const LATE_DEPLOYMENT_ID: &str = "559813db-0ae4-4cfd-82c3-27b427e434e3";
pub const DEPLOYMENT_ID: &str = "a3f20698-59e0-442a-81c3-d079012c1a04";
pub const PARAMS_DEPLOYMENT_ID: &str = "ec657bcc-c6ce-49e8-b206-da85009168e1";
pub const AUTOMATION_ID: &str = "0aa1fabb-236f-41d4-bc7a-682cb19060a6";

pub fn parse(fixture: &str) -> Value {
    serde_json::from_str(fixture).expect("fixtures are JSON")
}

/// `fixture` (an object) with some top-level fields replaced, as JSON text.
pub fn with(fixture: &str, changes: Value) -> String {
    let mut value = parse(fixture);
    let (Value::Object(fields), Value::Object(changes)) = (&mut value, changes) else {
        panic!("with() takes objects");
    };
    fields.extend(changes);
    value.to_string()
}

/// A JSON list of `items`.
pub fn list(items: &[String]) -> String {
    format!("[{}]", items.join(","))
}

/// A flow run fixture in another state.
pub fn run_in_state(fixture: &str, state_type: &str, state_name: &str) -> String {
    let mut state = parse(fixture)["state"].clone();
    state["type"] = state_type.into();
    state["name"] = state_name.into();
    state["message"] = Value::Null;
    with(
        fixture,
        serde_json::json!({"state": state, "state_type": state_type, "state_name": state_name}),
    )
}
