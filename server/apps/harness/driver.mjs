// The browser tier of the MCP Apps tests: a real Chromium renders each view in the test host
// (AppBridge, sandboxed iframe) with the real tool result from prefect-mcp-server on a real
// Prefect, reads what the view shows, clicks through it, and writes screenshots.
//
//   node driver.mjs --server BIN --api-url URL --host HOST_HTML --chromium PATH \
//                   --screenshots DIR [--views-dir DIR]
//
// Without --views-dir the views come from the server (resources/read of each tool's
// _meta.ui.resourceUri), as a host gets them. The last stdout line is a JSON summary with `ok`.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { callOk, connect, launchBrowser, texts, UI_MIME, viewFrame, waitIn } from "./session.mjs";

const { values: opts } = parseArgs({
  options: {
    server: { type: "string" },
    "api-url": { type: "string" },
    host: { type: "string" },
    chromium: { type: "string", default: "/usr/bin/chromium" },
    screenshots: { type: "string" },
    "views-dir": { type: "string" },
  },
});
for (const required of ["server", "api-url", "host", "screenshots"]) {
  if (!opts[required]) throw new Error(`--${required} is required`);
}

const WIDTH = 720;
const summary = { ok: false };
const client = await connect({ server: opts.server, apiUrl: opts["api-url"], ui: true });
const { browser, close } = await launchBrowser(opts.chromium);

/** A tool as tools/list gives it, and the HTML of its view. */
async function viewOf(tools, name) {
  const tool = tools.find((t) => t.name === name);
  if (!tool) throw new Error(`the server does not offer ${name}`);
  const uri = tool._meta?.ui?.resourceUri;
  if (opts["views-dir"]) {
    const view = { get_dashboard: "dashboard", get_flow_run_by_id: "flow-run", diagnose_flow_run: "flow-run" }[name] ?? "deployment";
    const page = readFileSync(join(opts["views-dir"], "app.html"), "utf8");
    return { tool, html: page.replace('data-view=""', `data-view="${view}"`), uri: uri ?? null };
  }
  if (!uri) throw new Error(`${name} has no _meta.ui.resourceUri although the client declared the extension`);
  const read = await client.readResource({ uri });
  const content = read.contents?.[0];
  if (content?.mimeType !== UI_MIME) throw new Error(`${uri} has mime type ${content?.mimeType}, not ${UI_MIME}`);
  summary.resources ??= {};
  summary.resources[uri] = { bytes: Buffer.byteLength(content.text), meta: content._meta ?? null };
  return { tool, html: content.text, uri };
}

/** Open the host page and show a view with a real tool result. */
async function show(tools, name, args, theme = "light") {
  const { tool, html } = await viewOf(tools, name);
  const result = await callOk(client, name, args);
  const page = await browser.newPage();
  // Warnings and errors only: the SDK logs every message it passes at debug level.
  page.on("console", (m) => ["error", "warn"].includes(m.type()) && process.stderr.write(`[${name} console] ${m.text()}\n`));
  page.on("pageerror", (e) => process.stderr.write(`[${name} page error] ${e.message}\n`));
  await page.setViewport({ width: WIDTH + 40, height: 900, deviceScaleFactor: 2 });
  await page.exposeFunction("mcpCallTool", (params) => client.callTool(params));
  await page.goto(pathToFileURL(opts.host).href);
  await page.evaluate(
    (a) => window.showView(a),
    { html, tool: { name: tool.name, inputSchema: tool.inputSchema ?? {} }, input: args, result, theme, width: WIDTH },
  );
  const { frame, handle } = await viewFrame(page);
  return { page, frame, handle, result };
}

/** Screenshots in both themes; the view's background colour in each (it must follow the host). */
async function shoot(view, name) {
  const settle = () => new Promise((r) => setTimeout(r, 400));
  const background = () => view.frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await settle();
  await view.handle.screenshot({ path: join(opts.screenshots, `${name}.png`) });
  const light = await background();
  await view.page.evaluate(() => window.setTheme("dark"));
  await settle();
  await view.handle.screenshot({ path: join(opts.screenshots, `${name}-dark.png`) });
  const dark = await background();
  await view.page.evaluate(() => window.setTheme("light"));
  await settle();
  return { light, dark };
}

const toolCalls = (view) => view.page.evaluate(() => window.toolCalls);

async function dashboard(tools) {
  const view = await show(tools, "get_dashboard", { hours: 24 });
  const { frame } = view;
  await waitIn(frame, "[data-section^='flow-runs'] svg.chart rect", "the runs-per-state chart");
  await waitIn(frame, ".history svg.chart rect", "the runs-over-time chart");
  const out = {
    title: await frame.$eval("h1", (e) => e.textContent),
    state_bars: await frame.$$eval("[data-section^='flow-runs'] svg.chart g[data-state]", (gs) => gs.map((g) => g.getAttribute("data-state"))),
    history_bars: (await frame.$$(".history svg.chart rect")).length,
    failures: await texts(frame, "[data-section^='newest-failures'] li"),
    late: await texts(frame, "[data-section^='late-runs'] li"),
    pools: await texts(frame, "[data-section^='work-pools'] li[data-pool]"),
    theme_background: await shoot(view, "dashboard"),
  };
  // Drill down: the first failure opens in place, through get_flow_run_by_id.
  const link = await frame.$("[data-section^='newest-failures'] button.link");
  out.opened_from = await link.evaluate((e) => e.textContent);
  await link.click();
  await waitIn(frame, "button.back", "the drilled-down run");
  await waitIn(frame, "[data-section='task-runs'] svg.chart, [data-section='task-runs'] .note", "the drilled-down run's task runs");
  out.opened_title = await frame.$eval("h1", (e) => e.textContent);
  out.tool_calls = (await toolCalls(view)).map((c) => c.name);
  await view.page.close();
  return out;
}

