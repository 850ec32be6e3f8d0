// Prefect's state types, in its UI's order and colours, and the badge that shows a state.

import { h } from "./dom";
import { str } from "./format";

/** What a badge reads of a run: its state, from any tool's run (flow or task run) or a
 *  dashboard row's state type. */
export interface HasState {
  state?: { type?: string | null; name?: string | null; message?: string | null } | null;
}

/** State types in the order Prefect's UI lists them. */
export const STATE_TYPES = [
  "COMPLETED",
  "RUNNING",
  "SCHEDULED",
  "PENDING",
  "FAILED",
  "CRASHED",
  "CANCELLED",
  "CANCELLING",
  "PAUSED",
] as const;

/** The CSS custom property holding a state type's colour (see style.css). */
export function stateColor(type: string | null | undefined): string {
  const known = (STATE_TYPES as readonly string[]).includes(type ?? "") ? type!.toLowerCase() : "unknown";
  return `var(--state-${known})`;
}

/** A run's colour: its state type's, except that a Late run (SCHEDULED, time passed) stands out. */
export function runColor(run: HasState): string {
  const { type, name } = stateOf(run);
  return name === "Late" ? "var(--state-late)" : stateColor(type);
}

/** "Completed" from "COMPLETED". */
export function titleCase(type: string): string {
  return type.charAt(0) + type.slice(1).toLowerCase();
}

/** A run's state as `{type, name, message}`, whatever is present. */
export function stateOf(run: HasState): { type: string | null; name: string | null; message: string | null } {
  const state = run.state;
  return { type: str(state?.type), name: str(state?.name), message: str(state?.message) };
}

/** A coloured badge with the state's display name ("Late", "Completed"), or "No state". */
export function badge(run: HasState): HTMLElement {
  const { type, name } = stateOf(run);
  const label = name ?? (type ? titleCase(type) : "No state");
  return h(
    "span",
    { class: "badge", "data-state": type ?? "NONE", style: `--badge: ${runColor(run)}` },
    label,
  );
}
