// The one script of every view: the page names its view (data-view on <html>, which the server
// sets when it serves each ui:// resource), so the App SDK and the shared code are shipped once.

import { startView, type Render } from "../shared/app";
import { fill, note } from "../shared/dom";
import { render as dashboard } from "./dashboard";
import { render as deployment } from "./deployment";
import { render as flowRun } from "./flow-run";

const VIEWS: Record<string, Render> = { dashboard, deployment, "flow-run": flowRun };

const name = document.documentElement.dataset.view ?? "";
const render = VIEWS[name];
if (render) startView(name, render);
else {
  const root = document.getElementById("app");
  if (root) fill(root, note(`This page names no view the server has: "${name}".`, "error"));
}
