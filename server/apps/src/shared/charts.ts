// Charts as inline SVG (no chart library): counts per state, runs over time, a Gantt of task
// runs, a state timeline and a strip of outcomes. Colours come from CSS, so they follow the theme.

import type { FlowRunView, TaskRunView } from "../generated/tool-outputs";
import { s, h } from "./dom";
import { clock, date, duration, when } from "./format";
import { runColor, STATE_TYPES, stateColor, stateOf, titleCase } from "./states";

const WIDTH = 640;

function chart(height: number, label: string, ...children: SVGElement[]): SVGElement {
  return s(
    "svg",
    { class: "chart", viewBox: `0 0 ${WIDTH} ${height}`, role: "img", "aria-label": label, preserveAspectRatio: "xMinYMin meet" },
    s("title", {}, label),
    ...children,
  );
}

/** One horizontal bar per state type with runs (all zeros: a note instead). */
export function stateBars(counts: Record<string, number>): Element {
  const rows = STATE_TYPES.map((type) => [type, counts[type] ?? 0] as const).filter(([, n]) => n > 0);
  const max = Math.max(1, ...rows.map(([, n]) => n));
  const rowHeight = 24;
  const labelWidth = 110;
  const barSpace = WIDTH - labelWidth - 60;
  const bars = rows.map(([type, n], i) => {
    const y = i * rowHeight;
    const width = Math.max(2, (n / max) * barSpace);
    return s(
      "g",
      { "data-state": type },
      s("text", { x: 0, y: y + 16, class: "label" }, titleCase(type)),
      s("rect", { x: labelWidth, y: y + 4, width, height: rowHeight - 8, rx: 3, fill: stateColor(type) }),
      s("text", { x: labelWidth + width + 6, y: y + 16, class: "value" }, n),
    );
  });
  if (rows.length === 0) return h("p", { class: "note muted" }, "No flow runs in this window.");
  return chart(rows.length * rowHeight, "Flow runs per state", ...bars);
}

/** Runs stacked by state type in time buckets between `from` and `to` (Prefect's run chart). */
export function runHistogram(runs: FlowRunView[], from: Date, to: Date, buckets = 24): SVGElement {
  const height = 150;
  const axis = 20;
  const span = Math.max(1, to.getTime() - from.getTime());
  const counts: Record<string, number>[] = Array.from({ length: buckets }, () => ({}));
  for (const run of runs) {
    const at = date(run.expected_start_time);
    const type = stateOf(run).type ?? "UNKNOWN";
    if (!at) continue;
    const i = Math.floor(((at.getTime() - from.getTime()) / span) * buckets);
    if (i < 0 || i >= buckets) continue;
    counts[i][type] = (counts[i][type] ?? 0) + 1;
  }
  const max = Math.max(1, ...counts.map((c) => Object.values(c).reduce((a, b) => a + b, 0)));
  const slot = WIDTH / buckets;
  const bars: SVGElement[] = [];
  counts.forEach((bucket, i) => {
    let top = height - axis;
    for (const type of [...STATE_TYPES, "UNKNOWN"]) {
      const n = bucket[type] ?? 0;
      if (!n) continue;
      const barHeight = (n / max) * (height - axis - 8);
      top -= barHeight;
      const start = new Date(from.getTime() + (span * i) / buckets);
      bars.push(
        s(
          "rect",
          { x: i * slot + 2, y: top, width: slot - 4, height: barHeight, fill: stateColor(type), "data-state": type },
          s("title", {}, `${clock(start)}: ${n} ${titleCase(type)}`),
        ),
      );
    }
  });
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) =>
    s(
      "text",
      { x: Math.min(WIDTH - 2, Math.max(2, f * WIDTH)), y: height - 4, class: "axis", "text-anchor": f === 0 ? "start" : f === 1 ? "end" : "middle" },
      clock(new Date(from.getTime() + span * f)),
    ),
  );
  const baseline = s("line", { x1: 0, x2: WIDTH, y1: height - axis, y2: height - axis, class: "grid" });
  const nowX = ((Date.now() - from.getTime()) / span) * WIDTH;
  const now =
    nowX > 0 && nowX < WIDTH
      ? s("g", { class: "now" }, s("line", { x1: nowX, x2: nowX, y1: 0, y2: height - axis, class: "grid now" }), s("text", { x: nowX + 3, y: 10, class: "axis" }, "now"))
      : null;
  return chart(height, "Flow runs over time, by state", baseline, ...bars, ...ticks, ...(now ? [now] : []));
}

