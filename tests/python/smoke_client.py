"""Smoke test with a real third-party MCP client, the Python `mcp` SDK 1.x: it launches
prefect-mcp-server over stdio and calls every tool against the sample world of
`cargo xtask prefect ensure`.

Usage: smoke_client.py BINARY API_URL (run by tests/tests/python_sdk.rs).
Progress goes to stderr; the last stdout line is a JSON summary. Exits 1 on the first failed check.
"""

import asyncio
import json
import sys
import time
from collections import Counter
from datetime import timedelta
from typing import Any

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import McpError

from checks import CheckFailed, check, log, text_of

# The documented tools of the four toolsets this session offers (the spec's contract).
EXPECTED_TOOLS = {
    "get_flow_by_id", "get_flow_by_name", "list_flows", "search_flows",
    "get_flow_run_by_id", "list_flow_runs", "search_flow_runs_by_state", "cancel_flow_run",
    "wait_for_flow_run",
    "get_deployment_by_id", "get_deployment_by_name", "list_deployments",
    "search_deployments_by_status", "create_flow_run_from_deployment",
    "filter_flows", "filter_flow_runs", "filter_deployments",
}
SAMPLE_FLOWS = {"mcp-hello", "mcp-fail", "mcp-slow", "mcp-params", "mcp-scheduled"}
# The whole session, so that a hang fails the test instead of stalling cargo test.
SESSION_TIMEOUT = 110.0
CALL_TIMEOUT = timedelta(seconds=90)


class Tools:
    """Tool calls that check the result's shape and count which tools were exercised."""

    def __init__(self, session: ClientSession):
        self.session = session
        self.calls: Counter[str] = Counter()

    async def _call(self, tool: str, arguments: dict[str, Any], **kwargs):
        started = time.monotonic()
        result = await self.session.call_tool(
            tool, arguments, read_timeout_seconds=CALL_TIMEOUT, **kwargs
        )
        self.calls[tool] += 1
        outcome = "error" if result.isError else "ok"
        log(f"{outcome:<5} {tool}({json.dumps(arguments)}) {time.monotonic() - started:.1f} s")
        return result

    async def ok(self, tool: str, arguments: dict[str, Any], **kwargs) -> dict:
        """A call that must succeed; its structured content (which the SDK has already
        validated against the tool's output schema)."""
        result = await self._call(tool, arguments, **kwargs)
        check(not result.isError, f"{tool}({arguments}) failed: {text_of(result)}")
        structured = result.structuredContent
        check(isinstance(structured, dict), f"{tool} returned no structured content")
        # Clients that ignore structuredContent read the same JSON from the text content.
        check(json.loads(text_of(result)) == structured, f"{tool}: text and structured differ")
        return structured

    async def error(self, tool: str, arguments: dict[str, Any]) -> str:
        """A call that must fail as a tool error (isError), not a protocol error; its text."""
        result = await self._call(tool, arguments)
        check(result.isError is True,
              f"{tool}({arguments}) should fail: {result.structuredContent}")
        return text_of(result)


def names(listing: dict, key: str) -> list[str]:
    return [item["name"] for item in listing[key]]


async def wait_for_state(tools: Tools, run_id: str, wanted: str, timeout: float) -> dict:
    """Poll get_flow_run_by_id until the run's state type is `wanted`."""
    deadline = time.monotonic() + timeout
    while True:
        run = await tools.ok("get_flow_run_by_id", {"flow_run_id": run_id})
        state = (run["state"] or {}).get("type")
        if state == wanted:
            return run
        check(time.monotonic() < deadline,
              f"run {run_id} is {state}, not {wanted}, after {timeout:.0f} s")
        await asyncio.sleep(1)


