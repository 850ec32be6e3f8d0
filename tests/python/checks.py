"""Helpers shared by the Python client scripts."""

import json
import sys
import time
import urllib.error
import urllib.request


class CheckFailed(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def text_of(result) -> str:
    return "\n".join(c.text for c in result.content if getattr(c, "type", "") == "text")


def describe(exc: BaseException) -> str:
    """The innermost errors of an exception group, as text: the SDK's task groups wrap them."""
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(describe(e) for e in exc.exceptions)
    return f"{type(exc).__name__}: {exc}"


# What Prefect's own client and prefect-api retry: Prefect on SQLite answers 503 ("database is
# locked", the write did not happen) while another test's write holds the lock.
RETRIED = {429, 502, 503}
ATTEMPTS = 6


def prefect_rest(api_url: str, method: str, path: str, body=None):
    """One request to Prefect's REST API (stdlib only: the venvs hold just the MCP SDK), with
    429/502/503, a refused connection and a timeout retried on a backoff. The writes sent through
    it cannot make two of anything: runs carry an idempotency key, flows and deployments are
    upserts, and Prefect refuses a second concurrency limit of one name."""
    data = None if body is None else json.dumps(body).encode()
    for attempt in range(ATTEMPTS):
        request = urllib.request.Request(
            api_url + path, data=data, method=method, headers={"content-type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                text = answer.read()
            return json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            if error.code not in RETRIED or attempt + 1 == ATTEMPTS:
                raise RuntimeError(f"{method} {path}: {error.code} {error.read()[:500]!r}") from error
            log(f"Prefect answered {error.code} to {method} {path}; retrying")
        except (urllib.error.URLError, TimeoutError) as error:
            if attempt + 1 == ATTEMPTS:
                raise RuntimeError(f"{method} {path}: {error}") from error
            log(f"{method} {path} failed ({error}); retrying")
        time.sleep(0.5 * 2**attempt)
