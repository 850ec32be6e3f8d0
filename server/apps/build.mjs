// Build the views into one self-contained HTML file (script and styles inlined, nothing fetched):
//   node build.mjs <out-dir>             the views: <out-dir>/app.html, every view in one script;
//                                        the server serves it as each ui:// resource with
//                                        data-view="" on <html> naming that view
//   node build.mjs <out-dir> --harness   the test host page instead: <out-dir>/host.html
// `cargo xtask apps` runs it into dist/ (checked in, embedded by the server); `--check` runs it
// into a temporary folder and compares, so the output must depend on the sources only.

import { build } from "esbuild";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
/** The size hosts are asked to accept at most, per view. */
const MAX_BYTES = 1024 * 1024;

async function bundle(entry) {
  const result = await build({
    entryPoints: [join(here, entry)],
    bundle: true,
    minify: true,
    format: "iife",
    target: "es2022",
    platform: "browser",
    write: false,
    legalComments: "eof",
    charset: "utf8",
    logLevel: "warning",
  });
  return result.outputFiles[0].text;
}

function page(title, script, style) {
  // Inlined text must not close its own element early.
  if (/<\/script/i.test(script) || /<\/style/i.test(style)) {
    throw new Error(`${title}: the bundle contains a closing tag that would end the inline element`);
  }
  const template = readFileSync(join(here, "src/template.html"), "utf8");
  return template.split("{{TITLE}}").join(title).split("{{STYLE}}").join(style).split("{{SCRIPT}}").join(script);
}

async function main() {
  const [outDir, flag] = process.argv.slice(2);
  if (!outDir) throw new Error("usage: node build.mjs <out-dir> [--harness]");
  mkdirSync(outDir, { recursive: true });
  const style = readFileSync(join(here, "src/shared/style.css"), "utf8");
  if (flag === "--harness") {
    const script = await bundle("harness/host.ts");
    writeFileSync(join(outDir, "host.html"), page("prefect-mcp test host", script, ""));
    return;
  }
  const html = page("Prefect", await bundle("src/views/index.ts"), style);
  const bytes = Buffer.byteLength(html);
  if (bytes > MAX_BYTES) throw new Error(`app.html is ${bytes} bytes, over the 1 MiB a view may be`);
  writeFileSync(join(outDir, "app.html"), html);
  console.log(`app.html ${bytes} bytes`);
}

main().catch((error) => {
  console.error(error.message ?? error);
  process.exit(1);
});
