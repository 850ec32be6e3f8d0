"""REST helpers for seed.py: a retrying client, polling, and get-or-create of named objects."""

import datetime
import time
from pathlib import Path
from urllib.parse import quote

import httpx


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
