// A flow run in full: header, failure message, state timeline, task runs as a Gantt chart and
// the log tail with a level filter. Used by the flow-run view and by the dashboard's and the
// deployment's drill-downs.

import type { FlowRunView, LogLine } from "../generated/tool-outputs";
import { failure, type ViewContext } from "./app";
import { gantt, timeline, type Transition } from "./charts";
import { actionButton, fill, h, loading, note, section } from "./dom";
import { date, duration, list, num, shortPaths, str, when } from "./format";
import { badge, stateOf } from "./states";

type Run = FlowRunView;

const LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"];
const LOG_PAGE = 50;

/** The run's facts as a definition list; a missing field reads "—". */
function facts(run: Run): HTMLElement {
  const rows: [string, string][] = [
    ["Expected start", when(run.expected_start_time)],
    ["Started", when(run.start_time)],
    ["Ended", when(run.end_time)],
    ["Run time", num(run.total_run_time) !== null ? duration(num(run.total_run_time)!) : "—"],
    ["Work pool", [str(run.work_pool_name), str(run.work_queue_name)].filter(Boolean).join(" / ") || "—"],
    ["Tags", list(run.tags).join(", ") || "—"],
  ];
  return h("dl", { class: "facts" }, ...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

/** State changes from the run's events (`prefect.flow-run.<State>`), or from its own times. */
async function transitions(run: Run, ctx: ViewContext): Promise<Transition[]> {
  const id = str(run.id);
  const created = date(run.created) ?? date(run.expected_start_time);
  if (id && created) {
    const args: Record<string, unknown> = {
      resource_id: `prefect.flow-run.${id}`,
      event_prefix: "prefect.flow-run.",
      since: new Date(Math.min(created.getTime(), Date.now()) - 60_000).toISOString(),
      limit: 200,
    };
    const events = list((await ctx.call("read_events", args)).events);
    const changes = events
      .map((e) => ({ at: date(e.occurred), name: String(e.event ?? "").replace("prefect.flow-run.", ""), labels: e.resource?.labels ?? {} }))
      .filter((e): e is { at: Date; name: string; labels: Record<string, string> } => e.at !== null && e.name.length > 0)
      // State changes carry the new state's type; heartbeats and other events do not.
      .filter((e) => str(e.labels["prefect.state-type"]) !== null)
      .map((e) => ({ at: e.at, name: e.name, type: str(e.labels["prefect.state-type"]) }))
      .sort((a, b) => a.at.getTime() - b.at.getTime());
    if (changes.length > 0) return changes;
  }
  // No events (older Prefect, or none kept): the milestones the run itself records.
  const state = stateOf(run);
  const points: Transition[] = [];
  const push = (at: string | null | undefined, name: string, type: string | null) => {
    const d = date(at);
    if (d) points.push({ at: d, name, type });
  };
  push(run.expected_start_time, "Scheduled", "SCHEDULED");
  push(run.start_time, "Running", "RUNNING");
  push(run.end_time ?? run.state?.timestamp, state.name ?? "Now", state.type);
  return points.sort((a, b) => a.at.getTime() - b.at.getTime());
}

function timelineSection(run: Run, ctx: ViewContext): HTMLElement {
  const body = h("div", {}, loading("the state timeline"));
  transitions(run, ctx).then(
    (points) => fill(body, timeline(points)),
    (error) => fill(body, note(failure(error), "error")),
  );
  return section("State timeline", body);
}

function taskRunsSection(run: Run, ctx: ViewContext): HTMLElement {
  const body = h("div", {}, loading("task runs"));
  const id = str(run.id);
  if (!id) return section("Task runs", note("This result has no run id, so its task runs cannot be loaded."));
  ctx.call("list_task_runs", { flow_run_id: id, limit: 200 }).then(
    (answer) => {
      const taskRuns = list(answer.task_runs);
      fill(
        body,
        gantt(taskRuns),
        taskRuns.length > 0
          ? h(
              "ul",
              { class: "rows compact" },
              ...taskRuns
                .filter((t) => stateOf(t).message)
                .map((t) => h("li", {}, h("strong", {}, String(t.name ?? t.task_key)), " ", badge(t), h("pre", { class: "message" }, stateOf(t).message!))),
            )
          : null,
      );
    },
    (error) => fill(body, note(failure(error), "error")),
  );
  return section("Task runs", body);
}

/** A log line, its file paths shortened (`shortPaths`): as text, never as markup. */
export function logLine(line: LogLine): HTMLElement {
  const level = String(line.level ?? "");
  return h(
    "li",
    { class: "log", "data-level": level },
    h("time", {}, when(line.timestamp).slice(11)),
    h("span", { class: "level" }, level || "—"),
    h("span", { class: "text" }, shortPaths(String(line.message ?? ""))),
  );
}

function logsSection(run: Run, ctx: ViewContext): HTMLElement {
  const id = str(run.id);
  if (!id) return section("Logs", note("This result has no run id, so its logs cannot be loaded."));
  const lines = h("ol", { class: "logs" });
  const status = h("div", {}, loading("logs"));
  const filter = h("select", { "aria-label": "Minimum log level" }, h("option", { value: "" }, "All levels"), ...LOG_LEVELS.map((l) => h("option", { value: l }, `${l} and above`)));
  let nextOffset: number | null = null;
  const more = actionButton("Load older lines", () => load(false), { class: "secondary" });

  async function load(fresh: boolean): Promise<void> {
    const args: Record<string, unknown> = { flow_run_id: id, limit: LOG_PAGE };
    if (filter.value) args.level = filter.value;
    if (!fresh && nextOffset !== null) args.offset = nextOffset;
    try {
      const page = await ctx.call("get_flow_run_logs", args);
      const rows = list(page.logs).map(logLine);
      if (fresh) lines.replaceChildren(...rows);
      else lines.prepend(...rows);
      nextOffset = num(page.next_offset);
      more.hidden = nextOffset === null;
      fill(status, lines.childElementCount === 0 ? note(filter.value ? `No ${filter.value} or worse lines.` : "This run has no log lines.") : null);
    } catch (error) {
      fill(status, note(failure(error), "error"));
    }
  }
  filter.addEventListener("change", () => void load(true));
  more.hidden = true;
  void load(true);
  return section("Logs", h("div", {}, more, lines, status), filter);
}

/** Where a drilled-down run goes back to. */
export interface Back {
  label: string;
  go: () => void;
}

/** The states a run never leaves. */
const FINAL_STATES = new Set(["COMPLETED", "FAILED", "CANCELLED", "CRASHED"]);
/** How long one follow waits before it looks again: under the 60 s a host's MCP client gives a
 *  request by default. */
const FOLLOW_SECONDS = 45;

/** Keep a run that has not finished up to date without polling: wait_for_flow_run wakes on
 *  Prefect's event stream the moment the run ends (or after FOLLOW_SECONDS), then the view is
 *  drawn again, which follows again while the run goes on. Once `shown` has left the page (the
 *  view was drawn again, or another view took its place) the follow ends; a failed wait (the
 *  tool not offered, the host gone) leaves the Refresh button as the way to update. */
function follow(shown: HTMLElement, id: string, ctx: ViewContext, redraw: () => Promise<void>): void {
  void (async () => {
    try {
      await ctx.call("wait_for_flow_run", { flow_run_id: id, timeout: FOLLOW_SECONDS });
      if (shown.isConnected) await redraw();
    } catch {
      // Refresh stays.
    }
  })();
}

/** Render a flow run into `root`: `extra` goes above its sections, `refresh` re-fetches it (the
 *  views default to get_flow_run_by_id), `back` adds a link back to where it came from. A run
 *  that has not finished is followed until it does. */
export function renderFlowRun(
  root: HTMLElement,
  run: Run,
  ctx: ViewContext,
  options: { extra?: Node[]; back?: Back; refresh?: () => Promise<void> } = {},
): void {
  const { message } = stateOf(run);
  const title = str(run.name) ?? str(run.id) ?? "Flow run";
  const id = str(run.id);
  const problem = h("div", { "aria-live": "polite" });
  const redraw = async () => {
    if (options.refresh) await options.refresh();
    else if (id) renderFlowRun(root, await ctx.call("get_flow_run_by_id", { flow_run_id: id }), ctx, options);
  };
  const refresh = actionButton(
    "Refresh",
    async () => {
      try {
        await redraw();
      } catch (error) {
        fill(problem, note(`Refresh: ${failure(error)}`, "error"));
      }
    },
    { class: "secondary", "data-action": "refresh", disabled: !id && !options.refresh },
  );
  const back = options.back;
  fill(
    root,
    back ? h("button", { type: "button", class: "link back", onclick: back.go }, `← ${back.label}`) : null,
    h("header", { class: "title" }, h("h1", {}, title), badge(run), h("span", { class: "muted id" }, id ?? ""), h("span", { class: "spacer" }), refresh),
    problem,
    facts(run),
    message ? h("div", { class: "failure", role: "note" }, h("h2", {}, "Message"), h("pre", { class: "message" }, message)) : null,
    ...(options.extra ?? []),
    timelineSection(run, ctx),
    taskRunsSection(run, ctx),
    logsSection(run, ctx),
  );
  const type = stateOf(run).type;
  if (id && !(type && FINAL_STATES.has(type))) follow(refresh, id, ctx, redraw);
}

/** Fetch a run by id and render it (the drill-down from other views). */
export async function openFlowRun(root: HTMLElement, id: string, ctx: ViewContext, back: Back): Promise<void> {
  fill(root, loading("the flow run"));
  try {
    const run = await ctx.call("get_flow_run_by_id", { flow_run_id: id });
    renderFlowRun(root, run, ctx, { back });
  } catch (error) {
    fill(root, h("button", { type: "button", class: "link back", onclick: back.go }, `← ${back.label}`), note(failure(error), "error"));
  }
  window.scrollTo(0, 0);
}
