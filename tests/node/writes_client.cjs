// The TypeScript MCP SDK 1.32 (protocol 2025-11-25) confirms, declines and fills in the write
// tools' questions, through server-to-client `elicitation/create` requests over stdio.
//
// Usage: node writes_client.cjs BINARY API_URL   (NODE_PATH = the folder holding the SDK's
// node_modules; run by tests/tests/writes.rs). Scenarios:
//   variable  set_variable creates one; delete_variable declined -> it is still there;
//             confirmed -> it is gone
//   resume    a run of mcp-approval/approval paused waiting for an Approval: resume_flow_run
//             asks the form, and the run completes with the answer
// Progress goes to stderr; the last stdout line is a JSON summary.
"use strict";

const { Client } = require("@modelcontextprotocol/sdk/client/index.js");
const { StdioClientTransport } = require("@modelcontextprotocol/sdk/client/stdio.js");
const { ElicitRequestSchema } = require("@modelcontextprotocol/sdk/types.js");

const APPROVAL = { approved: false, note: "typed in typescript" };

function check(condition, message) {
  if (!condition) throw new Error(message);
}

function textOf(result) {
  return (result.content || []).filter((c) => c.type === "text").map((c) => c.text).join("\n");
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  const [binary, apiUrl] = process.argv.slice(2);
  const person = { plan: "accept", questions: [] };
  const client = new Client(
    { name: "prefect-mcp-ts-writes-test", version: "1.0.0" },
    { capabilities: { elicitation: { form: {} } } },
  );
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    const { message, requestedSchema } = request.params;
    person.questions.push({ message, schema: requestedSchema });
    console.error(`  asked: ${message}`);
    if (person.plan === "decline") return { action: "decline" };
    const properties = requestedSchema.properties;
    if (properties.confirm) return { action: "accept", content: { confirm: true } };
    check(
      JSON.stringify(Object.keys(properties).sort()) === JSON.stringify(["approved", "note"]),
      `form: ${JSON.stringify(requestedSchema)}`,
    );
    check(properties.approved.type === "boolean", "approved is not a boolean field");
    check(properties.note.default === "no note", `note: ${JSON.stringify(properties.note)}`);
    return { action: "accept", content: APPROVAL };
  });
  const transport = new StdioClientTransport({
    command: binary,
    args: [],
    env: { ...process.env, PREFECT_API_URL: apiUrl, PREFECT_MCP_TOOLSETS: "all", RUST_LOG: "warn" },
  });
  await client.connect(transport);
  const call = async (name, args) => {
    const r = await client.callTool({ name, arguments: args }, undefined, { timeout: 150000 });
    check(!r.isError, `${name}(${JSON.stringify(args)}): ${textOf(r)}`);
    return r.structuredContent;
  };
  const callErr = async (name, args) => {
    const r = await client.callTool({ name, arguments: args }, undefined, { timeout: 150000 });
    check(r.isError, `${name} should have failed: ${JSON.stringify(r.structuredContent)}`);
    return textOf(r);
  };
  const summary = {};
  try {
    console.error("variable: created, delete declined, delete confirmed");
    const variable = `writes_ts_${Date.now()}`;
    const set = await call("set_variable", { name: variable, value: { n: 1 }, tags: ["ts"] });
    check(set.created === true, JSON.stringify(set));
    person.plan = "decline";
    const declined = await callErr("delete_variable", { name: variable });
    check(declined.includes("declined") && declined.includes("nothing was changed"), declined);
    const asked = person.questions[person.questions.length - 1].message;
    check(asked.includes(`Delete variable "${variable}"`), asked);
    const still = await call("get_variable", { name: variable });
    check(JSON.stringify(still.value) === JSON.stringify({ n: 1 }), JSON.stringify(still));
    person.plan = "accept";
    console.error("variable: overwriting asks, showing the old and the new value");
    await call("set_variable", { name: variable, value: { n: 2 } });
    const overwrite = person.questions[person.questions.length - 1].message;
    check(overwrite.includes(`"${variable}": {"n":1} -> {"n":2}`), overwrite);
    const replaced = await call("get_variable", { name: variable });
    check(JSON.stringify(replaced.value) === JSON.stringify({ n: 2 }), JSON.stringify(replaced));
    const deleted = await call("delete_variable", { name: variable });
    check(deleted.deleted === true, JSON.stringify(deleted));
    const gone = await callErr("get_variable", { name: variable });
    check(gone.includes("Not found"), gone);
    summary.variable = { name: variable, asked, declined };

    console.error("resume: the form, then the run completes with the answer");
    const created = await call("create_flow_run_from_deployment", {
      deployment_id: "mcp-approval/approval",
      name: `writes-ts-approval-${Date.now()}`,
    });
    const runId = created.flow_run_id;
    const deadline = Date.now() + 120000;
    for (;;) {
      const run = await call("get_flow_run_by_id", { flow_run_id: runId });
      if (run.state && run.state.type === "PAUSED") break;
      check(Date.now() < deadline, `never paused: ${JSON.stringify(run)}`);
      await sleep(1000);
    }
    const resumed = await call("resume_flow_run", { flow_run: runId });
    check(JSON.stringify(resumed.run_input) === JSON.stringify(APPROVAL), JSON.stringify(resumed));
    const waited = await call("wait_for_flow_run", { flow_run_id: runId, timeout: 120 });
    check(waited.flow_run.state.type === "COMPLETED", JSON.stringify(waited));
    summary.resume = { flow_run_id: runId, input: APPROVAL };
    summary.questions = person.questions.length;
    // delete declined, overwrite confirmed, delete confirmed, the resume form.
    check(person.questions.length === 4, `asked ${person.questions.length} times`);
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
