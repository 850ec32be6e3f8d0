// The one script of every view: the page names its view (data-view on <html>, which the server
// sets when it serves each ui:// resource), so the App SDK and the shared code are shipped once.

import { startView } from "../shared/app";
import { fill, note } from "../shared/dom";
import { render as dashboard } from "./dashboard";
import { render as deployment } from "./deployment";
import { render as flowRun } from "./flow-run";

/** Each view's start, by name: each is typed by the results it is given. */
const VIEWS: Record<string, (name: string) => void> = {
  dashboard: (name) => startView(name, dashboard),
  deployment: (name) => startView(name, deployment),
  "flow-run": (name) => startView(name, flowRun),
};

const name = document.documentElement.dataset.view ?? "";
const start = VIEWS[name];
if (start) start(name);
else {
  const root = document.getElementById("app");
  if (root) fill(root, note(`This page names no view the server has: "${name}".`, "error"));
}
