"""Serve the sample deployments so that their runs really execute.

Started detached by `cargo xtask prefect seed` with PREFECT_API_URL pointing at the local server;
its PID is recorded in target/prefect/state.json and `cargo xtask prefect down` stops it.
Deployments are upserted by name, so restarting this process against the same server is harmless.

DEPLOYMENTS is also read by seed.py (without starting anything) to know what to wait for.
"""

import datetime

from sample_flows import approval, fail, hello, params, required, scheduled, slow, unicode_flow

DEMO = "mcp-demo"

# (flow, deployment name, to_deployment keyword arguments)
DEPLOYMENTS = [
    (hello, "hello", dict(tags=[DEMO, "fast"], description="Returns quickly, with a task run.")),
    (fail, "fail", dict(tags=[DEMO, "failing"], description="Fails inside a task.")),
    (slow, "slow", dict(tags=[DEMO, "slow"], description="Sleeps 600 s; for cancel tests.")),
    (params, "params", dict(tags=[DEMO, "params"], description="Typed parameters n: int, who: str.")),
    (
        required,
        "required",
        dict(tags=[DEMO, "params"], description="Parameters region, batch_size and mode have no default."),
    ),
    (
        scheduled,
        "paused-schedule",
        dict(
            tags=[DEMO, "scheduled"],
            description="An hourly interval schedule, paused.",
            interval=datetime.timedelta(hours=1),
            paused=True,
        ),
    ),
    (
        scheduled,
        "hourly",
        dict(
            tags=[DEMO, "scheduled"],
            description="An active hourly interval schedule; the server's scheduler creates its runs.",
            interval=datetime.timedelta(hours=1),
            paused=False,
        ),
    ),
    (
        unicode_flow,
        "ünïcode deployment",
        dict(tags=[DEMO, "ünïcode"], description="Names with spaces and non-ASCII characters."),
    ),
    (
        approval,
        "approval",
        dict(tags=[DEMO, "approval"], description="Pauses until resumed with an Approval input."),
    ),
]


def main() -> None:
    from prefect import serve

    serve(
        *(f.to_deployment(name, **kwargs) for f, name, kwargs in DEPLOYMENTS),
        # Leave schedules as they are when stopped: the server is thrown away with it anyway,
        # and a restarted runner must not find "hourly" paused.
        pause_on_shutdown=False,
        # Cancel/timeout tests may start several slow runs at once.
        limit=10,
    )


if __name__ == "__main__":
    main()
