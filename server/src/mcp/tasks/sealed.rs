//! Tasks any replica answers: stateless HTTP with a shared `--request-state-key`.
//!
//! No replica keeps a task. The task id is the task: a token sealed with the shared key (rmcp's
//! `RequestStateCodec`, HMAC-SHA256: signed, not encrypted, so it holds nothing secret) that
//! names the flow run, the tool and what its result needs, when the task was made, its
//! deadline and a nonce. It is bound, as associated data that is not stored in it, to the
//! caller who made it (`McpServer::task_owner`), and expires with the task's TTL: a token
//! that does not open (altered, another key, another caller, expired) is an unknown task.
//!
//! The state is Prefect's own. `tasks/get` reads the run: unfinished and before the deadline,
//! the task is working with the run's state as its status ("flow run … is Running");
//! finished or past the deadline, it is completed with the result the blocking call returns
//! ([`Finish::result`]). `tasks/cancel` stops the wait, never the run, by recording it in
//! Prefect as an input of the run keyed by the nonce
//! ([`crate::prefect::Prefect::record_wait_stopped`]), which every replica reads.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rmcp::handler::server::tool::IntoCallToolResult;
use rmcp::model::{
    CallToolResponse, CallToolResult, CreateTaskResult, DetailedTask, GetTaskResult, JsonObject,
    SealOptions, Task, TaskPayload, TaskStatus,
};
use rmcp::task_manager::current_timestamp;
use rmcp::{ErrorData, Json};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{POLL_INTERVAL_MS, TASK_TTL};
use crate::errors::ToolError;
use crate::mcp::ask::StateKey;
use crate::mcp::bound::bounded;
use crate::output::{CreatedFlowRun, FlowRunView, WaitedFlowRun};
use crate::prefect::waits::{status_line, wait_outcome_at, Waited};
use crate::prefect::{Prefect, PrefectError};

/// Which waiting tool a task runs, with what its result needs beyond the run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "tool", rename_all = "snake_case")]
pub enum Finish {
    /// `create_flow_run_from_deployment`: its answer names the deployment.
    CreateFlowRunFromDeployment {
        deployment_id: Uuid,
        deployment_name: String,
    },
    WaitForFlowRun,
}

impl Finish {
    /// The result the blocking call returns after this wait: the tool's own view
    /// ([`CreatedFlowRun::new`], [`WaitedFlowRun::new`]), made a tool result as rmcp makes a
    /// tool's `Json` answer, within the size bound as the dispatch bounds it.
    pub fn result(&self, waited: Waited) -> CallToolResult {
        let Waited {
            run,
            outcome,
            seconds,
        } = waited;
        let response = match self {
            Finish::CreateFlowRunFromDeployment {
                deployment_id,
                deployment_name,
            } => Json(CreatedFlowRun::new(
                *deployment_id,
                deployment_name.clone(),
                run,
                outcome,
                seconds,
            ))
            .into_call_tool_result(),
            Finish::WaitForFlowRun => {
                Json(WaitedFlowRun::new(run, outcome, seconds)).into_call_tool_result()
            }
        };
        match response {
            Ok(CallToolResponse::Complete(result)) => bounded(result),
            _ => ToolError::UnexpectedAnswer {
                action: "building the task's result".into(),
                problem: "the view did not serialize".into(),
            }
            .into_result(),
        }
    }
}

/// What a sealed task id holds (readable by its holder; nothing in it is secret).
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Token {
    run: Uuid,
    finish: Finish,
    created: DateTime<Utc>,
    deadline: DateTime<Utc>,
    /// Names this task's wait, also in Prefect (the record of a stopped wait).
    nonce: String,
}

/// Where a task stands, read from Prefect.
enum Standing {
    Working(String),
    /// Stopped by `tasks/cancel`: the same words as an in-process task's.
    Cancelled(String),
    Completed(CallToolResult),
}