async function flowRun(tools, runId) {
  const view = await show(tools, "get_flow_run_by_id", { flow_run_id: runId });
  const { frame } = view;
  await waitIn(frame, "[data-section='state-timeline'] svg.chart circle", "the state timeline");
  await waitIn(frame, "[data-section='task-runs'] svg.chart rect", "the task-run Gantt chart");
  await waitIn(frame, "ol.logs li.log", "the log tail");
  const out = {
    title: await frame.$eval("h1", (e) => e.textContent),
    state: await frame.$eval("header .badge", (e) => e.textContent),
    message: await frame.$eval(".failure pre", (e) => e.textContent).catch(() => null),
    timeline: await texts(frame, "[data-section='state-timeline'] svg g[data-state] text.label"),
    gantt: await texts(frame, "[data-section='task-runs'] svg g text.label"),
    gantt_states: await frame.$$eval("[data-section='task-runs'] svg g[data-state]", (gs) => gs.map((g) => g.getAttribute("data-state"))),
    log_levels: await frame.$$eval("ol.logs li.log", (ls) => ls.map((l) => l.getAttribute("data-level"))),
    log_text: await frame.$eval("ol.logs", (e) => e.textContent),
    theme_background: await shoot(view, "flow-run"),
  };
  // The level filter reloads the tail through get_flow_run_logs with level=ERROR.
  await frame.select("[data-section='logs'] select", "ERROR");
  await frame.waitForFunction(
    () => [...document.querySelectorAll("ol.logs li.log")].every((l) => ["ERROR", "CRITICAL"].includes(l.getAttribute("data-level"))),
    { timeout: 30_000 },
  );
  out.error_log_levels = await frame.$$eval("ol.logs li.log", (ls) => ls.map((l) => l.getAttribute("data-level")));
  out.tool_calls = (await toolCalls(view)).map((c) => ({ name: c.name, arguments: c.arguments, isError: c.isError }));
  await view.page.close();

  const diag = await show(tools, "diagnose_flow_run", { flow_run: runId });
  await waitIn(diag.frame, ".diagnosis .summary", "the diagnosis summary");
  out.diagnosis_summary = await diag.frame.$eval(".diagnosis .summary", (e) => e.textContent);
  out.diagnosis_title = await diag.frame.$eval("h1", (e) => e.textContent);
  await diag.page.close();
  return out;
}