/** A bar per task run from its start to its end (or now), coloured by state. */
export function gantt(taskRuns: TaskRunView[], onPick?: (run: TaskRunView) => void): Element {
  const now = Date.now();
  const rows = taskRuns
    .map((run) => ({ run, start: date(run.start_time) ?? date(run.expected_start_time), end: date(run.end_time) }))
    .filter((r) => r.start)
    .sort((a, b) => a.start!.getTime() - b.start!.getTime());
  if (rows.length === 0) return h("p", { class: "note muted" }, "No task run has started.");
  const first = rows[0].start!.getTime();
  const last = Math.max(...rows.map((r) => (r.end ?? new Date(now)).getTime()), first + 1);
  const rowHeight = 22;
  const labelWidth = 180;
  const scale = (WIDTH - labelWidth - 70) / (last - first);
  const bars = rows.map(({ run, start, end }, i) => {
    const y = i * rowHeight;
    const x = labelWidth + (start!.getTime() - first) * scale;
    const width = Math.max(3, ((end ?? new Date(now)).getTime() - start!.getTime()) * scale);
    const { type, name } = stateOf(run);
    const seconds = ((end ?? new Date(now)).getTime() - start!.getTime()) / 1000;
    const label = String(run.name ?? run.task_key ?? "task run");
    return s(
      "g",
      { class: onPick ? "pick" : undefined, "data-state": type ?? "NONE", onclick: onPick ? () => onPick(run) : undefined },
      s("title", {}, `${label}: ${name ?? type ?? "no state"}, ${duration(seconds)}`),
      s("text", { x: 0, y: y + 15, class: "label" }, label.length > 26 ? `${label.slice(0, 25)}…` : label),
      s("rect", { x, y: y + 4, width, height: rowHeight - 8, rx: 3, fill: runColor(run) }),
      s("text", { x: x + width + 5, y: y + 15, class: "value" }, duration(seconds)),
    );
  });
  return chart(rows.length * rowHeight + 4, "Task runs over time", ...bars);
}

/** A state change: when, and to which state. */
export interface Transition {
  at: Date;
  type: string | null;
  name: string;
}

/** Dots on a line at each state change, labelled with the state and the time. */
export function timeline(transitions: Transition[]): Element {
  if (transitions.length === 0) return h("p", { class: "note muted" }, "No state changes recorded.");
  const height = 64;
  const first = transitions[0].at.getTime();
  const last = Math.max(transitions[transitions.length - 1].at.getTime(), first + 1);
  const pad = 40;
  const x = (t: Date) => pad + ((t.getTime() - first) / (last - first)) * (WIDTH - 2 * pad);
  // Equal spacing when changes are too close to tell apart on a time scale.
  const crowded = transitions.some((t, i) => i > 0 && x(t.at) - x(transitions[i - 1].at) < 70);
  const at = (t: Transition, i: number) =>
    crowded ? pad + (i / Math.max(1, transitions.length - 1)) * (WIDTH - 2 * pad) : x(t.at);
  const marks = transitions.map((t, i) =>
    s(
      "g",
      { "data-state": t.type ?? "NONE" },
      s("title", {}, `${t.name} at ${when(t.at.toISOString())}`),
      s("circle", { cx: at(t, i), cy: 22, r: 7, fill: stateColor(t.type) }),
      s("text", { x: at(t, i), y: 46, class: "label", "text-anchor": "middle" }, t.name),
      s("text", { x: at(t, i), y: 60, class: "axis", "text-anchor": "middle" }, clock(t.at)),
    ),
  );
  const line = s("line", { x1: pad, x2: WIDTH - pad, y1: 22, y2: 22, class: "grid" });
  return chart(height, "State timeline", line, ...marks);
}

/** A square per run, oldest left, coloured by outcome; a click opens the run. */
export function strip(runs: FlowRunView[], onPick: (run: FlowRunView) => void): Element {
  if (runs.length === 0) return h("p", { class: "note muted" }, "No run was due yet.");
  const size = 18;
  const gap = 4;
  const cells = runs.map((run, i) => {
    const { type, name } = stateOf(run);
    return s(
      "rect",
      {
        class: "pick",
        x: i * (size + gap),
        y: 2,
        width: size,
        height: size,
        rx: 3,
        fill: runColor(run),
        "data-state": type ?? "NONE",
        onclick: () => onPick(run),
      },
      s("title", {}, `${String(run.name ?? run.id)}: ${name ?? type ?? "no state"}, ${when(run.expected_start_time)}`),
    );
  });
  return chart(size + 4, "Recent outcomes, oldest first", ...cells);
}
