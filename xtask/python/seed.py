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
4. the operations world, nothing of which the runner serves (see seed_operations.py): work pools
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
from urllib.parse import quote

from runner import DEPLOYMENTS
from seed_api import Api, SeedError, deployment_path, log_tail, parse_time, quoted, wait_for
from seed_operations import (
    AUTOMATION,
    GLOBAL_LIMIT,
    LATE_DEPLOYMENT,
    LATE_FLOW,
    LATE_RUN,
    LATE_TIMEOUT,
    REPORT_KEY,
    SECRET_BLOCK,
    VARIABLES,
    seed_operations,
)

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
          f"variables: {', '.join(VARIABLES)}; artifacts: {REPORT_KEY} (a table, then markdown); "
          f"block: secret/{SECRET_BLOCK}")
    print(f"seeded in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except SeedError as exc:
        print(f"seed failed: {exc}", file=sys.stderr)
        sys.exit(1)