"""Prompts, resources, completions and live updates with the Python MCP SDK 2.x (protocol
2026-07-28): launches prefect-mcp-server over stdio against the sample world and checks each.

Usage: context_client.py BINARY API_URL (run by tests/tests/context_clients.rs).
Progress goes to stderr; the last stdout line is a JSON summary. Exits 1 on the first failed check.
"""

import asyncio
import json
import os
import sys
import traceback
import uuid

from mcp import Client, StdioServerParameters
from mcp.shared.subscriptions import ResourceUpdated
from mcp.types import PromptReference, ResourceTemplateReference

from checks import check, describe, log, prefect_rest

PROMPTS = {"triage_failures", "why_late", "deployment_health", "explain_run"}
TEMPLATES = {
    "prefect://flow-runs/{id}",
    "prefect://flow-runs/{id}/logs",
    "prefect://deployments/{flow}/{deployment}",
    "prefect://work-pools/{name}",
}
SESSION_TIMEOUT = 150.0
FINAL = {"COMPLETED", "FAILED", "CANCELLED", "CRASHED"}


def prompt_text(result) -> str:
    return "\n".join(m.content.text for m in result.messages if m.content.type == "text")


def resource_text(result) -> str:
    return "\n".join(c.text for c in result.contents)


def find_run(api_url: str, name: str) -> str:
    runs = prefect_rest(api_url, "POST", "/flow_runs/filter", {"flow_runs": {"name": {"any_": [name]}}, "limit": 1})
    check(bool(runs), f"seed run {name} missing")
    return runs[0]["id"]


def start_slow_run(api_url: str) -> str:
    """A run of mcp-slow that sleeps a few seconds, created straight through Prefect's API."""
    deployment = prefect_rest(api_url, "GET", "/deployments/name/mcp-slow/slow")["id"]
    body = {"parameters": {"seconds": 4}, "idempotency_key": str(uuid.uuid4())}
    return prefect_rest(api_url, "POST", f"/deployments/{deployment}/create_flow_run", body)["id"]


async def main(binary: str, api_url: str) -> dict:
    summary: dict = {"ok": False}
    params = StdioServerParameters(
        command=binary,
        env={"PREFECT_API_URL": api_url, "PREFECT_MCP_TOOLSETS": "all", "RUST_LOG": "warn", "PATH": os.environ.get("PATH", "")},
    )
    async with Client(params) as client:
        summary["protocol"] = client.protocol_version
        caps = client.server_capabilities
        check(caps.prompts is not None and caps.resources is not None, f"capabilities {caps}")
        check(caps.completions is not None, "no completions capability")

        # Prompts: listed, and each fetched with real arguments.
        prompts = await client.list_prompts()
        names = {p.name for p in prompts.prompts}
        check(names == PROMPTS, f"prompts {names}")
        fail_id = find_run(api_url, "seed-fail")
        cases = {
            "triage_failures": {"hours": "48"},
            "why_late": {"deployment": "mcp-late/late-deployment"},
            "deployment_health": {"deployment": "mcp-hello/hello"},
            "explain_run": {"flow_run": "seed-fail"},
        }
        expected = {
            "triage_failures": "sample failure: the input file was missing",
            "why_late": "seed-late",
            "deployment_health": "seed-hello",
            "explain_run": "sample failure: the input file was missing",
        }
        sizes = {}
        for name, arguments in cases.items():
            result = await client.get_prompt(name, arguments)
            text = prompt_text(result)
            check(expected[name] in text, f"{name}: {expected[name]!r} not in brief:\n{text[:2000]}")
            check("# Task" in text, f"{name}: no task in the brief")
            # The task comes first; Prefect's text follows inside a fence, said to be data.
            check(
                text.index("# Task") < text.index("<prefect-data>") < text.rindex("</prefect-data>"),
                f"{name}: the data is not fenced after the task",
            )
            sizes[name] = len(text)
        summary["prompt_sizes"] = sizes

        # Resources: templates listed; the list offers failed and late runs and the skill.
        templates = await client.list_resource_templates()
        check({t.uri_template for t in templates.resource_templates} == TEMPLATES, f"{templates}")
        listed = await client.list_resources()
        uris = [r.uri for r in listed.resources]
        check(f"prefect://flow-runs/{fail_id}" in uris, f"failed run not listed: {uris}")
        check("skill://prefect-operations/SKILL.md" in uris, f"skill not listed: {uris}")
        reads = {
            f"prefect://flow-runs/{fail_id}": '"FAILED"',
            f"prefect://flow-runs/{fail_id}/logs": "input file was missing",
            "prefect://deployments/mcp-hello/hello": '"mcp-hello"',
            "prefect://deployments/mcp%20%C3%BCn%C3%AFcode%20flow/%C3%BCn%C3%AFcode%20deployment": "ünïcode deployment",
            "prefect://work-pools/mcp-pool": '"mcp-pool"',
            "skill://prefect-operations/SKILL.md": "name: prefect-operations",
        }
        for uri, needle in reads.items():
            text = resource_text(await client.read_resource(uri))
            check(needle in text, f"{uri}: {needle!r} not in {text[:500]}")

        # Completions: a deployment from two letters, state names, run ids.
        completion = await client.complete(
            PromptReference(type="ref/prompt", name="why_late"), {"name": "deployment", "value": "he"}
        )
        values = completion.completion.values
        check(values[:1] == ["mcp-hello/hello"], f"deployment completion {values}")
        check(len(values) <= 100, "more than 100 values")
        states = await client.complete(
            PromptReference(type="ref/prompt", name="triage_failures"), {"name": "state", "value": "fa"}
        )
        check(states.completion.values[:1] == ["Failed"], f"state completion {states.completion.values}")
        ids = await client.complete(
            ResourceTemplateReference(type="ref/resource", uri="prefect://flow-runs/{id}"),
            {"name": "id", "value": fail_id[:6]},
        )
        check(fail_id in ids.completion.values, f"id completion {ids.completion.values}")
        summary["completions"] = {"deployment": values, "state": states.completion.values}

        # Live updates (subscriptions/listen): a running run's completion is announced.
        run_id = start_slow_run(api_url)
        uri = f"prefect://flow-runs/{run_id}"
        updates = 0
        async with client.listen(resource_subscriptions=[uri]) as subscription:
            check(uri in (subscription.honored.resource_subscriptions or []), f"not honored: {subscription.honored}")
            async for event in subscription:
                check(isinstance(event, ResourceUpdated) and event.uri == uri, f"event {event}")
                updates += 1
                state = json.loads(resource_text(await client.read_resource(uri)))["state"]["type"]
                log(f"update {updates}: {state}")
                if state in FINAL:
                    check(state == "COMPLETED", f"slow run ended {state}")
                    break
        summary["listen_updates"] = updates
    summary["ok"] = True
    return summary


if __name__ == "__main__":
    binary, api_url = sys.argv[1], sys.argv[2]
    try:
        result = asyncio.run(asyncio.wait_for(main(binary, api_url), SESSION_TIMEOUT))
    except Exception as error:  # report any failure as the summary
        # Task groups wrap the real failure: name the innermost ones, and show the traceback.
        traceback.print_exception(error, file=sys.stderr)
        reason = describe(error)
        print(json.dumps({"ok": False, "error": reason}))
        sys.exit(1)
    print(json.dumps(result))
