// Prompts, resources, completions and live updates with the TypeScript MCP SDK (protocol
// 2025-11-25, `resources/subscribe`): launches prefect-mcp-server over stdio against the sample
// world and checks each.
//
// Usage: node context_client.cjs BINARY API_URL (NODE_PATH = the folder holding the SDK's
// node_modules; run by tests/tests/context_clients.rs). The last stdout line is a JSON summary;
// exits 1 on the first failed check.
"use strict";

const { randomUUID } = require("node:crypto");
const { Client } = require("@modelcontextprotocol/sdk/client/index.js");
const { StdioClientTransport } = require("@modelcontextprotocol/sdk/client/stdio.js");
const { ResourceUpdatedNotificationSchema } = require("@modelcontextprotocol/sdk/types.js");
const { prefectRest } = require("./prefect_rest.cjs");

const [binary, apiUrl] = process.argv.slice(2);
const FINAL = new Set(["COMPLETED", "FAILED", "CANCELLED", "CRASHED"]);

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const prefect = (method, path, body) => prefectRest(apiUrl, method, path, body);

const text = (result) => result.messages.map((m) => m.content.text ?? "").join("\n");
const contents = (result) => result.contents.map((c) => c.text ?? "").join("\n");

async function main() {
  const summary = { ok: false };
  const transport = new StdioClientTransport({
    command: binary,
    env: { PREFECT_API_URL: apiUrl, PREFECT_MCP_TOOLSETS: "all", RUST_LOG: "warn", PATH: process.env.PATH },
  });
  const client = new Client({ name: "context-test", version: "1.0.0" });
  await client.connect(transport);
  try {
    const prompts = (await client.listPrompts()).prompts.map((p) => p.name).sort();
    check(
      JSON.stringify(prompts) ===
        JSON.stringify(["deployment_health", "explain_run", "triage_failures", "why_late"]),
      `prompts ${prompts}`,
    );
    const cases = [
      ["triage_failures", {}, "sample failure: the input file was missing"],
      ["why_late", { deployment: "mcp-late/late-deployment" }, "seed-late"],
      ["deployment_health", { deployment: "mcp-fail/fail" }, "seed-fail"],
      ["explain_run", { flow_run: "seed-hello" }, "COMPLETED"],
    ];
    for (const [name, args, needle] of cases) {
      const brief = text(await client.getPrompt({ name, arguments: args }));
      check(brief.includes(needle), `${name}: ${needle} not in ${brief.slice(0, 1500)}`);
    }

    const templates = (await client.listResourceTemplates()).resourceTemplates.map(
      (t) => t.uriTemplate,
    );
    check(templates.length === 4, `templates ${templates}`);
    const listed = (await client.listResources()).resources.map((r) => r.uri);
    const [failed] = await prefect("POST", "/flow_runs/filter", {
      flow_runs: { name: { any_: ["seed-fail"] } },
      limit: 1,
    });
    check(listed.includes(`prefect://flow-runs/${failed.id}`), `listed ${listed}`);
    const reads = {
      [`prefect://flow-runs/${failed.id}`]: '"FAILED"',
      [`prefect://flow-runs/${failed.id}/logs`]: "input file was missing",
      "prefect://deployments/mcp-fail/fail": '"mcp-fail"',
      "prefect://work-pools/mcp-paused-pool": '"is_paused": true',
      "skill://prefect-operations/references/filters.md": "like_",
    };
    for (const [uri, needle] of Object.entries(reads)) {
      const body = contents(await client.readResource({ uri }));
      check(body.includes(needle), `${uri}: ${needle} not in ${body.slice(0, 500)}`);
    }

    const deployments = await client.complete({
      ref: { type: "ref/prompt", name: "deployment_health" },
      argument: { name: "deployment", value: "fa" },
    });
    check(
      deployments.completion.values.includes("mcp-fail/fail"),
      `completion ${deployments.completion.values}`,
    );
    const pools = await client.complete({
      ref: { type: "ref/resource", uri: "prefect://work-pools/{name}" },
      argument: { name: "name", value: "PAUSED" },
    });
    check(pools.completion.values[0] === "mcp-paused-pool", `pools ${pools.completion.values}`);
    summary.completions = { deployment: deployments.completion.values };

    // Live updates: subscribe to a running run and wait for the update of its final state.
    const deployment = await prefect("GET", "/deployments/name/mcp-slow/slow");
    const run = await prefect("POST", `/deployments/${deployment.id}/create_flow_run`, {
      parameters: { seconds: 4 },
      idempotency_key: randomUUID(),
    });
    const uri = `prefect://flow-runs/${run.id}`;
    let updates = 0;
    const done = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no final-state update within 90 s")), 90_000);
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, async (note) => {
        try {
          check(note.params.uri === uri, `update for ${note.params.uri}`);
          updates += 1;
          const state = JSON.parse(contents(await client.readResource({ uri }))).state.type;
          if (FINAL.has(state)) {
            clearTimeout(timer);
            resolve(state);
          }
        } catch (error) {
          reject(error);
        }
      });
    });
    await client.subscribeResource({ uri });
    const final = await done;
    check(final === "COMPLETED", `slow run ended ${final}`);
    await client.unsubscribeResource({ uri });
    summary.subscribe_updates = updates;
    summary.ok = true;
  } finally {
    await client.close();
  }
  return summary;
}

main().then(
  (summary) => console.log(JSON.stringify(summary)),
  (error) => {
    console.log(JSON.stringify({ ok: false, error: String(error?.stack ?? error) }));
    process.exit(1);
  },
);
