"""Build the sample world on a local Prefect server (`cargo xtask prefect seed`).

Expects PREFECT_API_URL and a runner (runner.py) serving the deployments, started by the caller.
Plain httpx against the REST API, so that every request is visible and retried the same way.

Steps, each safe to repeat:
1. wait until the runner has created every deployment of runner.DEPLOYMENTS (and, when it was
   just started, until it polls them: a restarted runner re-applies the deployments, which
   replaces the "hourly" schedule and drops its SCHEDULED runs, so older state cannot be trusted);
2. tag the flows (flows created by a runner have no tags; PATCH /flows/{id} sets them);
3. wait until the server's scheduler has created the SCHEDULED runs of the active "hourly"
   deployment, so that tests start after that burst of writes, never during it;
4. the operations world, nothing of which the runner serves (see `seed_operations`): work pools
   without workers, a paused pool and a paused queue, a deployment of the flow "mcp-late" in
   "mcp-pool" with one overdue run ("seed-late") that the server marks Late, a global concurrency
   limit, an automation and two variables; each is looked up first and only created (or
   corrected) when needed;
5. start one run of hello, fail, params and the unicode flow, and two runs that share the name
   "seed-twin", with fixed names and idempotency keys (a second seed returns the same runs instead of adding new ones), wait for their final
   states and check them, and check that the failed run's logs reached the server; then wait
   until "seed-late" is Late;
6. print a summary.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx

from runner import DEPLOYMENTS

FINAL = {"COMPLETED", "FAILED", "CANCELLED", "CRASHED"}
FAIL_MESSAGE = "sample failure: the input file was missing"

# (deployment, run name, parameters, expected final state type)
SEED_RUNS = [
    (("mcp-hello", "hello"), "seed-hello", {"who": "seed"}, "COMPLETED"),
    (("mcp-fail", "fail"), "seed-fail", {}, "FAILED"),
    (("mcp-params", "params"), "seed-params", {"n": 3, "who": "MCP"}, "COMPLETED"),
    (("mcp ünïcode flow", "ünïcode deployment"), "seed-ünïcode", {}, "COMPLETED"),
    # Two runs that share a name (of different flows, so that each keeps its own idempotency
    # key): the tools that take a run name must ask which one is meant.
    (("mcp-hello", "hello"), "seed-twin", {"who": "twin"}, "COMPLETED"),
    (("mcp-params", "params"), "seed-twin", {"n": 1, "who": "twin"}, "COMPLETED"),
]


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


class SeedError(Exception):
    pass


class Api:
    """Thin REST helper that retries what SQLite contention makes transient (429/502/503,
    timeouts). Only used for requests that are safe to repeat."""

    def __init__(self, url: str):
        self.client = httpx.Client(base_url=url.rstrip("/"), timeout=httpx.Timeout(60.0))

    def call(self, method: str, path: str, ok=(200, 201), **kwargs):
        last = None
        for attempt in range(8):
            try:
                response = self.client.request(method, path, **kwargs)
            except httpx.TransportError as exc:  # includes timeouts
                last = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code == 404 and 404 in ok:
                    return None  # "not there (yet)", for lookups that poll
                if response.status_code in ok:
                    return response.json() if response.content else None
                if response.status_code not in (429, 502, 503):
                    raise SeedError(
                        f"{method} {path} -> {response.status_code}: {response.text[:500]}"
                    )
                last = f"{response.status_code}: {response.text[:200]}"
                retry_after = response.headers.get("retry-after", "")
                if retry_after.replace(".", "", 1).isdigit():
                    time.sleep(min(float(retry_after), 10.0))
            time.sleep(min(0.5 * 2**attempt, 8.0))
        raise SeedError(f"{method} {path} kept failing; last error: {last}")


def log_tail(path: str | None, lines: int = 40) -> str:
    if not path:
        return ""
    try:
        text = Path(path).read_text(errors="replace").splitlines()
    except OSError as exc:
        return f"(cannot read {path}: {exc})"
    return f"\n--- last {lines} lines of {path} ---\n" + "\n".join(text[-lines:])


def pid_alive(pid: int | None) -> bool:
    if pid is None:
        return True  # unknown: assume alive
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:
        return True


def wait_for(what: str, timeout: float, check, args, interval: float = 1.0):
    """Poll `check()` until it returns a truthy value; fail early if the runner died."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if not pid_alive(args.runner_pid):
            raise SeedError(f"the runner (pid {args.runner_pid}) exited while waiting for {what}"
                            + log_tail(args.runner_log))
        if time.monotonic() > deadline:
            raise SeedError(f"timed out after {timeout:.0f} s waiting for {what}"
                            + log_tail(args.runner_log))
        time.sleep(interval)


