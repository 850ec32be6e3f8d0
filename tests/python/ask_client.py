"""The Python MCP SDK 2.x (protocol 2026-07-28) answers what prefect-mcp-server asks.

The SDK drives Multi Round-Trip Requests itself: the server answers a call with an
InputRequiredResult, the SDK hands each question to the elicitation callback below and retries
the call with the answers and the sealed requestState.

Usage:
  ask_client.py stdio BINARY API_URL
  ask_client.py http URL_A URL_B     (two replicas; every HTTP request alternates between them)

Scenarios, against the sample world of `cargo xtask prefect ensure`:
  ambiguous  diagnose_flow_run "seed-twin" (two runs share the name) -> choose the mcp-params one
  form       create_flow_run_from_deployment "mcp-required/required" without its required
             parameters -> the form is filled -> the run is created with them
  decline    the same, declined -> no run is created
  tampered   a retry with an altered requestState is refused with a clear error

Progress goes to stderr; the last stdout line is a JSON summary. Exits 1 on the first failed check.
"""

import asyncio
import itertools
import json
import sys
import uuid
from typing import Any

import httpx2
from mcp import Client, StdioServerParameters, types
from mcp.client.streamable_http import streamable_http_client

from checks import check, log, text_of

SESSION_TIMEOUT = 150.0
FORM_ANSWER = {"region": "eu-west", "batch_size": 50, "mode": "incremental"}


class RoundRobin(httpx2.AsyncBaseTransport):
    """A load balancer without sticky sessions: each request goes to the next replica."""

    def __init__(self, ports: list[int]):
        self.inner = httpx2.AsyncHTTPTransport()
        self.ports = itertools.cycle(ports)
        self.sent: dict[int, int] = {port: 0 for port in ports}

    async def handle_async_request(self, request):
        port = next(self.ports)
        self.sent[port] += 1
        request.url = request.url.copy_with(port=port)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class Person:
    """The elicitation callback: records each question and answers as `plan` says."""

    def __init__(self):
        self.plan = "accept"
        self.questions: list[dict[str, Any]] = []

    async def __call__(self, context, params: types.ElicitRequestParams):
        schema = params.requested_schema
        self.questions.append({"message": params.message, "schema": schema})
        log(f"  asked: {params.message}")
        if self.plan == "decline":
            return types.ElicitResult(action="decline")
        properties = schema["properties"]
        if "flow_run" in properties:
            options = properties["flow_run"]["oneOf"]
            wanted = [o for o in options if "mcp-params/params" in o["title"]]
            check(len(options) == 2 and len(wanted) == 1, f"unexpected choices: {options}")
            return types.ElicitResult(action="accept", content={"flow_run": wanted[0]["const"]})
        check(set(properties) == set(FORM_ANSWER), f"unexpected form: {schema}")
        check(properties["batch_size"]["type"] == "integer", f"batch_size: {properties}")
        check(properties["mode"].get("enum") == ["full", "incremental"], f"mode: {properties}")
        check(bool(properties["region"].get("description")), f"region: {properties}")
        return types.ElicitResult(action="accept", content=FORM_ANSWER)


async def runs_named(client: Client, name: str) -> list[dict]:
    result = await client.call_tool(
        "filter_flow_runs", {"filter_criteria": {"name": {"any_": [name]}}}
    )
    check(not result.is_error, f"filter_flow_runs failed: {text_of(result)}")
    return result.structured_content["flow_runs"]


