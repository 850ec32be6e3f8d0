"""The sample flows served by runner.py (see `cargo xtask prefect seed`).

They live in their own module, not in runner.py, because the runner executes each flow run in a
spawned child process that re-imports the flow by module: importing this file must not start
anything.

End-to-end tests rely on the names, parameters, log lines and failure message below; change them
together with the tests.
"""

import time
from typing import Literal

from prefect import flow, get_run_logger, pause_flow_run, task
from prefect.input import RunInput
from pydantic import Field


@task(task_run_name="greet-{who}")
def greet(who: str) -> str:
    get_run_logger().info("Greeting %s", who)
    return f"hello, {who}!"


@flow(name="mcp-hello", log_prints=True)
def hello(who: str = "world") -> str:
    """Returns quickly, with one task run."""
    message = greet(who)
    print(message)
    return message


@task(task_run_name="load_input")
def load_input(path: str) -> str:
    logger = get_run_logger()
    logger.info("Looking for the input file %s", path)
    logger.warning("The input file %s does not exist", path)
    raise ValueError("sample failure: the input file was missing")


@flow(name="mcp-fail")
def fail(path: str = "/data/input.csv") -> None:
    """Fails inside a task, after a few log lines."""
    get_run_logger().info("Starting the import of %s", path)
    load_input(path)


@flow(name="mcp-slow")
def slow(seconds: int = 600) -> int:
    """Sleeps in one-second steps so that cancelling it takes effect quickly."""
    logger = get_run_logger()
    logger.info("Sleeping for %d seconds", seconds)
    for elapsed in range(seconds):
        if elapsed % 30 == 0:
            logger.info("Still sleeping: %d/%d s", elapsed, seconds)
        time.sleep(1)
    logger.info("Done sleeping")
    return seconds


@task(task_run_name="repeat-{i}")
def repeat(who: str, i: int) -> str:
    return f"{i}: hello {who}"


@flow(name="mcp-params")
def params(n: int = 1, who: str = "world") -> list[str]:
    """Typed parameters: the deployment's schema rejects e.g. `n: "three"` (409)."""
    lines = [repeat(who, i) for i in range(n)]
    get_run_logger().info("Said hello to %s %d time(s)", who, n)
    return lines


@flow(name="mcp-required")
def required(
    region: str,
    batch_size: int,
    mode: Literal["full", "incremental"],
    dry_run: bool = False,
) -> str:
    """Three parameters without a default, which create_flow_run_from_deployment asks for.

    Args:
        region: Where the data is loaded, e.g. eu-west.
        batch_size: Rows per batch.
        mode: Load everything, or only what changed.
        dry_run: Only report what would be loaded.
    """
    get_run_logger().info(
        "Loading %s in batches of %d (%s, dry run: %s)", region, batch_size, mode, dry_run
    )
    return f"{mode} load of {region}"


@flow(name="mcp-scheduled")
def scheduled() -> str:
    """Served by one paused and one active interval-scheduled deployment."""
    get_run_logger().info("Scheduled run")
    return "tick"


@flow(name="mcp ünïcode flow")
def unicode_flow(grüße: str = "héllo wörld") -> str:
    """A name with a space and non-ASCII characters, to exercise URL encoding."""
    get_run_logger().info("Ünïcode says: %s ✓", grüße)
    return grüße


@flow(name="mcp-late")
def late() -> str:
    """Deployed to the work pool "mcp-pool", which no worker polls: its runs never start, so the
    server marks them Late. Registered over REST by seed.py, never served by runner.py."""
    return "never runs"


class Approval(RunInput):
    """What the person approving a load answers (resume_flow_run builds its form from this)."""

    approved: bool = Field(title="Approved", description="Whether the load may go ahead.")
    note: str = Field(
        default="no note", title="Note", description="Why, for the audit trail."
    )


@flow(name="mcp-approval")
def approval(table: str = "sales") -> str:
    """Pauses until a person resumes it with an Approval (wait_for_input), then logs the answer.

    The pause times out after 30 minutes: a run nobody resumes fails instead of holding one of
    the runner's slots for ever.
    """
    logger = get_run_logger()
    logger.info("Waiting for approval to load %s", table)
    answer = pause_flow_run(wait_for_input=Approval, timeout=1800)
    logger.info("Approval for %s: approved=%s note=%s", table, answer.approved, answer.note)
    return f"{table}: {'approved' if answer.approved else 'rejected'} ({answer.note})"
