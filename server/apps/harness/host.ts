// The test host: what Claude or VS Code do with a view, on the official AppBridge. It renders a
// view's HTML in a sandboxed iframe (scripts only, no same origin), hands it the tool input and
// result, answers its tool calls through `window.mcpCallTool` (the node driver's MCP client,
// exposed by puppeteer), follows the view's size and can switch the theme.

import { AppBridge, PostMessageTransport, type McpUiHostContext } from "@modelcontextprotocol/ext-apps/app-bridge";
import type { CallToolResult } from "@modelcontextprotocol/client";

interface ShowArgs {
  html: string;
  tool: { name: string; inputSchema: Record<string, unknown> };
  input: Record<string, unknown>;
  result: CallToolResult;
  theme: "light" | "dark";
  width: number;
}

interface HostWindow extends Window {
  mcpCallTool(params: { name: string; arguments?: Record<string, unknown> }): Promise<CallToolResult>;
  showView(args: ShowArgs): Promise<void>;
  setTheme(theme: "light" | "dark"): Promise<void>;
  toolCalls: { name: string; arguments: unknown; isError: boolean; text: string }[];
}

const host = window as unknown as HostWindow;
host.toolCalls = [];
let bridge: AppBridge | null = null;

function pageTheme(theme: "light" | "dark"): void {
  document.body.style.background = theme === "dark" ? "#0f1115" : "#eef0f3";
}

host.showView = async (args: ShowArgs) => {
  document.body.replaceChildren();
  pageTheme(args.theme);
  const frame = document.createElement("iframe");
  frame.setAttribute("sandbox", "allow-scripts");
  frame.style.cssText = `width:${args.width}px;height:200px;border:1px solid #8884;border-radius:10px;display:block;margin:16px;background:transparent`;
  document.body.append(frame);
  const context: McpUiHostContext = {
    theme: args.theme,
    displayMode: "inline",
    availableDisplayModes: ["inline"],
    containerDimensions: { maxWidth: args.width, maxHeight: 4000 },
    platform: "web",
    locale: "en-US",
    timeZone: "UTC",
    toolInfo: { tool: { name: args.tool.name, inputSchema: { type: "object", ...args.tool.inputSchema } } },
  };
  bridge = new AppBridge(
    null,
    { name: "prefect-mcp-test-host", version: "1.0.0" },
    { serverTools: {}, logging: {} },
    { hostContext: context },
  );
  bridge.oncalltool = async (params) => {
    let result: CallToolResult;
    try {
      result = await host.mcpCallTool({ name: params.name, arguments: params.arguments });
    } catch (error) {
      // A protocol error (e.g. an unknown tool) goes back to the view as an error, as hosts do.
      host.toolCalls.push({ name: params.name, arguments: params.arguments, isError: true, text: String(error) });
      throw error;
    }
    const text = (result.content ?? []).map((b) => (b.type === "text" ? b.text : "")).join("\n");
    host.toolCalls.push({ name: params.name, arguments: params.arguments, isError: result.isError === true, text });
    return result;
  };
  bridge.onsizechange = ({ height }) => {
    if (height) frame.style.height = `${Math.ceil(height)}px`;
  };
  bridge.onloggingmessage = (params) => console.log(`view log: ${JSON.stringify(params.data)}`);
  const initialized = new Promise<void>((resolve) => {
    bridge!.oninitialized = () => resolve();
  });
  await bridge.connect(new PostMessageTransport(frame.contentWindow!, frame.contentWindow!));
  frame.srcdoc = args.html;
  await initialized;
  await bridge.sendToolInput({ arguments: args.input });
  await bridge.sendToolResult(args.result);
};

host.setTheme = async (theme) => {
  pageTheme(theme);
  await bridge?.sendHostContextChange({ theme });
};
