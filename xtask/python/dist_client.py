"""One MCP session with an installed prefect-mcp-server, launched the way an MCP client's config
launches it (a command, its arguments, an environment), for `cargo xtask dist --verify`.

Usage: dist_client.py SPEC_JSON, where SPEC_JSON is an object:
  command, args, env: how to launch the server (env is all it gets besides the SDK's defaults:
                      HOME, PATH, ...; as an MCP client does);
  expect_tools:       the tool names tools/list must return, exactly;
  api_url:            the Prefect API URL the server must report it talks to;
  expect_flow:        a flow name list_flows must show (the sample world's).
Prints one JSON line: the server's name and version, the tool count, and wall-clock times
(launched_at, first_answer_at: when tools/list answered). Exits 1 with the reason on stderr when
a check fails.
"""

import asyncio
import json
import sys
import time
from datetime import timedelta

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

# A cold `uvx` run installs the wheel before the server answers.
SESSION_TIMEOUT = 120.0
CALL_TIMEOUT = timedelta(seconds=60)


class CheckFailed(Exception):
    pass


async def call(session: ClientSession, tool: str, arguments: dict) -> dict:
    result = await session.call_tool(tool, arguments, read_timeout_seconds=CALL_TIMEOUT)
    text = "\n".join(c.text for c in result.content if getattr(c, "type", "") == "text")
    if result.isError or result.structuredContent is None:
        raise CheckFailed(f"{tool} failed: {text[:500]}")
    return result.structuredContent


async def session(spec: dict) -> dict:
    params = StdioServerParameters(command=spec["command"], args=spec["args"], env=spec["env"])
    launched_at = time.time()
    async with stdio_client(params) as (read, write), ClientSession(read, write) as client:
        init = await client.initialize()
        tools = (await client.list_tools()).tools
        first_answer_at = time.time()
        names = sorted(t.name for t in tools)
        expected = sorted(spec["expect_tools"])
        if names != expected:
            missing = sorted(set(expected) - set(names))
            extra = sorted(set(names) - set(expected))
            raise CheckFailed(f"tools/list differs: missing {missing}, unexpected {extra}")
        info = await call(client, "get_server_info", {})
        if info.get("api_url") != spec["api_url"]:
            raise CheckFailed(
                f"get_server_info says {info.get('api_url')!r}, expected {spec['api_url']!r}"
            )
        flows = await call(client, "list_flows", {"limit": 200})
        flow_names = {f["name"] for f in flows["flows"]}
        if spec["expect_flow"] not in flow_names:
            raise CheckFailed(f"list_flows lacks {spec['expect_flow']!r}: {sorted(flow_names)}")
        return {
            "server": f"{init.serverInfo.name} {init.serverInfo.version}",
            "tools": len(names),
            "launched_at": launched_at,
            "first_answer_at": first_answer_at,
        }


def main() -> int:
    spec = json.loads(sys.argv[1])
    try:
        summary = asyncio.run(asyncio.wait_for(session(spec), SESSION_TIMEOUT))
    except CheckFailed as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except TimeoutError:
        print(f"the session did not finish within {SESSION_TIMEOUT:.0f} s", file=sys.stderr)
        return 1
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
