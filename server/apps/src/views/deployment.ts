// The deployment view of `get_deployment_by_id` / `get_deployment_by_name`: its schedule, recent
// outcomes as a strip, upcoming runs, and buttons that act through the host's tool call (run now,
// pause or resume the schedule). A run opens in place.

import type { DeploymentViewResult, FlowRunView, ScheduleView, ToolOutputs } from "../generated/tool-outputs";
import { failure, type ViewContext } from "../shared/app";
import { strip } from "../shared/charts";
import { actionButton, fill, h, linkButton, loading, note, section } from "../shared/dom";
import { duration, list, num, relative, str, when } from "../shared/format";
import { openFlowRun } from "../shared/flow-run-panel";
import { badge } from "../shared/states";

type Data = DeploymentViewResult;
type Args = Record<string, unknown>;
/** What opening a run needs. */
type RunRef = { id?: string | null };
/** The tools the view's buttons call. */
type Action = "create_flow_run_from_deployment" | "pause_deployment" | "resume_deployment";

const RECENT_RUNS = 25;
const UPCOMING_RUNS = 5;

/** "every 1 h", "cron 0 * * * * (UTC)", with "paused" for an inactive schedule. */
function describeSchedule(schedule: ScheduleView): string {
  const interval = num(schedule.interval_seconds);
  const what = interval !== null ? `every ${duration(interval)}` : str(schedule.cron) ? `cron ${schedule.cron}` : str(schedule.rrule) ? `rrule ${schedule.rrule}` : "a schedule of an unknown kind";
  const zone = str(schedule.timezone) ? ` (${schedule.timezone})` : "";
  return `${what}${zone}${schedule.active === false ? ", inactive" : ""}`;
}

/** filter_flow_runs' arguments for this deployment's runs matching `where`. */
function runsFilter(id: string, where: Args, sort: string, limit: number): Args {
  return { filter_criteria: { flow_runs: { deployment_id: { any_: [id] }, ...where }, sort, limit } };
}

export function render(root: HTMLElement, data: Data, ctx: ViewContext): void {
  const id = str(data.id);
  const fullName = [str(data.flow_name), str(data.name)].filter(Boolean).join("/") || id || "Deployment";
  const reload = async () => {
    if (!id) return;
    render(root, await ctx.call("get_deployment_by_id", { deployment_id: id }), ctx);
  };
  const refresh = actionButton(
    "Refresh",
    async () => {
      try {
        await reload();
      } catch (error) {
        fill(outcome, note(`Refresh: ${failure(error)}`, "error"));
      }
    },
    { class: "secondary", "data-action": "refresh", disabled: !id },
  );
  const back = { label: fullName, go: () => render(root, data, ctx) };
  const open = (run: RunRef) => {
    const runId = str(run.id);
    if (runId) void openFlowRun(root, runId, ctx, back);
  };
  const outcome = h("div", { class: "outcome", "aria-live": "polite" });
  const act = <Tool extends Action>(label: string, tool: Tool, args: Args, after: (answer: ToolOutputs[Tool]) => Node | null) =>
    actionButton(
      label,
      async () => {
        fill(outcome, note(`${label}…`));
        try {
          const answer = await ctx.call(tool, args);
          const shown = after(answer);
          await reload();
          // reload re-rendered the view; show what happened in the new one.
          root.querySelector(".outcome")?.replaceChildren(...(shown ? [shown] : []));
        } catch (error) {
          fill(outcome, note(`${label}: ${failure(error)}`, "error"));
        }
      },
      { "data-tool": tool, disabled: !id },
    );
  const paused = data.paused === true;
  const buttons = h(
    "div",
    { class: "actions" },
    act("Run now", "create_flow_run_from_deployment", { deployment_id: id }, (created) => {
      const run = created.flow_run ?? {};
      return h("p", { class: "note ok" }, "Created ", linkButton(str(created.flow_run_name) ?? str(created.flow_run_id) ?? "a run", () => open({ id: created.flow_run_id })), " ", badge(run));
    }),
    // pause_deployment and resume_deployment take the deployment's id or full name.
    paused
      ? act("Resume", "resume_deployment", { deployment: id }, (answer) => h("p", { class: "note ok" }, str(answer.message) ?? "Resumed."))
      : act("Pause", "pause_deployment", { deployment: id }, (answer) => h("p", { class: "note ok" }, str(answer.message) ?? "Paused.")),
    refresh,
  );
  const schedules = list(data.schedules);
  fill(
    root,
    h(
      "header",
      { class: "title" },
      h("h1", {}, fullName),
      h("span", { class: `badge ${paused ? "" : "plain"}`, style: `--badge: var(${paused ? "--state-paused" : "--state-completed"})` }, paused ? "Paused" : "Active"),
      str(data.status) ? h("span", { class: "muted" }, String(data.status)) : null,
      h("span", { class: "spacer" }),
      buttons,
    ),
    outcome,
    str(data.description) ? h("p", { class: "description" }, str(data.description)!) : null,
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Schedule"),
      h("dd", { class: "schedule" }, schedules.length ? schedules.map(describeSchedule).join("; ") : "none (runs only when started)"),
      h("dt", {}, "Work pool"),
      h("dd", {}, [str(data.work_pool_name), str(data.work_queue_name)].filter(Boolean).join(" / ") || "—"),
      h("dt", {}, "Last polled"),
      h("dd", {}, str(data.last_polled) ? `${when(data.last_polled)} (${relative(data.last_polled)})` : "never"),
      h("dt", {}, "Tags"),
      h("dd", {}, list(data.tags).join(", ") || "—"),
    ),
    id ? recent(id, ctx, open) : note("This result has no deployment id, so its runs cannot be loaded."),
    id ? upcoming(id, ctx, open) : null,
  );
}

function recent(id: string, ctx: ViewContext, open: (run: FlowRunView) => void): HTMLElement {
  const body = h("div", {}, loading("recent runs"));
  // Runs that were due by now, whatever their state (a Late run is an outcome too).
  const due = { expected_start_time: { before_: new Date().toISOString() } };
  ctx.call("filter_flow_runs", runsFilter(id, due, "EXPECTED_START_TIME_DESC", RECENT_RUNS)).then(
    (answer) => {
      const runs = list(answer.flow_runs).reverse();
      const newest = runs[runs.length - 1];
      fill(
        body,
        strip(runs, open),
        newest ? h("p", { class: "muted" }, "Newest: ", linkButton(str(newest.name) ?? "run", () => open(newest)), " ", badge(newest), ` ${when(newest.expected_start_time)}`) : null,
      );
    },
    (error) => fill(body, note(failure(error), "error")),
  );
  return section("Recent outcomes", body);
}

function upcoming(id: string, ctx: ViewContext, open: (run: FlowRunView) => void): HTMLElement {
  const body = h("div", {}, loading("upcoming runs"));
  const after = { expected_start_time: { after_: new Date().toISOString() }, state: { type: { any_: ["SCHEDULED"] } } };
  ctx.call("filter_flow_runs", runsFilter(id, after, "EXPECTED_START_TIME_ASC", UPCOMING_RUNS)).then(
    (answer) => {
      const runs = list(answer.flow_runs);
      fill(
        body,
        runs.length === 0
          ? note("No runs are scheduled.")
          : h("ul", { class: "rows" }, ...runs.map((run) => h("li", {}, linkButton(str(run.name) ?? "run", () => open(run)), " ", badge(run), h("span", { class: "muted" }, ` ${when(run.expected_start_time)} (${relative(run.expected_start_time)})`)))),
      );
    },
    (error) => fill(body, note(failure(error), "error")),
  );
  return section("Upcoming runs", body);
}