/** A request straight to Prefect's API (what happens to a run outside the view). */
async function prefect(method, path, body) {
  const response = await fetch(`${opts["api-url"]}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
}

/** A run that has not finished, shown; it ends in Prefect and the view follows by itself (no
 *  Refresh click). The late deployment's runs are never picked up, so it stays SCHEDULED until
 *  the driver ends it; it is deleted afterwards, leaving the sample world as it was. */
async function following(tools) {
  const created = (await callOk(client, "create_flow_run_from_deployment", { deployment_id: "mcp-late/late-deployment" })).structuredContent;
  const id = created.flow_run_id;
  const view = await show(tools, "get_flow_run_by_id", { flow_run_id: id });
  const badge = () => view.frame.$eval("header .badge", (e) => e.getAttribute("data-state"));
  const out = { first_state: await badge() };
  try {
    // Let the view's wait get under way (ending the run before it starts works too: the wait's
    // first read answers at once).
    await new Promise((r) => setTimeout(r, 1500));
    await prefect("POST", `/flow_runs/${id}/set_state`, { state: { type: "CANCELLED", name: "Cancelled" }, force: true });
    await view.frame.waitForFunction(() => document.querySelector("header .badge")?.getAttribute("data-state") === "CANCELLED", { timeout: 30_000 });
    out.final_state = await badge();
    out.tool_calls = (await toolCalls(view)).map((c) => c.name);
  } finally {
    await view.page.close();
    await prefect("DELETE", `/flow_runs/${id}`);
  }
  return out;
}

/** Click an action button and wait for its outcome line. */
async function act(view, tool) {
  const { frame } = view;
  const before = (await toolCalls(view)).length;
  await frame.click(`button[data-tool='${tool}']`);
  await view.page.waitForFunction((n, t) => window.toolCalls.slice(n).some((c) => c.name === t), { timeout: 60_000 }, before, tool).catch(() => null);
  await waitIn(frame, ".outcome .note:not(.muted)", `the outcome of ${tool}`, 60_000);
  const calls = (await toolCalls(view)).slice(before);
  return {
    outcome: await frame.$eval(".outcome", (e) => e.textContent),
    calls: calls.map((c) => ({ name: c.name, isError: c.isError, text: c.text.slice(0, 300), full: c.text })),
  };
}

/** Poll a run until it reaches a final state (at most a minute); its state type. */
async function waitFinal(id) {
  if (!id) throw new Error("the Run now answer had no flow_run_id");
  for (let i = 0; i < 60; i++) {
    const run = (await callOk(client, "get_flow_run_by_id", { flow_run_id: id })).structuredContent;
    if (["COMPLETED", "FAILED", "CRASHED", "CANCELLED"].includes(run.state?.type)) return run.state.type;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`run ${id} did not finish within 60 s`);
}

async function deployment(tools) {
  const scheduled = await show(tools, "get_deployment_by_name", { name: "mcp-scheduled/hourly" });
  await waitIn(scheduled.frame, "[data-section='upcoming-runs'] li", "the upcoming runs");
  const out = {
    scheduled_title: await scheduled.frame.$eval("h1", (e) => e.textContent),
    schedule: await scheduled.frame.$eval("dd.schedule", (e) => e.textContent),
    upcoming: await texts(scheduled.frame, "[data-section='upcoming-runs'] li"),
  };
  await scheduled.page.close();

  const view = await show(tools, "get_deployment_by_name", { name: "mcp-hello/hello" });
  await waitIn(view.frame, "[data-section='recent-outcomes'] svg.chart rect", "the recent-outcomes strip");
  out.title = await view.frame.$eval("h1", (e) => e.textContent);
  out.strip_states = await view.frame.$$eval("[data-section='recent-outcomes'] svg rect", (rs) => rs.map((r) => r.getAttribute("data-state")));
  out.run_now = await act(view, "create_flow_run_from_deployment");
  const created = JSON.parse(out.run_now.calls.find((c) => c.name === "create_flow_run_from_deployment")?.full ?? "{}");
  out.created_run = created.flow_run_name ?? null;
  // The runner picks the new run up within seconds; then Refresh shows it in the strip.
  out.created_run_state = await waitFinal(created.flow_run_id);
  await view.frame.click("button[data-action='refresh']");
  await view.frame.waitForFunction(
    (name, state) =>
      [...document.querySelectorAll("[data-section='recent-outcomes'] svg rect")].some(
        (r) => r.getAttribute("data-state") === state && r.querySelector("title")?.textContent.startsWith(`${name}:`),
      ),
    { timeout: 30_000 },
    created.flow_run_name,
    out.created_run_state,
  );
  out.strip_after_run = await view.frame.$$eval("[data-section='recent-outcomes'] svg rect", (rs) => rs.map((r) => r.getAttribute("data-state")));
  out.theme_background = await shoot(view, "deployment");
  const pause = await act(view, "pause_deployment");
  out.pause = pause;
  // Leave the sample world as it was: resume what was paused.
  if (!pause.calls.some((c) => c.isError) && (await view.frame.$("button[data-tool='resume_deployment']"))) {
    out.resume = await act(view, "resume_deployment");
  }
  await waitIn(view.frame, "[data-section='recent-outcomes'] svg.chart rect", "the strip after the actions");
  for (const step of [out.run_now, out.pause, out.resume].filter(Boolean)) {
    for (const call of step.calls) delete call.full;
  }
  await view.page.close();
  return out;
}

/** tools/list in the 2026-07-28 era (capabilities travel in each request's _meta): which tools
 *  name a view, for a client with the extension and one without. */
async function era2026() {
  const out = {};
  for (const ui of [true, false]) {
    const modern = await connect({ server: opts.server, apiUrl: opts["api-url"], ui, era: "2026" });
    try {
      const { tools } = await modern.listTools();
      out[ui ? "with_extension" : "without_extension"] = tools.filter((t) => t._meta?.ui?.resourceUri).map((t) => t.name);
      out[ui ? "tools_with_extension" : "tools_without_extension"] = tools.length;
    } finally {
      await modern.close();
    }
  }
  return out;
}

try {
  const { tools } = await client.listTools();
  summary.tools = tools.map((t) => t.name);
  summary.tools_with_views = tools.filter((t) => t._meta?.ui?.resourceUri).map((t) => `${t.name} -> ${t._meta.ui.resourceUri}`);
  const failed = await callOk(client, "search_flow_runs_by_state", { state_type: "FAILED", limit: 1 });
  const failedRun = failed.structuredContent.flow_runs[0];
  if (!failedRun) throw new Error("the sample world has no FAILED run");
  summary.failed_run = { id: failedRun.id, name: failedRun.name, message: failedRun.state?.message ?? null };
  summary.dashboard = await dashboard(tools);
  summary.flow_run = await flowRun(tools, failedRun.id);
  summary.deployment = await deployment(tools);
  summary.following = await following(tools);
  summary.era_2026 = await era2026();
  summary.ok = true;
} catch (error) {
  summary.error = String(error?.stack ?? error);
} finally {
  await close();
  await client.close();
}
console.log(JSON.stringify(summary));
process.exit(summary.ok ? 0 : 1);
