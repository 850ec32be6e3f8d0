"""The `cargo xtask demo` session: a third-party MCP client (the Python `mcp` SDK 1.x) launches
prefect-mcp-server over stdio, as Claude Desktop or Cursor would, and prints what it sees.

Usage: demo_client.py BINARY API_URL [--require-sample-world]

Every step that should succeed must succeed, or the script exits 1. With
--require-sample-world (a server seeded by `cargo xtask prefect ensure`) the sample deployments
must exist; without it (the user's own server) the steps that need them are skipped, saying so.
"""

import argparse
import asyncio
import inspect
import json
import os
import sys
import time
from datetime import timedelta
from typing import Any

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import McpError

HELLO = "mcp-hello/hello"
# Generous: the create call itself waits up to 60 s for the run.
CALL_TIMEOUT = timedelta(seconds=120)
# What the server may read from the caller's environment besides the URL: credentials for a
# Prefect Cloud workspace or a server with basic auth.
PASSED_THROUGH = ("PREFECT_API_KEY", "PREFECT_API_AUTH_STRING")


class StepFailed(Exception):
    pass


def show_call(tool: str, arguments: dict[str, Any]) -> None:
    print(f"\n→ {tool}({json.dumps(arguments, ensure_ascii=False)})", flush=True)


def text_of(result) -> str:
    return "\n".join(c.text for c in result.content if getattr(c, "type", "") == "text")


async def call(session: ClientSession, tool: str, arguments: dict[str, Any], **kwargs) -> dict:
    """A call that must succeed; its structured content."""
    show_call(tool, arguments)
    result = await session.call_tool(tool, arguments, read_timeout_seconds=CALL_TIMEOUT, **kwargs)
    if result.isError:
        raise StepFailed(f"{tool} returned an error: {text_of(result)}")
    if result.structuredContent is None:
        raise StepFailed(f"{tool} returned no structured content: {text_of(result)[:300]}")
    return result.structuredContent


def schedule_text(deployment: dict) -> str:
    parts = []
    for s in deployment["schedules"]:
        if s.get("interval_seconds") is not None:
            what = f"every {duration_text(s['interval_seconds'])}"
        else:
            what = s.get("cron") or s.get("rrule") or "?"
        parts.append(what if s["active"] else f"{what} (inactive)")
    return ", ".join(parts) or "-"


def duration_text(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size:.0f}{unit}"
    return f"{seconds:g}s"


