// The view's side of the MCP Apps bridge: connect to the host, follow its theme and size, take
// the tool result it hands over, and call server tools through it.

import {
  App,
  applyDocumentTheme,
  applyHostFonts,
  applyHostStyleVariables,
  type McpUiHostContext,
} from "@modelcontextprotocol/ext-apps";
import type { ToolName, ToolOutputs } from "../generated/tool-outputs";
import { fill, note } from "./dom";

/** A tool answer that is an error (isError), with the server's own wording. */
export class ToolCallError extends Error {}

/** What a view is given besides the tool result: a way to call server tools. */
export interface ViewContext {
  /** Call a server tool through the host; resolves to its structured result. */
  call<Tool extends ToolName>(name: Tool, args: Record<string, unknown>): Promise<ToolOutputs[Tool]>;
}

/** Draws a view from the result of a tool that names it (`Result`, from its output schema). */
export type Render<Result> = (root: HTMLElement, result: Result, ctx: ViewContext) => void;

/** The text of a result's text blocks. */
function textOf(result: { content?: unknown }): string {
  const blocks = Array.isArray(result.content) ? result.content : [];
  return blocks
    .filter((b): b is { type: "text"; text: string } => b?.type === "text" && typeof b.text === "string")
    .map((b) => b.text)
    .join("\n");
}

/** A result's structured content; a host that passes only text gets its JSON parsed. It is
 *  typed as the tool's output schema promises (`Result`): the server serializes the very type
 *  that schema is derived from. The views still read each field as possibly absent. */
function structured<Result>(result: { structuredContent?: unknown; content?: unknown; isError?: boolean }): Result {
  if (result.isError) {
    throw new ToolCallError(textOf(result) || "The tool failed without saying why.");
  }
  const data = result.structuredContent;
  if (data && typeof data === "object" && !Array.isArray(data)) return data as Result;
  const text = textOf(result);
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Result;
  } catch {
    // Not JSON: shown as text below.
  }
  throw new ToolCallError(text || "The tool answered without data.");
}

/** A failed call as one readable line. */
export function failure(error: unknown): string {
  if (error instanceof ToolCallError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return `The host could not run the call: ${message}`;
}

function applyContext(ctx: McpUiHostContext | undefined): void {
  if (!ctx) return;
  if (ctx.theme) applyDocumentTheme(ctx.theme);
  if (ctx.styles?.variables) applyHostStyleVariables(ctx.styles.variables);
  if (ctx.styles?.css?.fonts) applyHostFonts(ctx.styles.css.fonts);
  const dims = ctx.containerDimensions as Record<string, number | undefined> | undefined;
  const maxWidth = dims?.width ?? dims?.maxWidth;
  if (maxWidth) document.documentElement.style.setProperty("--host-width", `${maxWidth}px`);
}

/** Start a view: `render` runs on every tool result the host sends. */
export function startView<Result>(name: string, render: Render<Result>): void {
  const root = document.getElementById("app");
  if (!root) throw new Error("the view's page has no #app element");
  // Before the host speaks, the system theme is the best guess.
  applyDocumentTheme(window.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light");
  fill(root, note("Waiting for the tool result…"));

  const app = new App({ name: `prefect-${name}`, version: "1.0.0" }, {}, { autoResize: true });
  const ctx: ViewContext = {
    call: async <Tool extends ToolName>(tool: Tool, args: Record<string, unknown>) =>
      structured<ToolOutputs[Tool]>(await app.callServerTool({ name: tool, arguments: args })),
  };
  app.ontoolresult = (result) => {
    try {
      render(root, structured<Result>(result), ctx);
    } catch (error) {
      fill(root, note(failure(error), "error"));
    }
  };
  app.ontoolcancelled = () => fill(root, note("The tool call was cancelled."));
  app.onhostcontextchanged = (context) => applyContext(context);
  app.onteardown = async () => ({});
  app
    .connect()
    .then(() => applyContext(app.getHostContext()))
    .catch((error: unknown) => fill(root, note(`Could not connect to the host: ${failure(error)}`, "error")));
}