/// The tasks of stateless replicas that share one key.
#[derive(Clone)]
pub struct SealedTasks {
    key: StateKey,
}

impl SealedTasks {
    pub fn new(key: StateKey) -> Self {
        SealedTasks { key }
    }

    /// A task for the wait on `run` that begins now and lasts `timeout`, for `owner`.
    pub fn seal(
        &self,
        run: Uuid,
        finish: Finish,
        timeout: Duration,
        owner: &str,
    ) -> Result<CreateTaskResult, ToolError> {
        let created = Utc::now();
        let token = Token {
            run,
            finish,
            created,
            deadline: created + timeout,
            nonce: Uuid::new_v4().simple().to_string(),
        };
        let bound_to = binding(owner);
        let options = SealOptions::new().associated_data(&bound_to).ttl(TASK_TTL);
        let task_id = self.key.0.seal_json_with(&token, &options).map_err(|e| {
            ToolError::UnexpectedAnswer {
                action: "sealing the task".into(),
                problem: e.to_string(),
            }
        })?;
        let task = task(&task_id, &token, &created.to_rfc3339())
            .with_status_message(format!("flow run {run} is being waited for"));
        Ok(CreateTaskResult::new(task))
    }

    /// `tasks/get`: the task as Prefect's run shows it now.
    pub async fn get(
        &self,
        prefect: &Prefect,
        task_id: &str,
        owner: &str,
    ) -> Result<GetTaskResult, ErrorData> {
        let token = self.open(task_id, owner)?;
        let (message, payload) = match standing(prefect, &token).await {
            Standing::Working(message) => (message, TaskPayload::Working),
            Standing::Cancelled(message) => (message, TaskPayload::Cancelled),
            Standing::Completed(result) => (
                "finished".into(),
                TaskPayload::Completed {
                    result: as_object(&result),
                },
            ),
        };
        let task = task(task_id, &token, &current_timestamp()).with_status_message(message);
        Ok(GetTaskResult::new(DetailedTask::new(task, payload)))
    }

    /// `tasks/update`: these tasks never wait for input (questions are asked before the run
    /// is made), so there is nothing to deliver; the id must still be the caller's task.
    pub fn update(&self, task_id: &str, owner: &str) -> Result<(), ErrorData> {
        self.open(task_id, owner).map(|_| ())
    }

    /// `tasks/cancel`: stop the wait (never the run), seen by every replica. A task that has
    /// ended stays as it ended, as an in-process task does.
    pub async fn cancel(
        &self,
        prefect: &Prefect,
        task_id: &str,
        owner: &str,
    ) -> Result<(), ErrorData> {
        let token = self.open(task_id, owner)?;
        if let Standing::Working(_) = standing(prefect, &token).await {
            prefect
                .record_wait_stopped(token.run, &token.nonce)
                .await
                .map_err(ToolError::into_error_data)?;
        }
        Ok(())
    }

    fn open(&self, task_id: &str, owner: &str) -> Result<Token, ErrorData> {
        self.key
            .0
            .open_json_with(task_id, &binding(owner))
            .map_err(|_| ToolError::UnknownTask.into_error_data())
    }
}

/// The task's fields as every answer shows them.
fn task(task_id: &str, token: &Token, updated: &str) -> Task {
    Task::new(
        task_id,
        TaskStatus::Working,
        token.created.to_rfc3339(),
        updated,
    )
    .with_ttl_ms(TASK_TTL.as_millis() as u64)
    .with_poll_interval_ms(POLL_INTERVAL_MS)
}

/// What the sealed task id is bound to: this server's tasks, and who made it.
fn binding(owner: &str) -> Vec<u8> {
    format!("prefect-mcp/tasks\n{owner}").into_bytes()
}

