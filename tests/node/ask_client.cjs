// The TypeScript MCP SDK 1.32 (protocol 2025-11-25) answers what prefect-mcp-server asks, through
// server-to-client `elicitation/create` requests over stdio.
//
// Usage: node ask_client.cjs BINARY API_URL   (NODE_PATH = the folder holding the SDK's
// node_modules; run by tests/tests/ask.rs). The same scenarios as tests/python/ask_client.py:
// ambiguous run name -> choice; missing parameters -> form -> run created with them;
// declined -> nothing created. Progress goes to stderr; the last stdout line is a JSON summary.
"use strict";

const { Client } = require("@modelcontextprotocol/sdk/client/index.js");
const { StdioClientTransport } = require("@modelcontextprotocol/sdk/client/stdio.js");
const { ElicitRequestSchema } = require("@modelcontextprotocol/sdk/types.js");

const FORM_ANSWER = { region: "eu-west", batch_size: 50, mode: "incremental" };

function check(condition, message) {
  if (!condition) throw new Error(message);
}

function textOf(result) {
  return (result.content || []).filter((c) => c.type === "text").map((c) => c.text).join("\n");
}

async function main() {
  const [binary, apiUrl] = process.argv.slice(2);
  const person = { plan: "accept", questions: [] };
  const client = new Client(
    { name: "prefect-mcp-ts-test", version: "1.0.0" },
    { capabilities: { elicitation: { form: {} } } },
  );
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    const { message, requestedSchema } = request.params;
    person.questions.push(message);
    console.error(`  asked: ${message}`);
    if (person.plan === "decline") return { action: "decline" };
    const properties = requestedSchema.properties;
    if (properties.flow_run) {
      const options = properties.flow_run.oneOf;
      const wanted = options.filter((o) => o.title.includes("mcp-params/params"));
      check(options.length === 2 && wanted.length === 1, `choices: ${JSON.stringify(options)}`);
      return { action: "accept", content: { flow_run: wanted[0].const } };
    }
    check(
      JSON.stringify(Object.keys(properties).sort()) ===
        JSON.stringify(Object.keys(FORM_ANSWER).sort()),
      `form: ${JSON.stringify(requestedSchema)}`,
    );
    check(properties.batch_size.type === "integer", "batch_size is not an integer field");
    return { action: "accept", content: FORM_ANSWER };
  });
  const transport = new StdioClientTransport({
    command: binary,
    args: [],
    env: { ...process.env, PREFECT_API_URL: apiUrl, RUST_LOG: "warn" },
  });
  await client.connect(transport);
  const summary = {};
  const call = (name, args) =>
    client.callTool({ name, arguments: args }, undefined, { timeout: 90000 });
  const runsNamed = async (name) => {
    const r = await call("filter_flow_runs", { filter_criteria: { name: { any_: [name] } } });
    check(!r.isError, `filter_flow_runs: ${textOf(r)}`);
    return r.structuredContent.flow_runs;
  };
  try {
    console.error("ambiguous run name -> choice");
    const twins = await runsNamed("seed-twin");
    check(twins.length === 2, `expected two seed-twin runs, got ${twins.length}`);
    let r = await call("diagnose_flow_run", { flow_run: "seed-twin" });
    check(!r.isError, `diagnose: ${textOf(r)}`);
    const chosen = r.structuredContent.flow_run;
    check(chosen.parameters.n === 1, `not the mcp-params twin: ${JSON.stringify(chosen)}`);
    summary.ambiguous = { chosen: chosen.id };

    console.error("missing parameters -> form -> run created with them");
    let name = `ask-ts-form-${Date.now()}`;
    r = await call("create_flow_run_from_deployment", {
      deployment_id: "mcp-required/required",
      name,
    });
    check(!r.isError, `create: ${textOf(r)}`);
    for (const [key, value] of Object.entries(FORM_ANSWER)) {
      check(r.structuredContent.flow_run.parameters[key] === value, `${key}: ${textOf(r)}`);
    }
    summary.form = { flow_run_id: r.structuredContent.flow_run_id };

    console.error("missing parameters -> declined -> nothing created");
    person.plan = "decline";
    name = `ask-ts-declined-${Date.now()}`;
    r = await call("create_flow_run_from_deployment", {
      deployment_id: "mcp-required/required",
      name,
    });
    const text = textOf(r);
    check(r.isError && text.includes("declined") && text.includes("no flow run was created"), text);
    check((await runsNamed(name)).length === 0, `a run named ${name} exists after a decline`);
    summary.decline = { error: text };
    summary.questions = person.questions.length;
    check(person.questions.length === 3, `asked ${person.questions.length} times`);
  } finally {
    await client.close();
  }
  return summary;
}

main().then(
  (summary) => console.log(JSON.stringify({ ok: true, ...summary })),
  (error) => {
    console.error(`FAILED: ${error.stack || error}`);
    console.log(JSON.stringify({ ok: false, error: String(error) }));
    process.exit(1);
  },
);
