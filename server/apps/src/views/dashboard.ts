// The dashboard view of `get_dashboard`: runs per state (exact counts) and over time, late runs,
// the newest failures with their messages, and work pools that cannot run. A run opens in place.

import type { FailedRuns, FlowRunView, GetDashboardOutput, LateRuns, RunCounts, WorkPoolHealth } from "../generated/tool-outputs";
import { failure, type ViewContext } from "../shared/app";
import { runHistogram, stateBars } from "../shared/charts";
import { actionButton, fill, h, linkButton, loading, note, section } from "../shared/dom";
import { date, list, num, relative, str } from "../shared/format";
import { openFlowRun } from "../shared/flow-run-panel";
import { badge } from "../shared/states";

type Data = GetDashboardOutput;
/** What a row of runs reads of a run, and what opening it needs. */
type RunRef = { id?: string | null; name?: string | null };

/** Runs sampled for the chart over time: Prefect's largest page. */
const HISTOGRAM_RUNS = 200;

export function render(root: HTMLElement, data: Data, ctx: ViewContext): void {
  const back = { label: "Dashboard", go: () => render(root, data, ctx) };
  const open = (run: RunRef) => {
    const id = str(run.id);
    if (id) void openFlowRun(root, id, ctx, back);
  };
  const runs = data.flow_runs;
  const hours = num(data.hours);
  const refresh = actionButton("Refresh", async () => {
    try {
      const args = hours !== null ? { hours } : {};
      render(root, await ctx.call("get_dashboard", args), ctx);
    } catch (error) {
      root.prepend(note(failure(error), "error"));
    }
  }, { "data-action": "refresh" });
  fill(
    root,
    h(
      "header",
      { class: "title" },
      h("h1", {}, "Prefect dashboard"),
      h("span", { class: "muted" }, hours !== null ? `last ${hours} h` : "window unknown"),
      h("span", { class: "spacer" }),
      refresh,
    ),
    summary(data),
    section("Flow runs", h("div", {}, stateBars(countsOf(runs)), history(data, ctx))),
    lateRuns(data.late_runs, open),
    failures(data.failed_runs, open),
    workPools(data.work_pools),
  );
}

function countsOf(runs: RunCounts | undefined): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [type, n] of Object.entries(runs?.by_state_type ?? {})) {
    if (typeof n === "number") counts[type] = n;
  }
  return counts;
}

function summary(data: Data): HTMLElement {
  const tile = (label: string, value: number | null | undefined, kind = "") =>
    h("div", { class: `tile ${kind}` }, h("span", { class: "big" }, num(value) ?? "—"), h("span", { class: "muted" }, label));
  return h(
    "div",
    { class: "tiles" },
    tile("flow runs", data.flow_runs?.total),
    tile("late", data.late_runs?.count, num(data.late_runs?.count) ? "warn" : ""),
    tile("failed or crashed", data.failed_runs?.count, num(data.failed_runs?.count) ? "bad" : ""),
    tile("flows", data.flows),
    tile("deployments", data.deployments),
    tile("work pools", data.work_pools?.count),
  );
}

/** The runs of the window over time, from the newest runs (a sample when there are many). */
function history(data: Data, ctx: ViewContext): HTMLElement {
  const body = h("div", { class: "history" }, loading("runs over time"));
  const since = date(data.since);
  if (!since) return h("div", {}, note("The result has no window start, so the runs over time are not drawn."));
  // The window counts runs expected at or after `since`, future scheduled runs included.
  const filter = {
    flow_runs: { expected_start_time: { after_: since.toISOString() } },
    sort: "EXPECTED_START_TIME_DESC",
    limit: HISTOGRAM_RUNS,
  };
  ctx.call("filter_flow_runs", { filter_criteria: filter }).then(
    (answer) => {
      const runs = list(answer.flow_runs);
      const total = num(data.flow_runs?.total) ?? runs.length;
      const [from, to] = span(runs, since);
      fill(
        body,
        runHistogram(runs, from, to),
        runs.length < total ? note(`Over time: the newest ${runs.length} of ${total} runs.`) : null,
      );
    },
    (error) => fill(body, note(`Runs over time: ${failure(error)}`, "error")),
  );
  return body;
}

/** The time axis: from the first run (not before the window) to the last one or now, at
 *  least an hour, so that a quiet day does not squeeze every run into one bar. */
function span(runs: FlowRunView[], since: Date): [Date, Date] {
  const times = runs.map((r) => date(r.expected_start_time)?.getTime()).filter((t): t is number => t !== undefined);
  const now = Date.now();
  const to = Math.max(now, ...times) + 60_000;
  const from = Math.max(since.getTime(), Math.min(to - 3_600_000, ...times.map((t) => t - 60_000)));
  return [new Date(from), new Date(to)];
}

function runRow(run: RunRef, open: (run: RunRef) => void, ...extra: (Node | string | null)[]): HTMLElement {
  return h("li", {}, linkButton(str(run.name) ?? str(run.id) ?? "unnamed run", () => open(run), { "data-run-id": str(run.id) ?? "" }), " ", ...extra);
}

function lateRuns(late: LateRuns | undefined, open: (run: RunRef) => void): HTMLElement {
  const runs = list(late?.examples);
  const count = num(late?.count);
  const body =
    runs.length === 0
      ? note(count === null ? "Late runs are not in this result." : "No late runs.")
      : h(
          "ul",
          { class: "rows" },
          ...runs.map((run) => runRow(run, open, h("span", { class: "badge", "data-state": "SCHEDULED", style: "--badge: var(--state-late)" }, "Late"), h("span", { class: "muted" }, ` due ${relative(run.expected_start_time)}`))),
        );
  return section(`Late runs${count ? ` (${count})` : ""}`, body);
}

function failures(failed: FailedRuns | undefined, open: (run: RunRef) => void): HTMLElement {
  const runs = list(failed?.newest);
  const count = num(failed?.count);
  const body =
    runs.length === 0
      ? note(count === null ? "Failures are not in this result." : "No failed or crashed runs in this window.")
      : h(
          "ul",
          { class: "rows" },
          ...runs.map((run) =>
            runRow(
              run,
              open,
              badge({ state: { type: run.state_type } }),
              str(run.message) ? h("pre", { class: "message" }, str(run.message)!) : h("span", { class: "muted" }, " no message"),
            ),
          ),
        );
  return section(`Newest failures${count ? ` (${count})` : ""}`, body);
}

function workPools(pools: WorkPoolHealth | undefined): HTMLElement {
  const unhealthy = list(pools?.unhealthy);
  const body =
    unhealthy.length === 0
      ? note(num(pools?.count) === null ? "Work pools are not in this result." : "Every work pool can run its flows.")
      : h(
          "ul",
          { class: "rows" },
          ...unhealthy.map((pool) =>
            h("li", { "data-pool": String(pool.name ?? "") }, h("strong", {}, String(pool.name ?? "unnamed pool")), h("ul", { class: "problems" }, ...list(pool.problems).map((p) => h("li", {}, String(p))))),
          ),
        );
  return section("Work pools that cannot run", body);
}

