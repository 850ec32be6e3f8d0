"""The Python MCP SDK 2.x (protocol 2026-07-28) confirms, declines and fills in the write tools'
questions (Multi Round-Trip Requests, driven by the SDK).

Usage: writes_client.py BINARY API_URL TAG
  TAG marks the SCHEDULED runs of mcp-slow/slow (due in the future) that tests/tests/writes.rs
  created for the bulk cancel; nothing else carries it. TAG-stretch marks the runs of the
  stretch scenario, which this script makes itself over Prefect's REST API.

Scenarios, against the sample world of `cargo xtask prefect ensure`:
  bulk     cancel_flow_runs on the tagged runs: the question states the count and the names;
           declined -> every run is still SCHEDULED; confirmed -> all cancelled
  force    set_flow_run_state FAILED on a finished run of mcp-hello, confirmed
  delete   delete_flow_run on that run: declined -> it exists; confirmed -> it is gone
  resume   a run of mcp-approval/approval paused waiting for an Approval: resume_flow_run asks
           the form built from the run's input schema, and the run completes with the answer
  stretch  a "yes" is not stretched: cancel_flow_runs asks about 3 runs; 3 more appear before the
           person answers yes; the retried call asks again about 6 (the answer was for 3), and
           the person declines: all 6 are still SCHEDULED
  variable set_variable over an existing value asks, showing old -> new; declined, the old
           value stays; confirmed, the new one is set
  removals delete_deployment and delete_concurrency_limit on throwaway objects made over REST:
           declined -> each is still there; confirmed -> each is gone

Progress goes to stderr; the last stdout line is a JSON summary. Exits 1 on the first failed check.
"""

import asyncio
import datetime
import json
import sys
import time
import traceback
import uuid
from typing import Any

from mcp import Client, StdioServerParameters, types

from checks import check, describe, log, prefect_rest, text_of

SESSION_TIMEOUT = 280.0
APPROVAL = {"approved": True, "note": "typed by python"}


class Person:
    """The elicitation callback: records each question and answers as `plan` says."""

    def __init__(self):
        self.plan = "accept"
        self.questions: list[dict[str, Any]] = []
        # Called (once) while the person reads the next question, before they answer.
        self.meanwhile = None

    async def __call__(self, context, params: types.ElicitRequestParams):
        schema = params.requested_schema
        self.questions.append({"message": params.message, "schema": schema})
        log(f"  asked: {params.message}")
        if self.meanwhile is not None:
            meanwhile, self.meanwhile = self.meanwhile, None
            meanwhile()
            return types.ElicitResult(action="accept", content={"confirm": True})
        if self.plan == "decline":
            return types.ElicitResult(action="decline")
        properties = schema["properties"]
        if "confirm" in properties:
            return types.ElicitResult(action="accept", content={"confirm": True})
        check(set(properties) == set(APPROVAL), f"unexpected form: {schema}")
        check(properties["approved"]["type"] == "boolean", f"approved: {properties}")
        check(properties["approved"].get("title") == "Approved", f"approved: {properties}")
        check(properties["note"].get("default") == "no note", f"note: {properties}")
        check(bool(properties["note"].get("description")), f"note: {properties}")
        return types.ElicitResult(action="accept", content=APPROVAL)


async def call(client: Client, tool: str, arguments: dict) -> dict:
    result = await client.call_tool(tool, arguments)
    check(not result.is_error, f"{tool}({arguments}) failed: {text_of(result)}")
    return result.structured_content


async def call_err(client: Client, tool: str, arguments: dict) -> str:
    result = await client.call_tool(tool, arguments)
    check(result.is_error, f"{tool}({arguments}) should have failed: {result.structured_content}")
    return text_of(result)


async def runs_tagged(client: Client, tag: str) -> list[dict]:
    listed = await call(
        client, "filter_flow_runs", {"filter_criteria": {"tags": {"all_": [tag]}}}
    )
    return listed["flow_runs"]


async def wait_for_state(client: Client, run_id: str, state_type: str, seconds: float) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        run = await call(client, "get_flow_run_by_id", {"flow_run_id": run_id})
        if run.get("state", {}).get("type") == state_type:
            return run
        check(time.monotonic() < deadline, f"run {run_id} never became {state_type}: {run}")
        await asyncio.sleep(1.0)