async def check_tool_list(session: ClientSession) -> list[str]:
    tools = (await session.list_tools()).tools
    listed = {t.name for t in tools}
    # The documented tools must all be there; the toolsets' other tools (the write tools) are
    # derived from the server and checked by their own tests, so they are not listed here.
    check(listed >= EXPECTED_TOOLS,
          f"documented tools missing: {EXPECTED_TOOLS - listed}")
    for t in tools:
        check(t.inputSchema.get("type") == "object", f"{t.name}: inputSchema is not an object")
        check(bool(t.outputSchema) and t.outputSchema.get("type") == "object",
              f"{t.name}: no outputSchema")
    # The tools this script exercises (each is called below): the documented ones.
    return sorted(EXPECTED_TOOLS)


async def check_flows(tools: Tools) -> str:
    """The flow tools; the id of mcp-hello."""
    listed = await tools.ok("list_flows", {"limit": 200})
    check(set(names(listed, "flows")) >= SAMPLE_FLOWS, f"list_flows: {names(listed, 'flows')}")
    hello = await tools.ok("get_flow_by_name", {"name": "mcp-hello"})
    by_id = await tools.ok("get_flow_by_id", {"flow_id": hello["id"]})
    check(by_id["name"] == "mcp-hello", f"get_flow_by_id: {by_id}")
    found = await tools.ok("search_flows", {"name": "HELLO", "tags": ["mcp-demo"]})
    check(names(found, "flows") == ["mcp-hello"], f"search_flows: {names(found, 'flows')}")
    filtered = await tools.ok(
        "filter_flows", {"filter_criteria": {"flows": {"tags": {"all_": ["failing"]}}}}
    )
    check(names(filtered, "flows") == ["mcp-fail"], f"filter_flows: {names(filtered, 'flows')}")
    return hello["id"]


async def check_deployments(tools: Tools) -> None:
    listed = await tools.ok("list_deployments", {"limit": 200})
    full_names = {f"{d['flow_name']}/{d['name']}" for d in listed["deployments"]}
    check({"mcp-hello/hello", "mcp-slow/slow"} <= full_names, f"list_deployments: {full_names}")
    hello = await tools.ok("get_deployment_by_name", {"name": "mcp-hello/hello"})
    by_id = await tools.ok("get_deployment_by_id", {"deployment_id": hello["id"]})
    check(by_id["flow_name"] == "mcp-hello" and by_id["name"] == "hello",
          f"get_deployment_by_id: {by_id}")
    paused = await tools.ok("search_deployments_by_status", {"is_schedule_active": False})
    check("paused-schedule" in names(paused, "deployments")
          and all(d["paused"] for d in paused["deployments"]),
          f"search_deployments_by_status: {names(paused, 'deployments')}")
    slow = await tools.ok("filter_deployments", {"filter_criteria": {"tags": {"all_": ["slow"]}}})
    check(names(slow, "deployments") == ["slow"],
          f"filter_deployments: {names(slow, 'deployments')}")


async def check_hello_run(tools: Tools, hello_flow_id: str) -> dict:
    """Create a run, wait for it with progress notifications, and find it with the run tools."""
    progress: list[str] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append(message or "")

    created = await tools.ok(
        "create_flow_run_from_deployment",
        {"deployment_id": "mcp-hello/hello", "parameters": {"who": "smoke"}, "timeout": 60},
        progress_callback=on_progress,
    )
    run = created["flow_run"]
    check(created["wait"] == "final_state" and run["state"]["type"] == "COMPLETED",
          f"the hello run did not complete: wait={created['wait']} state={run['state']}")
    check(run["parameters"].get("who") == "smoke", f"parameters not passed: {run['parameters']}")
    check(len(progress) >= 1, "no progress notification while waiting")

    run_id = created["flow_run_id"]
    listed = await tools.ok("list_flow_runs", {"flow_id": hello_flow_id, "limit": 200})
    check(run_id in {r["id"] for r in listed["flow_runs"]}, "list_flow_runs lacks the new run")
    read = await tools.ok("get_flow_run_by_id", {"flow_run_id": run_id})
    check(read["state"]["type"] == "COMPLETED", f"get_flow_run_by_id: {read['state']}")
    failed = await tools.ok("search_flow_runs_by_state", {"state_type": "FAILED", "limit": 200})
    check(failed["count"] >= 1 and all(r["state"]["type"] == "FAILED" for r in failed["flow_runs"]),
          f"search_flow_runs_by_state FAILED: {failed['count']} runs")
    filtered = await tools.ok("filter_flow_runs", {"filter_criteria": {
        "flow_runs": {"id": {"any_": [run_id]}, "state": {"type": {"any_": ["COMPLETED"]}}},
    }})
    check(filtered["count"] == 1, f"filter_flow_runs: {filtered['count']} runs")
    return {
        "id": run_id,
        "state": run["state"]["type"],
        "waited_seconds": created["waited_seconds"],
        "progress_notifications": len(progress),
    }


