"""Test one package on its own platform, where `cargo xtask dist --verify` does not run (the
release workflow's Windows, macOS and Alpine jobs): install it as a user would, check that
`--version` names the expected target, and run one MCP session through it against a real Prefect.

Usage:
  package_check.py wheel PATH --target TRIPLE --api-url URL
      pip install into a fresh virtualenv; prefect-mcp-server and the prefect-mcp-rs launcher;
  package_check.py bundle PATH --target TRIPLE --api-url URL
      unpack the .mcpb (a zip) and launch the server as its manifest.json says;
  package_check.py command --target TRIPLE --api-url URL -- COMMAND...
      any launch command (e.g. `docker run -i --rm IMAGE` for the container image).

The session (dist_client.py, the one `cargo xtask dist --verify` uses): tools/list must equal the
binary's own `tools` output, get_server_info must report URL, and list_flows must show a flow this
script creates first through Prefect's REST API. Prints one line per check; exits 1 on the first
failure, with the reason.
"""

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.request
import venv
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dist_client import SESSION_TIMEOUT, CheckFailed, session  # noqa: E402

SERVER = "prefect-mcp-server"
LAUNCHER = "prefect-mcp-rs"
CHECK_FLOW = "package-check"


def run(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise CheckFailed(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


def expect_version(command: list[str], target: str) -> str:
    printed = run(command + ["--version"]).strip()
    if not re.fullmatch(rf"{SERVER} \S+ \({re.escape(target)}\)", printed):
        raise CheckFailed(f"`{' '.join(command)} --version` printed {printed!r}: not {target}")
    return printed


def listed_tools(command: list[str]) -> list[str]:
    tools = json.loads(run(command + ["tools"]))["tools"]
    if not tools:
        raise CheckFailed(f"`{' '.join(command)} tools` listed no tools")
    return [tool["name"] for tool in tools]


def create_flow(api_url: str) -> None:
    """POST /flows/ (idempotent in Prefect: an existing name returns that flow)."""
    request = urllib.request.Request(
        f"{api_url.rstrip('/')}/flows/",
        data=json.dumps({"name": CHECK_FLOW}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        if answer.status not in (200, 201):
            raise CheckFailed(f"creating the flow {CHECK_FLOW!r} answered {answer.status}")


def mcp_session(command: list[str], env: dict, tools: list[str], api_url: str) -> dict:
    # The SDK launches the command with exactly this environment plus its safe defaults.
    spec = {
        "command": command[0],
        "args": command[1:],
        "env": env,
        "expect_tools": tools,
        "api_url": api_url,
        "expect_flow": CHECK_FLOW,
    }
    return asyncio.run(asyncio.wait_for(session(spec), SESSION_TIMEOUT))


def check_wheel(wheel: Path, args: argparse.Namespace, work: Path) -> None:
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=True)
    scripts = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = scripts / ("python.exe" if os.name == "nt" else "python")
    # The wheel has no dependencies: nothing else is fetched.
    run([str(python), "-m", "pip", "install", "--no-index", "--no-deps", "--quiet", str(wheel)])
    suffix = ".exe" if os.name == "nt" else ""
    server = [str(scripts / f"{SERVER}{suffix}")]
    print(f"ok  wheel installs: {expect_version(server, args.target)}")
    print(f"ok  launcher: {expect_version([str(scripts / f'{LAUNCHER}{suffix}')], args.target)}")
    check_session(server, server, args)


def check_bundle(bundle: Path, args: argparse.Namespace, work: Path) -> None:
    unpacked = work / "bundle"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(unpacked)
        # zipfile drops Unix modes; `mcpb pack` records them (the binary's executable bit).
        for info in archive.infolist():
            mode = info.external_attr >> 16
            if mode and os.name != "nt":
                os.chmod(unpacked / info.filename, mode & 0o7777)
    manifest = json.loads((unpacked / "manifest.json").read_text(encoding="utf-8"))
    platforms = manifest["compatibility"]["platforms"]
    named = manifest.get("_meta", {}).get("io.github.prefect-mcp", {}).get("target")
    if named != args.target:
        raise CheckFailed(f"the manifest names the target {named!r}, not {args.target}")
    config = manifest["server"]["mcp_config"]
    command = [config["command"].replace("${__dirname}", str(unpacked))] + config["args"]
    print(f"ok  bundle for {platforms}: {expect_version(command, args.target)}")
    # The host fills user_config values into `env`; here only the API URL is set.
    values = {"api_url": args.api_url}
    env = {}
    for name, value in config["env"].items():
        match = re.fullmatch(r"\$\{user_config\.(\w+)\}", value)
        if match is None:
            raise CheckFailed(f"env {name} = {value!r} is not a ${{user_config.KEY}} value")
        key = match.group(1)
        default = manifest["user_config"][key].get("default", "")
        chosen = values.get(key, default)
        env[name] = str(chosen).lower() if isinstance(chosen, bool) else str(chosen)
    check_session(command, command, args, env)


def check_session(command, tools_command, args, env=None) -> None:
    tools = listed_tools(tools_command)
    create_flow(args.api_url)
    summary = mcp_session(command, env or {"PREFECT_API_URL": args.api_url}, tools, args.api_url)
    took = summary["first_answer_at"] - summary["launched_at"]
    print(f"ok  MCP session: {summary['server']}, {summary['tools']} tools, first answer {took:.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["wheel", "bundle", "command"])
    parser.add_argument("path", nargs="?", help="the wheel or bundle")
    parser.add_argument("--target", required=True, help="the Rust target triple it is for")
    parser.add_argument("--api-url", required=True, help="a running Prefect's API URL")
    argv = sys.argv[1:]
    # Everything after `--` is the launch command (for `command`), untouched by argparse.
    launch = argv[argv.index("--") + 1 :] if "--" in argv else []
    args = parser.parse_args(argv[: argv.index("--")] if "--" in argv else argv)
    try:
        with tempfile.TemporaryDirectory(prefix="package-check-") as work:
            if args.kind == "wheel":
                check_wheel(Path(args.path), args, Path(work))
            elif args.kind == "bundle":
                check_bundle(Path(args.path), args, Path(work))
            else:
                if not launch:
                    raise CheckFailed("`command` needs a launch command after --")
                print(f"ok  {expect_version(launch, args.target)}")
                check_session(launch, launch, args)
    except (CheckFailed, OSError, KeyError, TimeoutError, subprocess.TimeoutExpired) as exc:
        print(f"FAILED  {args.kind} {args.path or ''}: {exc!r}", file=sys.stderr)
        return 1
    print(f"package_check: {args.kind} passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