async def bulk(client: Client, person: Person, tag: str) -> dict[str, Any]:
    log("bulk cancel: declined, then confirmed")
    runs = await runs_tagged(client, tag)
    check(len(runs) == 3, f"expected the 3 tagged runs, got {runs}")
    arguments = {
        "deployment": "mcp-slow/slow",
        "state": "SCHEDULED",
        "filter_criteria": {"tags": {"all_": [tag]}},
    }
    person.plan = "decline"
    text = await call_err(client, "cancel_flow_runs", arguments)
    check("declined" in text and "nothing was changed" in text, text)
    asked = person.questions[-1]["message"]
    check('Cancel 3 SCHEDULED runs of deployment "mcp-slow/slow"' in asked, asked)
    check(all(r["name"] in asked for r in runs), f"the names are not in {asked!r}")
    still = await runs_tagged(client, tag)
    check(all(r["state"]["type"] == "SCHEDULED" for r in still), f"changed after decline: {still}")
    person.plan = "accept"
    done = await call(client, "cancel_flow_runs", arguments)
    check(done["matched"] == 3 and done["cancelled"] == 3, f"{done}")
    return {"asked": asked, "declined_error": text, "result": done}


async def force_and_delete(client: Client, person: Person) -> dict[str, Any]:
    log("force a state, then delete: declined, then confirmed")
    person.plan = "accept"
    name = f"writes-py-{uuid.uuid4().hex[:8]}"
    created = await call(
        client,
        "create_flow_run_from_deployment",
        {"deployment_id": "mcp-hello/hello", "name": name, "timeout": 120},
    )
    run_id = created["flow_run_id"]
    check(created["flow_run"]["state"]["type"] == "COMPLETED", f"{created}")
    forced = await call(
        client,
        "set_flow_run_state",
        {"flow_run": name, "state": "failed", "message": "forced by python"},
    )
    check(forced["state"]["type"] == "FAILED", f"{forced}")
    force_asked = person.questions[-1]["message"]
    check(name in force_asked and "FAILED" in force_asked, force_asked)

    person.plan = "decline"
    text = await call_err(client, "delete_flow_run", {"flow_run": run_id})
    check("declined" in text and "nothing was changed" in text, text)
    delete_asked = person.questions[-1]["message"]
    check(f'Delete flow run "{name}" (FAILED' in delete_asked, delete_asked)
    check("cannot be undone" in delete_asked, delete_asked)
    await call(client, "get_flow_run_by_id", {"flow_run_id": run_id})
    person.plan = "accept"
    deleted = await call(client, "delete_flow_run", {"flow_run": run_id})
    check(deleted["deleted"] is True, f"{deleted}")
    gone = await call_err(client, "get_flow_run_by_id", {"flow_run_id": run_id})
    check("Not found" in gone, gone)
    return {"flow_run_id": run_id, "force_asked": force_asked, "delete_asked": delete_asked}


async def resume(client: Client, person: Person) -> dict[str, Any]:
    log("resume a run waiting for input: the form, then the run completes with the answer")
    person.plan = "accept"
    name = f"writes-py-approval-{uuid.uuid4().hex[:8]}"
    created = await call(
        client,
        "create_flow_run_from_deployment",
        {"deployment_id": "mcp-approval/approval", "name": name},
    )
    run_id = created["flow_run_id"]
    await wait_for_state(client, run_id, "PAUSED", 120.0)
    asked = len(person.questions)
    resumed = await call(client, "resume_flow_run", {"flow_run": run_id})
    check(len(person.questions) == asked + 1, "the form was not asked exactly once")
    check(resumed["run_input"] == APPROVAL, f"{resumed}")
    waited = await call(client, "wait_for_flow_run", {"flow_run_id": run_id, "timeout": 120})
    check(waited["flow_run"]["state"]["type"] == "COMPLETED", f"{waited}")
    return {"flow_run_id": run_id, "form": person.questions[-1]["schema"]}


def future_runs(api_url: str, tag: str, count: int) -> None:
    deployment = prefect_rest(api_url, "GET", "/deployments/name/mcp-slow/slow")
    when = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)).isoformat()
    for _ in range(count):
        prefect_rest(
            api_url,
            "POST",
            f"/deployments/{deployment['id']}/create_flow_run",
            {
                "name": f"{tag}-{uuid.uuid4().hex[:6]}",
                "tags": [tag],
                "state": {"type": "SCHEDULED", "state_details": {"scheduled_time": when}},
                "idempotency_key": str(uuid.uuid4()),
            },
        )


async def stretch(client: Client, person: Person, api_url: str, tag: str) -> dict[str, Any]:
    log("stretch: 3 more runs appear before the yes; the yes covers the 3 it was given for")
    future_runs(api_url, tag, 3)
    arguments = {"state": "SCHEDULED", "filter_criteria": {"tags": {"all_": [tag]}}}
    asked = len(person.questions)
    person.meanwhile = lambda: future_runs(api_url, tag, 3)
    person.plan = "decline"
    text = await call_err(client, "cancel_flow_runs", arguments)
    check("declined" in text, text)
    messages = [q["message"] for q in person.questions[asked:]]
    check(len(messages) == 2, f"expected a question about 3, then one about 6: {messages}")
    check(messages[0].startswith("Cancel 3 SCHEDULED runs"), messages[0])
    check(messages[1].startswith("Cancel 6 SCHEDULED runs"), messages[1])
    runs = await runs_tagged(client, tag)
    check(len(runs) == 6, f"{runs}")
    check(all(r["state"]["type"] == "SCHEDULED" for r in runs), f"a run changed: {runs}")
    person.plan = "accept"
    return {"asked": messages, "scheduled": len(runs)}


