"""Step 4 of seed.py: the operations world, nothing of which the runner serves.

Work pools without workers, a paused pool and a paused queue, a deployment of the flow "mcp-late"
in "mcp-pool" with one overdue run ("seed-late") that the server marks Late, a global concurrency
limit, an automation, two variables, two artifacts under one key (a table, then a markdown
report) and a Secret block holding a JSON object (which Prefect answers in clear); each is looked
up first and only created (or corrected) when needed.
"""

import datetime
import json
import subprocess
import sys
import time
from pathlib import Path

from seed_api import Api, SeedError, correct, deployment_path, ensure, quoted

# The operations world (step 4). "mcp-pool" never gets a worker; nothing may be paused beyond
# what is listed here (a test expects "paused-schedule" to be the only paused deployment).
POOL = "mcp-pool"
PAUSED_QUEUE = "mcp-paused-queue"
PAUSED_POOL = "mcp-paused-pool"
LATE_FLOW = "mcp-late"
LATE_DEPLOYMENT = "late-deployment"
LATE_RUN = "seed-late"
LATE_TIMEOUT = 90.0  # the late-runs service marks an overdue run within about 20 s
GLOBAL_LIMIT = "mcp-limit"
AUTOMATION = "mcp-notify-on-failure"
# Variables (name -> JSON value) that the variable tools read; tests never change these two.
VARIABLES = {
    "mcp_threshold": 10,
    "mcp_settings": {"region": "eu-west", "retries": 3},
}
# Two versions of one report, on the late run: a table, then (the latest) a markdown text.
REPORT_KEY = "mcp-report"
REPORT_ROWS = [{"region": "eu", "rows": 10}, {"region": "us", "rows": 7}]
REPORT_MARKDOWN = "# Nightly report\n\nAll regions loaded."
# A Secret block as `Secret(value={...}).save(name)` makes it; the value is a sample's, not a
# credential, and the server must never show it.
SECRET_BLOCK = "mcp-secret"
SECRET_VALUE = {"user": "mcp", "password": "sample-not-a-real-password"}
# A fresh server registers its block types in the background after it answers; when that lost
# to SQLite's lock ("database is locked", seen on 3.4.25) it is never retried, so after a grace
# period the seed registers Prefect's system blocks itself, as `prefect block register` does.
SECRET_TYPE_GRACE = 20.0
SECRET_TYPE_TIMEOUT = 90.0
REGISTER_ATTEMPTS = 3



def ensure_work_pool(api: Api, name: str, paused: bool) -> dict:
    path = f"/work_pools/{quoted(name)}"
    pool = ensure(api, f"work pool {name}", path, "/work_pools/",
                  {"name": name, "type": "process", "is_paused": paused})
    correct(api, f"work pool {name}", path, pool, {"is_paused": paused})
    return pool


def ensure_late_run(api: Api, deployment: dict) -> dict:
    """One SCHEDULED run of the late deployment, due ten minutes ago. An existing one is reused;
    if someone moved it on (cancelled it, say), a new one is made under the next idempotency key,
    so that a retried or repeated create never adds a second run."""
    existing = api.call("POST", "/flow_runs/filter", json={
        "deployments": {"id": {"any_": [deployment["id"]]}},
        "flow_runs": {"name": {"any_": [LATE_RUN]}},
        "limit": 200,
    })
    for run in existing:
        if (run.get("state") or {}).get("type") == "SCHEDULED":
            return run
    print(f"  creating the overdue run {LATE_RUN}", flush=True)
    due = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=10)
    return api.call("POST", f"/deployments/{deployment['id']}/create_flow_run", json={
        "name": LATE_RUN,
        "tags": ["seed"],
        "idempotency_key": f"xtask-seed:{LATE_RUN}:{len(existing)}",
        "state": {"type": "SCHEDULED", "state_details": {"scheduled_time": due.isoformat()}},
    })


def ensure_automation(api: Api) -> dict:
    """Automations have no unique name and no lookup by name: list them, create when missing,
    and drop duplicates that an ambiguous (timed out, retried) create may have left."""
    def named():
        automations = api.call("POST", "/automations/filter", json={"limit": 200})
        return sorted((a for a in automations if a["name"] == AUTOMATION),
                      key=lambda a: a.get("created") or "")

    found = named()
    if not found:
        print(f"  creating automation {AUTOMATION}", flush=True)
        api.call("POST", "/automations/", json={
            "name": AUTOMATION,
            "description": "Reacts to every failed flow run (and does nothing).",
            "enabled": True,
            "trigger": {
                "type": "event",
                "posture": "Reactive",
                "expect": ["prefect.flow-run.Failed"],
                "match": {"prefect.resource.id": "prefect.flow-run.*"},
                "threshold": 1,
                "within": 0,
            },
            "actions": [{"type": "do-nothing"}],
        })
        found = named()
    for duplicate in found[1:]:
        api.call("DELETE", f"/automations/{duplicate['id']}", ok=(200, 204, 404))
    return found[0]


def ensure_report(api: Api, run_id: str) -> None:
    """As the SDK stores them: a table's rows as a JSON-encoded string, markdown as text."""
    found = api.call("POST", "/artifacts/filter",
                     json={"artifacts": {"key": {"any_": [REPORT_KEY]}}, "limit": 10})
    if len(found) >= 2:
        return
    print(f"  creating the artifacts of key {REPORT_KEY}", flush=True)
    for kind, data, description in (
        ("table", json.dumps(REPORT_ROWS), "Rows loaded per region"),
        ("markdown", REPORT_MARKDOWN, "The nightly report"),
    ):
        api.call("POST", "/artifacts/", json={
            "key": REPORT_KEY, "type": kind, "data": data, "description": description,
            "flow_run_id": run_id,
        })
        time.sleep(0.05)  # distinct creation times: "latest" is the markdown one


