"""The Python MCP SDK 2.x signs in to prefect-mcp-server with OAuth client credentials.

ClientCredentialsOAuthProvider starts from the server's 401 alone: it reads the protected
resource metadata the challenge points to, discovers the authorization server, gets a token for
the scope the challenge names (every scope the server offers), and retries; the authorization
server grants what the client may have. A write tool answered with 403 insufficient_scope makes
it ask for the wider scope (step-up), which the authorization server grants or refuses.

Usage:
  oauth_client.py MCP_URL ISSUER CLIENT_ID CLIENT_SECRET WRITE_TOOL WRITE_ARGUMENTS_JSON

Lists the tools, calls a read tool, lists again after trying WRITE_TOOL (the step-up may have
widened the token), and reports what happened. Progress goes to stderr; the last stdout line is
a JSON summary. Exits 1 on a failed check; a refused write is reported, not a failure.
"""

import asyncio
import json
import sys
from typing import Any

import httpx2
from mcp import Client
from mcp.client.auth.extensions.client_credentials import ClientCredentialsOAuthProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import OAuthClientInformationFull, OAuthToken

from checks import check, describe, log, text_of

SESSION_TIMEOUT = 120.0


class MemoryStorage:
    """Tokens and client information kept for this process only."""

    def __init__(self):
        self.tokens: OAuthToken | None = None
        self.client_info: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client_info = client_info


class Recorder(httpx2.AsyncBaseTransport):
    """Records the status of every response, to show the 401 the sign-in started from."""

    def __init__(self):
        self.inner = httpx2.AsyncHTTPTransport()
        self.seen: list[tuple[str, str, int]] = []

    async def handle_async_request(self, request):
        response = await self.inner.handle_async_request(request)
        self.seen.append((request.method, str(request.url), response.status_code))
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


async def main() -> dict[str, Any]:
    url, issuer, client_id, secret, write_tool, write_args = sys.argv[1:7]
    storage = MemoryStorage()
    auth = ClientCredentialsOAuthProvider(
        server_url=url, storage=storage, client_id=client_id, client_secret=secret, issuer=issuer
    )
    recorder = Recorder()
    summary: dict[str, Any] = {"write": {"refused": False}}
    stage = "connect"
    try:
        async with httpx2.AsyncClient(auth=auth, transport=recorder, timeout=60.0) as http:  # noqa: SIM117 (the client is built on it)
            async with Client(streamable_http_client(url, http_client=http)) as client:
                tools = [t.name for t in (await client.list_tools()).tools]
                summary["tools_before"] = sorted(tools)
                summary["first_scope"] = storage.tokens.scope if storage.tokens else None
                log(f"{client_id}: {len(tools)} tools")
                read = await client.call_tool("search_flows", {"name": "hello"})
                check(not read.is_error, f"search_flows failed: {text_of(read)}")
                summary["read_ok"] = True
                stage = "write"
                result = await client.call_tool(write_tool, json.loads(write_args))
                summary["write"] = {
                    "refused": False,
                    "is_error": bool(result.is_error),
                    "structured": result.structured_content,
                    "text": text_of(result),
                }
                stage = "after"
                tools = [t.name for t in (await client.list_tools(cache_mode="refresh")).tools]
                summary["tools_after"] = sorted(tools)
    except BaseException as exc:  # noqa: BLE001 - a refused step-up ends the connection
        if stage != "write":
            raise
        # The SDK raises the authorization server's refusal out of the connection's task group.
        summary["write"] = {"refused": True, "error": describe(exc)}
    log(f"{client_id}: write {summary['write']}")
    summary["granted_scope"] = storage.tokens.scope if storage.tokens else None
    summary["statuses"] = [status for _, _, status in recorder.seen]
    summary["urls"] = [u for _, u, _ in recorder.seen]
    check(recorder.seen and recorder.seen[0][2] == 401, f"no 401 first: {recorder.seen[:3]}")
    return summary


if __name__ == "__main__":
    try:
        result = asyncio.run(asyncio.wait_for(main(), SESSION_TIMEOUT))
        print(json.dumps({"ok": True, **result}))
    except Exception as exc:  # every failure ends in the summary line
        log(f"FAILED: {describe(exc)}")
        print(json.dumps({"ok": False, "error": describe(exc)}))
        sys.exit(1)
