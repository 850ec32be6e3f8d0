// The driver's two halves: an MCP client on the real server binary (declaring the MCP Apps
// extension, as Claude or VS Code do) and a real Chromium showing the test host page.

import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer from "puppeteer-core";

export const UI_EXTENSION = "io.modelcontextprotocol/ui";
export const UI_MIME = "text/html;profile=mcp-app";

/** Connect to `prefect-mcp-server` over stdio; `ui` declares the extension. */
export async function connect({ server, apiUrl, ui, era }) {
  const capabilities = ui ? { extensions: { [UI_EXTENSION]: { mimeTypes: [UI_MIME] } } } : {};
  const options = { capabilities };
  if (era === "2026") options.versionNegotiation = { mode: { pin: "2026-07-28" } };
  const client = new Client({ name: "prefect-mcp-apps-test", version: "1.0.0" }, options);
  const env = { ...process.env, PREFECT_API_URL: apiUrl, RUST_LOG: "warn" };
  await client.connect(new StdioClientTransport({ command: server, args: [], env, stderr: "inherit" }));
  return client;
}

/** A tool's answer, failing loudly on an error result (the test's own calls must succeed). */
export async function callOk(client, name, args) {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) {
    const text = (result.content ?? []).map((b) => b.text ?? "").join("\n");
    throw new Error(`${name} failed: ${text}`);
  }
  return result;
}

/** The Chromium flags: headless, no sandbox (root in CI), nothing phoning home. */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-dev-shm-usage",
  "--font-render-hinting=none",
];

/** Start Chromium with a fresh profile; `close()` stops it and removes the profile. */
export async function launchBrowser(executablePath) {
  const profile = mkdtempSync(join(tmpdir(), "prefect-mcp-chromium-"));
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    userDataDir: profile,
    protocolTimeout: 120_000,
  });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The view's frame once its document has loaded (the host page has exactly one iframe). */
export async function viewFrame(page) {
  const handle = await page.waitForSelector("iframe", { timeout: 30_000 });
  const frame = await handle.contentFrame();
  if (!frame) throw new Error("the host's iframe has no frame");
  return { frame, handle };
}

/** Wait until `selector` exists in the view, with a message naming what was awaited. */
export async function waitIn(frame, selector, what, timeout = 45_000) {
  try {
    return await frame.waitForSelector(selector, { timeout });
  } catch (error) {
    const text = await frame.evaluate(() => document.body.innerText).catch(() => "(unreadable)");
    throw new Error(`${what}: ${selector} did not appear within ${timeout} ms; the view shows:\n${text}`, {
      cause: error,
    });
  }
}

/** Text of every element matching `selector` in the view. */
export function texts(frame, selector) {
  return frame.$$eval(selector, (els) => els.map((e) => e.textContent.trim()));
}