def wait_for_block_type(api: Api, slug: str, seconds: float) -> dict | None:
    """The block type of `slug`, once Prefect has it; None after `seconds`."""
    deadline = time.monotonic() + seconds
    while (block_type := api.call("GET", f"/block_types/slug/{slug}", ok=(200, 404))) is None:
        if time.monotonic() > deadline:
            return None
        time.sleep(1.0)
    return block_type


def register_system_blocks() -> None:
    """Prefect's own block types and schemas, registered with the CLI of the Prefect beside this
    Python (PREFECT_API_URL names the server); retried, as SQLite's lock may refuse a write."""
    prefect = Path(sys.executable).with_name("prefect")
    command = [str(prefect), "block", "register", "-m", "prefect.blocks.system"]
    for attempt in range(1, REGISTER_ATTEMPTS + 1):
        done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
        if done.returncode == 0:
            return
        if attempt == REGISTER_ATTEMPTS:
            raise SeedError(f"{' '.join(command[1:])} failed ({done.returncode}): "
                            f"{(done.stderr or done.stdout).strip()[-800:]}")
        time.sleep(2.0 * attempt)


def ensure_secret_block(api: Api) -> None:
    path = f"/block_types/slug/secret/block_documents/name/{quoted(SECRET_BLOCK)}"
    if api.call("GET", path, ok=(200, 404)) is not None:
        return
    print(f"  creating the Secret block {SECRET_BLOCK}", flush=True)
    block_type = wait_for_block_type(api, "secret", SECRET_TYPE_GRACE)
    if block_type is None:
        print("  registering Prefect's system block types (the server's own registration "
              "did not happen)", flush=True)
        register_system_blocks()
        block_type = wait_for_block_type(api, "secret", SECRET_TYPE_TIMEOUT)
    if block_type is None:
        raise SeedError(f"Prefect has no Secret block type {SECRET_TYPE_TIMEOUT:.0f} s after "
                        "`prefect block register -m prefect.blocks.system`")
    schemas = api.call("POST", "/block_schemas/filter", json={
        "block_schemas": {"block_type_id": {"any_": [block_type["id"]]}}})
    api.call("POST", "/block_documents/", json={
        "name": SECRET_BLOCK, "block_type_id": block_type["id"],
        "block_schema_id": schemas[0]["id"], "data": {"value": SECRET_VALUE},
    })


def seed_operations(api: Api) -> dict:
    """Step 4: what the work pool, dashboard and diagnosis tools look at. Returns the late run."""
    ensure_work_pool(api, POOL, paused=False)
    ensure_work_pool(api, PAUSED_POOL, paused=True)
    queue_path = f"/work_pools/{quoted(POOL)}/queues/{quoted(PAUSED_QUEUE)}"
    queue = ensure(api, f"queue {POOL}/{PAUSED_QUEUE}", queue_path,
                   f"/work_pools/{quoted(POOL)}/queues",
                   {"name": PAUSED_QUEUE, "is_paused": True})
    correct(api, f"queue {POOL}/{PAUSED_QUEUE}", queue_path, queue, {"is_paused": True})

    flow = ensure(api, f"flow {LATE_FLOW}", f"/flows/name/{quoted(LATE_FLOW)}", "/flows/",
                  {"name": LATE_FLOW, "tags": ["mcp-demo", "late"]})
    placement = {"work_pool_name": POOL, "work_queue_name": "default", "concurrency_limit": 1}
    deployment = ensure(api, f"deployment {LATE_FLOW}/{LATE_DEPLOYMENT}",
                        deployment_path(LATE_FLOW, LATE_DEPLOYMENT), "/deployments/", {
                            "name": LATE_DEPLOYMENT,
                            "flow_id": flow["id"],
                            "entrypoint": "sample_flows.py:late",
                            "path": ".",
                            "tags": ["mcp-demo", "late"],
                            "description": "In mcp-pool, which no worker polls: its runs go Late.",
                            **placement,
                        })
    # Newer servers keep a deployment's limit in a global concurrency limit of its own and
    # answer `concurrency_limit: null`.
    current = dict(deployment, concurrency_limit=deployment.get("concurrency_limit")
                   or (deployment.get("global_concurrency_limit") or {}).get("limit"))
    correct(api, f"deployment {LATE_FLOW}/{LATE_DEPLOYMENT}", f"/deployments/{deployment['id']}",
            current, placement)
    late_run = ensure_late_run(api, deployment)

    limit_path = f"/v2/concurrency_limits/{quoted(GLOBAL_LIMIT)}"
    limit = ensure(api, f"global concurrency limit {GLOBAL_LIMIT}", limit_path,
                   "/v2/concurrency_limits/", {"name": GLOBAL_LIMIT, "limit": 1})
    correct(api, f"global concurrency limit {GLOBAL_LIMIT}", limit_path, limit, {"limit": 1})
    ensure_automation(api)
    for name, value in VARIABLES.items():
        path = f"/variables/name/{quoted(name)}"
        variable = ensure(api, f"variable {name}", path, "/variables/",
                          {"name": name, "value": value, "tags": ["mcp-demo"]})
        correct(api, f"variable {name}", path, variable, {"value": value})
    ensure_report(api, late_run["id"])
    ensure_secret_block(api)
    return late_run
