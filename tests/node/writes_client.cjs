// The TypeScript MCP SDK 1.32 (protocol 2025-11-25) confirms, declines and fills in the write
// tools' questions, through server-to-client `elicitation/create` requests over stdio.
//
// Usage: node writes_client.cjs BINARY API_URL   (NODE_PATH = the folder holding the SDK's
// node_modules; run by tests/tests/writes.rs). Scenarios:
//   variable  set_variable creates one; delete_variable declined -> it is still there;
//             confirmed -> it is gone
//   resume    a run of mcp-approval/approval paused waiting for an Approval: resume_flow_run
//             asks the form, and the run completes with the answer
//   automation set_automation creates one unasked; replacing it declined -> unchanged,
//             confirmed -> replaced; delete_automation declined -> there; confirmed -> gone
//   flow      delete_flow on a flow with a deployment made over REST: declined -> both are
//             there; confirmed -> both are gone
// Progress goes to stderr; the last stdout line is a JSON summary.
"use strict";

const { Client } = require("@modelcontextprotocol/sdk/client/index.js");
const { StdioClientTransport } = require("@modelcontextprotocol/sdk/client/stdio.js");
const { ElicitRequestSchema } = require("@modelcontextprotocol/sdk/types.js");
const { prefectRest } = require("./prefect_rest.cjs");

const APPROVAL = { approved: false, note: "typed in typescript" };

function check(condition, message) {
  if (!condition) throw new Error(message);
}

function textOf(result) {
  return (result.content || []).filter((c) => c.type === "text").map((c) => c.text).join("\n");
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const lastQuestion = (person) => person.questions[person.questions.length - 1].message;

async function automation(call, callErr, person) {
  console.error("automation: created unasked, replace and delete each declined then confirmed");
  const name = `writes-ts-automation-${Date.now()}`;
  const definition = (expect) => ({
    name,
    enabled: false,
    trigger: { type: "event", posture: "Reactive", expect: [expect], threshold: 1, within: 0 },
    actions: [{ type: "do-nothing" }],
  });
  const asked = person.questions.length;
  const created = await call("set_automation", { definition: definition("ts.never") });
  check(person.questions.length === asked, "creating an automation asked");
  const replace = { automation: name, definition: definition("ts.still-never") };
  person.plan = "decline";
  const declined = await callErr("set_automation", replace);
  check(declined.includes("nothing was changed"), declined);
  const replaceAsked = lastQuestion(person);
  check(replaceAsked.includes(`Replace automation "${name}" (disabled;`), replaceAsked);
  check(replaceAsked.includes("ts.still-never"), replaceAsked);
  const kept = await call("get_automation", { automation: created.id });
  check(kept.trigger.expect[0] === "ts.never", JSON.stringify(kept));
  person.plan = "accept";
  await call("set_automation", replace);
  const replaced = await call("get_automation", { automation: created.id });
  check(replaced.trigger.expect[0] === "ts.still-never", JSON.stringify(replaced));
  person.plan = "decline";
  await callErr("delete_automation", { automation: created.id });
  await call("get_automation", { automation: created.id });
  person.plan = "accept";
  await call("delete_automation", { automation: created.id });
  const gone = await callErr("get_automation", { automation: created.id });
  check(gone.includes("Not found"), gone);
  return { id: created.id, replaceAsked };
}

async function deleteFlow(call, callErr, person, apiUrl) {
  console.error("flow: delete_flow declined, then confirmed");
  const flow = await prefectRest(apiUrl, "POST", "/flows/", { name: `writes-ts-flow-${Date.now()}` });
  const deployment = await prefectRest(apiUrl, "POST", "/deployments/", { name: "daily", flow_id: flow.id });
  person.plan = "decline";
  const declined = await callErr("delete_flow", { flow: flow.name });
  check(declined.includes("nothing was changed"), declined);
  const asked = lastQuestion(person);
  check(asked.includes(`its deployments "${flow.name}/daily"`), asked);
  await call("get_flow_by_id", { flow_id: flow.id });
  person.plan = "accept";
  const deleted = await call("delete_flow", { flow: flow.id });
  check(deleted.deleted === true, JSON.stringify(deleted));
  const gone = await callErr("get_flow_by_id", { flow_id: flow.id });
  check(gone.includes("Not found"), gone);
  return { flow_id: flow.id, deployment_id: deployment.id, asked };
}

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
    summary.automation = await automation(call, callErr, person);
    summary.flow = await deleteFlow(call, callErr, person, apiUrl);
    summary.questions = person.questions.length;
    // delete declined, overwrite confirmed, delete confirmed, the resume form; automation:
    // replace declined, confirmed, delete declined, confirmed; flow: declined, confirmed.
    check(person.questions.length === 10, `asked ${person.questions.length} times`);
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