async def scenarios(client: Client, person: Person) -> dict[str, Any]:
    summary: dict[str, Any] = {}

    log("ambiguous run name -> choice")
    person.plan = "accept"
    twins = await runs_named(client, "seed-twin")
    check(len(twins) == 2, f"expected two seed-twin runs, got {len(twins)}")
    asked = len(person.questions)
    result = await client.call_tool("diagnose_flow_run", {"flow_run": "seed-twin"})
    check(not result.is_error, f"diagnose failed: {text_of(result)}")
    chosen = result.structured_content["flow_run"]
    check(chosen["parameters"].get("n") == 1, f"not the mcp-params twin: {chosen}")
    check(len(person.questions) == asked + 1, "the choice was not asked exactly once")
    summary["ambiguous"] = {"chosen": chosen["id"], "asked": person.questions[-1]["message"]}

    log("missing parameters -> form -> run created with them")
    name = f"ask-form-{uuid.uuid4().hex[:8]}"
    result = await client.call_tool(
        "create_flow_run_from_deployment",
        {"deployment_id": "mcp-required/required", "name": name},
    )
    check(not result.is_error, f"create failed: {text_of(result)}")
    created = result.structured_content
    check(created["flow_run_name"] == name, f"{created}")
    for key, value in FORM_ANSWER.items():
        check(created["flow_run"]["parameters"].get(key) == value, f"{key}: {created}")
    summary["form"] = {"flow_run_id": created["flow_run_id"], "parameters": FORM_ANSWER}

    log("missing parameters -> declined -> nothing created")
    person.plan = "decline"
    name = f"ask-declined-{uuid.uuid4().hex[:8]}"
    result = await client.call_tool(
        "create_flow_run_from_deployment",
        {"deployment_id": "mcp-required/required", "name": name},
    )
    text = text_of(result)
    check(result.is_error and "declined" in text and "no flow run was created" in text, text)
    check(await runs_named(client, name) == [], f"a run named {name} exists after a decline")
    summary["decline"] = {"error": text}

    log("tampered requestState -> clear error")
    person.plan = "accept"
    first = await client.session.call_tool(
        "diagnose_flow_run", {"flow_run": "seed-twin"}, allow_input_required=True
    )
    check(isinstance(first, types.InputRequiredResult), f"expected input_required: {first}")
    state = first.request_state
    tampered = state[:-4] + ("AAAA" if not state.endswith("AAAA") else "BBBB")
    answer = {"flow_run": types.ElicitResult(action="accept", content={"flow_run": chosen["id"]})}
    result = await client.session.call_tool(
        "diagnose_flow_run",
        {"flow_run": "seed-twin"},
        input_responses=answer,
        request_state=tampered,
    )
    text = text_of(result)
    check(result.is_error and "requestState" in text and "rejected" in text, f"{result}")
    summary["tampered"] = {"error": text}
    summary["questions"] = len(person.questions)
    return summary


async def main() -> dict[str, Any]:
    person = Person()
    mode = sys.argv[1]
    if mode == "stdio":
        binary, api_url = sys.argv[2], sys.argv[3]
        server = StdioServerParameters(
            command=binary, args=[], env={"PREFECT_API_URL": api_url, "RUST_LOG": "warn"}
        )
        async with Client(server, elicitation_callback=person) as client:
            summary = await scenarios(client, person)
            summary["protocol"] = client.session.protocol_version
        return summary
    url_a, url_b = sys.argv[2], sys.argv[3]
    ports = [httpx2.URL(url_a).port, httpx2.URL(url_b).port]
    balancer = RoundRobin(ports)
    http = httpx2.AsyncClient(transport=balancer, timeout=60.0)
    async with http:
        transport = streamable_http_client(url_a, http_client=http)
        async with Client(transport, elicitation_callback=person) as client:
            summary = await scenarios(client, person)
            summary["protocol"] = client.session.protocol_version
    summary["requests_per_replica"] = list(balancer.sent.values())
    check(all(n > 0 for n in balancer.sent.values()), f"a replica got nothing: {balancer.sent}")
    return summary


if __name__ == "__main__":
    try:
        result = asyncio.run(asyncio.wait_for(main(), SESSION_TIMEOUT))
        print(json.dumps({"ok": True, **result}))
    except Exception as exc:  # every failure ends in the summary line
        log(f"FAILED: {type(exc).__name__}: {exc}")
        print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}))
        sys.exit(1)
