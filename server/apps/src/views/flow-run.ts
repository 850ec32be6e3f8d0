// The flow run view of `get_flow_run_by_id` (a run) and `diagnose_flow_run` (a diagnosis that
// holds the run): what the diagnosis found, then the run in full.

import type { DiagnoseFlowRunOutput, FlowRunViewResult } from "../generated/tool-outputs";
import type { ViewContext } from "../shared/app";
import { h, section } from "../shared/dom";
import { list, str, when } from "../shared/format";
import { logLine, renderFlowRun } from "../shared/flow-run-panel";

function diagnosis(data: DiagnoseFlowRunOutput): Node[] {
  const causes = list(data.likely_causes);
  const errors = list(data.error_logs);
  const deployment = data.deployment;
  const body = h(
    "div",
    { class: "diagnosis" },
    str(data.summary) ? h("p", { class: "summary" }, str(data.summary)!) : null,
    causes.length ? h("ol", { class: "causes" }, ...causes.map((c) => h("li", {}, String(c)))) : null,
    deployment && str(deployment.name)
      ? h("p", { class: "muted" }, `Deployment ${deployment.name}: ${deployment.paused ? "paused" : "active"}, ${str(deployment.status) ?? "status unknown"}, last polled ${when(deployment.last_polled)}`)
      : null,
    errors.length ? h("ol", { class: "logs" }, ...errors.map(logLine)) : null,
  );
  return [section("Diagnosis", body)];
}

/** diagnose_flow_run wraps the run; get_flow_run_by_id is the run itself. */
function isDiagnosis(data: FlowRunViewResult): data is DiagnoseFlowRunOutput {
  return "flow_run" in data && ("summary" in data || "likely_causes" in data);
}

export function render(root: HTMLElement, data: FlowRunViewResult, ctx: ViewContext): void {
  if (!isDiagnosis(data)) {
    renderFlowRun(root, data, ctx);
    return;
  }
  const run = data.flow_run ?? {};
  // A diagnosis refreshes as a diagnosis: diagnose_flow_run again, for this run's id.
  const id = str(run.id);
  const refresh = id ? async () => render(root, await ctx.call("diagnose_flow_run", { flow_run: id }), ctx) : undefined;
  renderFlowRun(root, run, ctx, { extra: diagnosis(data), refresh });
}