def parse_time(text: str) -> datetime.datetime:
    # Python < 3.11 does not accept a "Z" suffix.
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def deployment_path(flow_name: str, deployment_name: str) -> str:
    return f"/deployments/name/{quote(flow_name, safe='')}/{quote(deployment_name, safe='')}"


def quoted(name: str) -> str:
    return quote(name, safe="")


def ensure(api: Api, what: str, path: str, create_path: str, body: dict) -> dict:
    """The object at `path`, created from `body` when missing. A 409 on create means a retried
    request whose first attempt went through, so the object is read again either way."""
    found = api.call("GET", path, ok=(200, 404))
    if found is None:
        print(f"  creating {what}", flush=True)
        api.call("POST", create_path, ok=(200, 201, 409), json=body)
        found = api.call("GET", path)
    return found


def correct(api: Api, what: str, path: str, found: dict, wanted: dict) -> None:
    """PATCH the fields of `found` that differ from `wanted` (and nothing when none do)."""
    diff = {key: value for key, value in wanted.items() if found.get(key) != value}
    if diff:
        print(f"  correcting {what}: {diff}", flush=True)
        api.call("PATCH", path, ok=(200, 204), json=diff)


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
    return late_run


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runner-pid", type=int)
    parser.add_argument("--runner-log")
    parser.add_argument("--runner-started", type=float,
                        help="Unix time at which a new runner was started")
    parser.add_argument("--timeout", type=float, default=180.0,
                        help="seconds to wait for each stage")
    args = parser.parse_args()
    api = Api(os.environ["PREFECT_API_URL"])
    started = time.monotonic()

    # 1. Deployments, created by the runner at its start.
    expected = [(f.name, name) for f, name, _ in DEPLOYMENTS]

    since = None
    if args.runner_started is not None:
        since = datetime.datetime.fromtimestamp(args.runner_started, datetime.timezone.utc)

    def polled_since_start(deployment) -> bool:
        if since is None:
            return True
        last_polled = deployment.get("last_polled")
        return bool(last_polled) and parse_time(last_polled) >= since

    def all_deployments():
        found = {}
        for key in expected:
            deployment = api.call("GET", deployment_path(*key), ok=(200, 404))
            if deployment is None or not polled_since_start(deployment):
                return None
            found[key] = deployment
        return found

    print(f"waiting for the runner to create {len(expected)} deployments...", flush=True)
    deployments = wait_for("the deployments", args.timeout, all_deployments, args)

    # 2. Flow tags: the union of the tags of each flow's deployments.
    flow_tags: dict[str, list[str]] = {}
    for f, _, kwargs in DEPLOYMENTS:
        tags = flow_tags.setdefault(f.name, [])
        tags.extend(t for t in kwargs.get("tags", []) if t not in tags)
    for flow_name, tags in flow_tags.items():
        flow = api.call("GET", f"/flows/name/{quote(flow_name, safe='')}")
        api.call("PATCH", f"/flows/{flow['id']}", ok=(200, 204), json={"tags": tags})

    # 3. The scheduler's runs of the active schedule.
    hourly = deployments[("mcp-scheduled", "hourly")]

    def scheduled_runs():
        return api.call("POST", "/flow_runs/filter", json={
            "deployments": {"id": {"any_": [hourly["id"]]}},
            "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}},
            "limit": 50,
        })

    print("waiting for the scheduler to schedule mcp-scheduled/hourly...", flush=True)
    wait_for("the scheduler's runs of mcp-scheduled/hourly", args.timeout, scheduled_runs, args)

    # 4. The operations world; its late run is checked after the sample runs, to overlap waits.
    print("seeding work pools, the late deployment, a concurrency limit and an automation...",
          flush=True)
    late_run = seed_operations(api)
    late_deadline = time.monotonic() + LATE_TIMEOUT

    # 5. Sample runs. A fixed idempotency key makes both a retried request and a second seed
    # return the existing run.
    runs = []
    for key, run_name, parameters, expected_state in SEED_RUNS:
        deployment = deployments[key]
        run = api.call("POST", f"/deployments/{deployment['id']}/create_flow_run", json={
            "name": run_name,
            "parameters": parameters,
            "tags": ["seed"],
            "idempotency_key": f"xtask-seed:{run_name}",
        })
        runs.append((key, run["id"], run_name, expected_state))

    def all_final():
        states = {}
        for _, run_id, _, _ in runs:
            run = api.call("GET", f"/flow_runs/{run_id}")
            state = run.get("state") or {}
            if state.get("type") not in FINAL:
                return None
            states[run_id] = state
        return states

    print(f"waiting for {len(runs)} sample runs to finish...", flush=True)
    states = wait_for("the sample runs to finish", args.timeout, all_final, args)
    for key, run_id, run_name, expected_state in runs:
        state = states[run_id]
        if state["type"] != expected_state:
            raise SeedError(
                f"run {run_name} of {'/'.join(key)} ended {state['type']} ({state.get('message')!r}),"
                f" expected {expected_state}" + log_tail(args.runner_log)
            )

    # Logs are shipped in batches by the run's process; wait for the failure to arrive.
    fail_id = next(run_id for _, run_id, name, _ in runs if name == "seed-fail")

    def failure_logged():
        logs = api.call("POST", "/logs/filter", json={
            "logs": {"flow_run_id": {"any_": [fail_id]}}, "limit": 200,
        })
        return any(FAIL_MESSAGE in log["message"] for log in logs)

    wait_for("the failed run's logs", 60.0, failure_logged, args)

    def late_marked():
        run = api.call("GET", f"/flow_runs/{late_run['id']}")
        return (run.get("state") or {}).get("name") == "Late"

    print(f"waiting for {LATE_RUN} to be marked Late...", flush=True)
    wait_for(f"the server to mark {LATE_RUN} ({late_run['id']}) Late",
             max(late_deadline - time.monotonic(), 1.0), late_marked, args)

    # 6. Summary.
    flows = api.call("POST", "/flows/filter", json={"sort": "NAME_ASC", "limit": 200})
    print(f"\nflows ({len(flows)}):")
    for flow in flows:
        print(f"  {flow['name']:<20} tags={flow['tags']}")
    all_deps = api.call("POST", "/deployments/filter", json={"sort": "NAME_ASC", "limit": 200})
    flow_names = {flow["id"]: flow["name"] for flow in flows}
    print(f"deployments ({len(all_deps)}):")
    for d in all_deps:
        schedule = "no schedule"
        if d.get("schedules"):
            schedule = "schedule " + ("paused" if d["paused"] else "active")
        print(f"  {flow_names.get(d['flow_id'], '?') + '/' + d['name']:<40} {schedule:<16} "
              f"tags={d['tags']}")
    print("sample runs:")
    for key, run_id, run_name, _ in runs:
        print(f"  {run_name:<14} {'/'.join(key):<40} {states[run_id]['type']}")
    scheduled = scheduled_runs()
    print(f"scheduled runs of mcp-scheduled/hourly: {len(scheduled)}")
    pools = api.call("POST", "/work_pools/filter", json={"limit": 200})
    print(f"work pools ({len(pools)}):")
    for pool in pools:
        queues = api.call("POST", f"/work_pools/{quoted(pool['name'])}/queues/filter", json={})
        print(f"  {pool['name']:<20} {pool.get('status') or '?':<10} paused={pool['is_paused']} "
              f"queues={[(q['name'], 'paused' if q['is_paused'] else 'active') for q in queues]}")
    print(f"late run: {LATE_RUN} of {LATE_FLOW}/{LATE_DEPLOYMENT} ({late_run['id']})")
    print(f"global concurrency limit: {GLOBAL_LIMIT}; automation: {AUTOMATION}; "
          f"variables: {', '.join(VARIABLES)}")
    print(f"seeded in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except SeedError as exc:
        print(f"seed failed: {exc}", file=sys.stderr)
        sys.exit(1)
