//! The tools that show what happened and why: get_flow_run_logs, list_task_runs,
//! list_work_pools, get_work_pool, read_events, list_automations, get_automation.

mod artifacts;
mod automations;
mod blocks;
mod events;
mod logs;
mod task_runs;
pub(crate) mod work_pools;