def state_text(state: dict | None) -> str:
    if not state:
        return "no state"
    name = state.get("name")
    if not name or name.upper() == state["type"]:
        return state["type"]
    return f"{state['type']} ({name})"


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    for row in [headers, *rows]:
        print("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)).rstrip())


async def show_deployments(session: ClientSession) -> set[str]:
    """The deployments as a table; their "flow/deployment" names."""
    listed = await call(session, "list_deployments", {"limit": 50})
    deployments = listed["deployments"]
    print(f"  {listed['count']} deployments:")
    if deployments:
        print_table(
            ["FLOW/DEPLOYMENT", "PAUSED", "SCHEDULE", "TAGS"],
            [
                [
                    f"{d['flow_name']}/{d['name']}",
                    "yes" if d["paused"] else "no",
                    schedule_text(d),
                    ", ".join(d["tags"]),
                ]
                for d in deployments
            ],
        )
    return {f"{d['flow_name']}/{d['name']}" for d in deployments}


async def run_hello(session: ClientSession) -> None:
    """Create a run and wait for it, printing progress notifications as they arrive."""

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        of_total = f"/{total:g}" if total else ""
        print(f"  … {progress:.0f}{of_total} s: {message or ''}", flush=True)

    # progress_callback arrived in the SDK's 1.x line; without it the call still waits, silently.
    supports_progress = "progress_callback" in inspect.signature(ClientSession.call_tool).parameters
    extra = {"progress_callback": on_progress} if supports_progress else {}
    created = await call(
        session,
        "create_flow_run_from_deployment",
        {"deployment_id": HELLO, "parameters": {"who": "demo"}, "timeout": 60},
        **extra,
    )
    run = created["flow_run"]
    print(
        f"  run {created['flow_run_name']} ({created['flow_run_id']}): {state_text(run['state'])}"
        f" after {created['waited_seconds']:g} s (wait: {created['wait']})"
    )
    if run["state"] is None or run["state"]["type"] != "COMPLETED":
        raise StepFailed(f"the run of {HELLO} did not complete: {run['state']}")


async def show_failures(session: ClientSession) -> None:
    failed = await call(session, "search_flow_runs_by_state", {"state_type": "FAILED", "limit": 5})
    runs = failed["flow_runs"]
    print(f"  {failed['count']} failed runs, newest first (limit 5):")
    for r in runs:
        ended = (r["state"] or {}).get("timestamp") or "?"
        print(f"    {r['name']:<24} {ended:<28} tags: {', '.join(r['tags']) or '-'}")
    if not runs:
        return
    run = await call(session, "get_flow_run_by_id", {"flow_run_id": runs[0]["id"]})
    state = run["state"] or {}
    print(f"  {run['name']}: {state_text(state)}, parameters {json.dumps(run['parameters'])}")
    print(f"  message: {state.get('message')}")

    # One call that answers "why did it fail?" with everything needed.
    diagnosis = await call(session, "diagnose_flow_run", {"flow_run": runs[0]["id"]})
    print(f"  {diagnosis['summary'].splitlines()[0]}")
    for cause in diagnosis["likely_causes"][1:3]:
        print(f"    - {cause.splitlines()[0]}")


async def show_bad_input(session: ClientSession) -> None:
    """A mistake a model makes: the deployment's name without its flow's."""
    arguments = {"name": "hello"}
    show_call("get_deployment_by_name", arguments)
    print("  (deliberately wrong: the flow's name is missing)")
    result = await session.call_tool("get_deployment_by_name", arguments)
    if not result.isError:
        raise StepFailed(f"the bad input was accepted: {result.structuredContent}")
    print(f"  isError: {text_of(result)}")


async def demo(binary: str, api_url: str, require_sample_world: bool) -> str | None:
    """Run the session; the failure, if a step failed."""
    env = {"PREFECT_API_URL": api_url, "RUST_LOG": "warn"}
    env.update({k: os.environ[k] for k in PASSED_THROUGH if k in os.environ})
    params = StdioServerParameters(command=binary, args=[], env=env)
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        # Caught in here: leaving the SDK's task groups would wrap it in an ExceptionGroup.
        try:
            await steps(session, api_url, require_sample_world)
        except StepFailed as exc:
            return str(exc)
        except McpError as exc:
            return f"protocol error: {exc}"
    return None


async def steps(session: ClientSession, api_url: str, require_sample_world: bool) -> None:
    init = await session.initialize()
    tools = (await session.list_tools()).tools
    info = init.serverInfo
    print(
        f"Connected to {info.name} {info.version} (MCP {init.protocolVersion}) "
        f"at {api_url}: {len(tools)} tools"
    )
    print("  " + ", ".join(t.name for t in tools))

    names = await show_deployments(session)
    if HELLO in names:
        await run_hello(session)
    elif require_sample_world:
        raise StepFailed(f"{HELLO} is missing from the sample world")
    else:
        print(f"\n(skipped creating a run: {HELLO} exists only in the sample world of "
              "`cargo xtask prefect ensure`)")
    await show_failures(session)
    await show_bad_input(session)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("api_url")
    parser.add_argument("--require-sample-world", action="store_true")
    args = parser.parse_args()
    started = time.monotonic()
    failure = asyncio.run(demo(args.binary, args.api_url, args.require_sample_world))
    if failure:
        print(f"\ndemo failed: {failure}", file=sys.stderr)
        return 1
    print(f"\nMCP session done in {time.monotonic() - started:.1f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