/// Where the task stands: stopped, or the run's state against the deadline. A failed read of
/// Prefect ends the task as the blocking call's wait would have ended, except a passing network
/// error (which a blocking wait outlives too): the task then goes on, and says so.
async fn standing(prefect: &Prefect, token: &Token) -> Standing {
    let looked = async {
        if prefect.wait_stopped(token.run, &token.nonce).await? {
            let stopped = ToolError::WaitCancelled {
                flow_run_id: token.run.to_string(),
            };
            return Ok(Standing::Cancelled(stopped.message()));
        }
        let run: FlowRunView = prefect.read_flow_run(token.run).await?;
        let status = status_line(&run);
        Ok(
            match wait_outcome_at(run, token.created, token.deadline, Utc::now()) {
                Some(waited) => Standing::Completed(token.finish.result(waited)),
                None => Standing::Working(status),
            },
        )
    };
    match looked.await {
        Ok(standing) => standing,
        Err(
            error @ ToolError::Prefect {
                source: PrefectError::Unreachable { .. } | PrefectError::Timeout { .. },
                ..
            },
        ) => Standing::Working(error.message()),
        Err(error) => Standing::Completed(error.into_result()),
    }
}

fn as_object(result: &CallToolResult) -> JsonObject {
    match serde_json::to_value(result) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => JsonObject::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tasks() -> SealedTasks {
        SealedTasks::new(StateKey::from_secret("a-shared-secret-of-at-least-32-bytes!").unwrap())
    }

    #[test]
    fn a_task_opens_for_its_owner_on_any_replica_with_the_key() {
        let run = Uuid::new_v4();
        let finish = Finish::CreateFlowRunFromDeployment {
            deployment_id: Uuid::new_v4(),
            deployment_name: "slow".into(),
        };
        let created = tasks()
            .seal(run, finish.clone(), Duration::from_secs(60), "alice")
            .unwrap();
        let id = created.task.task_id;
        // Another replica: its own SealedTasks, the same key.
        let token = tasks().open(&id, "alice").unwrap();
        assert_eq!((token.run, token.finish), (run, finish));
        assert_eq!((token.deadline - token.created).num_seconds(), 60);
        assert_eq!(token.nonce.len(), 32);
        assert_eq!(created.task.ttl_ms, Some(TASK_TTL.as_millis() as u64));
    }

    #[test]
    fn altered_foreign_and_other_key_tokens_are_unknown_tasks() {
        let id = tasks()
            .seal(
                Uuid::new_v4(),
                Finish::WaitForFlowRun,
                Duration::from_secs(60),
                "alice",
            )
            .unwrap()
            .task
            .task_id;
        let unknown = |e: ErrorData| {
            assert_eq!(e.code, rmcp::model::ErrorCode::INVALID_PARAMS);
            assert!(e.message.starts_with("Unknown task"), "{}", e.message);
        };
        unknown(tasks().open(&id, "bob").unwrap_err());
        let mut altered = id.clone().into_bytes();
        let at = altered.len() / 2;
        altered[at] = if altered[at] == b'A' { b'B' } else { b'A' };
        unknown(
            tasks()
                .open(&String::from_utf8(altered).unwrap(), "alice")
                .unwrap_err(),
        );
        let other = StateKey::from_secret("another-shared-secret-of-32-bytes-or-more").unwrap();
        unknown(SealedTasks::new(other).open(&id, "alice").unwrap_err());
        unknown(tasks().open("not-a-task", "alice").unwrap_err());
    }

    #[test]
    fn an_expired_task_is_unknown() {
        let tasks = tasks();
        let token = Token {
            run: Uuid::new_v4(),
            finish: Finish::WaitForFlowRun,
            created: Utc::now(),
            deadline: Utc::now(),
            nonce: "n".into(),
        };
        let bound_to = binding("alice");
        let options = SealOptions::new()
            .associated_data(&bound_to)
            .ttl(Duration::from_millis(1));
        let id = tasks.key.0.seal_json_with(&token, &options).unwrap();
        std::thread::sleep(Duration::from_millis(1100));
        assert!(tasks.open(&id, "alice").is_err());
    }
}