async def check_cancel(tools: Tools, slow_run_id: str) -> dict:
    """Cancel a RUNNING run; the runner then stops it."""
    await wait_for_state(tools, slow_run_id, "RUNNING", timeout=60)
    cancelled = await tools.ok("cancel_flow_run", {"flow_run_id": slow_run_id})
    check(cancelled["status"] == "ACCEPT", f"cancel_flow_run: {cancelled}")
    check((cancelled["state"] or {}).get("type") == "CANCELLING",
          f"cancel_flow_run state: {cancelled}")
    await wait_for_state(tools, slow_run_id, "CANCELLED", timeout=30)
    return {"id": slow_run_id, "status": cancelled["status"], "final_state": "CANCELLED"}


async def smoke(session: ClientSession) -> dict:
    started = time.monotonic()
    init = await session.initialize()
    tool_names = await check_tool_list(session)
    tools = Tools(session)
    # Started first, so that it is running by the time the other checks are done.
    slow = await tools.ok("create_flow_run_from_deployment", {
        "deployment_id": "mcp-slow/slow", "parameters": {"seconds": 120}, "timeout": 0,
    })
    check(slow["wait"] == "not_waited", f"timeout 0 waited: {slow['wait']}")
    hello_flow_id = await check_flows(tools)
    await check_deployments(tools)
    hello_run = await check_hello_run(tools, hello_flow_id)
    waited = await tools.ok("wait_for_flow_run", {"flow_run_id": hello_run["id"], "timeout": 30})
    check(waited["wait"] == "final_state", f"wait_for_flow_run: {waited}")
    cancelled = await check_cancel(tools, slow["flow_run_id"])
    error = await tools.error("get_deployment_by_name", {"name": "hello"})
    check("flow_name/deployment_name" in error, f"unhelpful error: {error}")
    check(set(tools.calls) == EXPECTED_TOOLS,
          f"tools never called: {EXPECTED_TOOLS - set(tools.calls)}")
    return {
        "ok": True,
        "server": f"{init.serverInfo.name} {init.serverInfo.version}",
        "protocol": init.protocolVersion,
        "tools": tool_names,
        "calls": dict(sorted(tools.calls.items())),
        "hello_run": hello_run,
        "cancelled_run": cancelled,
        "error_message": error,
        "seconds": round(time.monotonic() - started, 1),
    }


async def run(binary: str, api_url: str) -> dict:
    params = StdioServerParameters(
        # The 16 documented tools; the other toolsets have tests of their own.
        command=binary, args=["--toolsets", "flows,flow_runs,deployments,filter"], env={"PREFECT_API_URL": api_url, "RUST_LOG": "warn"}
    )
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        # Caught in here: leaving the SDK's task groups would wrap it in an ExceptionGroup.
        try:
            return await smoke(session)
        except (CheckFailed, McpError, RuntimeError) as exc:  # RuntimeError: output schema
            return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}


def main() -> int:
    binary, api_url = sys.argv[1:3]
    try:
        summary = asyncio.run(asyncio.wait_for(run(binary, api_url), SESSION_TIMEOUT))
    except TimeoutError:
        summary = {"ok": False, "error": f"the session took longer than {SESSION_TIMEOUT:.0f} s"}
    print(json.dumps(summary, ensure_ascii=False))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