async def variable(client: Client, person: Person) -> dict[str, Any]:
    log("set_variable over an existing value: declined, then confirmed")
    name = f"writes_py_{uuid.uuid4().hex[:8]}"
    await call(client, "set_variable", {"name": name, "value": {"max": 3}})
    person.plan = "decline"
    text = await call_err(client, "set_variable", {"name": name, "value": {"max": 4}})
    check("declined" in text, text)
    asked = person.questions[-1]["message"]
    check(f'variable "{name}": {{"max":3}} -> {{"max":4}}' in asked, asked)
    kept = await call(client, "get_variable", {"name": name})
    check(kept["value"] == {"max": 3}, f"{kept}")
    person.plan = "accept"
    await call(client, "set_variable", {"name": name, "value": {"max": 4}})
    now = await call(client, "get_variable", {"name": name})
    check(now["value"] == {"max": 4}, f"{now}")
    await call(client, "delete_variable", {"name": name})
    return {"asked": asked}


def status_of(api_url: str, path: str) -> int:
    try:
        prefect_rest(api_url, "GET", path)
        return 200
    except RuntimeError as error:
        return 404 if ": 404 " in str(error) else 0


async def declined_then_confirmed(
    client: Client, person: Person, tool: str, arguments: dict, api_url: str, path: str
) -> str:
    """`tool` declined (the object at `path` stays), then confirmed (it is gone); the question."""
    person.plan = "decline"
    text = await call_err(client, tool, arguments)
    check("declined" in text and "nothing was changed" in text, text)
    asked = person.questions[-1]["message"]
    check(status_of(api_url, path) == 200, f"{path} changed after a decline")
    person.plan = "accept"
    done = await call(client, tool, arguments)
    check(done["deleted"] is True, f"{done}")
    check(status_of(api_url, path) == 404, f"{path} still there after a yes")
    return asked


async def removals(client: Client, person: Person, api_url: str) -> dict[str, Any]:
    log("delete_deployment and delete_concurrency_limit: declined, then confirmed")
    flow = prefect_rest(api_url, "POST", "/flows/", {"name": f"writes-py-flow-{uuid.uuid4().hex[:8]}"})
    deployment = prefect_rest(api_url, "POST", "/deployments/", {"name": "nightly", "flow_id": flow["id"]})
    full_name = f"{flow['name']}/nightly"
    deployment_asked = await declined_then_confirmed(
        client, person, "delete_deployment", {"deployment": full_name}, api_url,
        f"/deployments/{deployment['id']}",
    )
    check(f'Delete deployment "{full_name}"? Its schedules' in deployment_asked, deployment_asked)
    limit = f"writes-py-limit-{uuid.uuid4().hex[:8]}"
    prefect_rest(api_url, "POST", "/v2/concurrency_limits/", {"name": limit, "limit": 2})
    limit_asked = await declined_then_confirmed(
        client, person, "delete_concurrency_limit", {"name": limit}, api_url,
        f"/v2/concurrency_limits/{limit}",
    )
    check(f'Delete concurrency limit "{limit}" (0 of 2 slots held)' in limit_asked, limit_asked)
    prefect_rest(api_url, "DELETE", f"/flows/{flow['id']}")
    return {"deployment_asked": deployment_asked, "limit_asked": limit_asked}


async def main() -> dict[str, Any]:
    binary, api_url, tag = sys.argv[1], sys.argv[2], sys.argv[3]
    person = Person()
    server = StdioServerParameters(
        command=binary, args=[], env={"PREFECT_API_URL": api_url, "PREFECT_MCP_TOOLSETS": "all", "RUST_LOG": "warn"}
    )
    async with Client(server, elicitation_callback=person) as client:
        summary = {
            "protocol": client.session.protocol_version,
            "bulk": await bulk(client, person, tag),
            "delete": await force_and_delete(client, person),
            "resume": await resume(client, person),
            "stretch": await stretch(client, person, api_url, f"{tag}-stretch"),
            "variable": await variable(client, person),
            "removals": await removals(client, person, api_url),
        }
    summary["questions"] = len(person.questions)
    return summary


if __name__ == "__main__":
    try:
        result = asyncio.run(asyncio.wait_for(main(), SESSION_TIMEOUT))
        print(json.dumps({"ok": True, **result}))
    except Exception as exc:  # every failure ends in the summary line
        traceback.print_exception(exc, file=sys.stderr)
        log(f"FAILED: {describe(exc)}")
        print(json.dumps({"ok": False, "error": describe(exc)}))
        sys.exit(1)
