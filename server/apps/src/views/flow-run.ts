// The flow run view of `get_flow_run_by_id` (a run) and `diagnose_flow_run` (a diagnosis that
// holds the run): what the diagnosis found, then the run in full.

import type { ViewContext } from "../shared/app";
import { h, section } from "../shared/dom";
import { list, obj, str, when } from "../shared/format";
import { renderFlowRun } from "../shared/flow-run-panel";

type Data = Record<string, unknown>;

function diagnosis(data: Data): Node[] {
  const causes = list<string>(data.likely_causes);
  const errors = list(data.error_logs);
  const deployment = obj(data.deployment);
  const body = h(
    "div",
    { class: "diagnosis" },
    str(data.summary) ? h("p", { class: "summary" }, str(data.summary)!) : null,
    causes.length ? h("ol", { class: "causes" }, ...causes.map((c) => h("li", {}, String(c)))) : null,
    str(deployment.name)
      ? h("p", { class: "muted" }, `Deployment ${deployment.name}: ${deployment.paused ? "paused" : "active"}, ${str(deployment.status) ?? "status unknown"}, last polled ${when(deployment.last_polled)}`)
      : null,
    errors.length
      ? h("ol", { class: "logs" }, ...errors.map((l) => h("li", { class: "log", "data-level": String(l.level ?? "") }, h("time", {}, when(l.timestamp).slice(11)), h("span", { class: "level" }, String(l.level ?? "")), h("span", { class: "text" }, String(l.message ?? "")))))
      : null,
  );
  return [section("Diagnosis", body)];
}

export function render(root: HTMLElement, data: Data, ctx: ViewContext): void {
  // diagnose_flow_run wraps the run; get_flow_run_by_id is the run itself.
  const isDiagnosis = "flow_run" in data && ("summary" in data || "likely_causes" in data);
  const run = isDiagnosis ? obj(data.flow_run) : data;
  if (!isDiagnosis) {
    renderFlowRun(root, run, ctx);
    return;
  }
  // A diagnosis refreshes as a diagnosis: diagnose_flow_run again, for this run's id.
  const id = str(run.id);
  const refresh = id ? async () => render(root, await ctx.call("diagnose_flow_run", { flow_run: id }), ctx) : undefined;
  renderFlowRun(root, run, ctx, { extra: diagnosis(data), refresh });
}

