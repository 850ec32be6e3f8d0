// DOM building without innerHTML: every value from Prefect (names, messages, logs) becomes a
// text node, so a run name or exception text can never inject markup into the view.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | ((event: Event) => void) | undefined>;

/** An HTML element with attributes (`on*` keys become listeners) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element; charts are drawn with these (no chart library: the bundle stays small). */
export function s(tag: string, attrs: Attrs = {}, ...children: Child[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag) as SVGElement;
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el: Element, attrs: Attrs): void {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
}

function append(el: Element, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "number" ? String(child) : child);
  }
}

/** Replace an element's children. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A titled section of a view, with an optional control row on the right of its title. */
export function section(title: string, body: Node, ...controls: Child[]): HTMLElement {
  return h(
    "section",
    { class: "card", "data-section": title.toLowerCase().replace(/[^a-z]+/g, "-") },
    h("header", { class: "card-head" }, h("h2", {}, title), h("div", { class: "controls" }, ...controls)),
    body,
  );
}

/** Readable text in place of something that could not be shown. */
export function note(text: string, kind: "muted" | "error" = "muted"): HTMLElement {
  return h("p", { class: `note ${kind}`, role: kind === "error" ? "alert" : undefined }, text);
}

/** A placeholder that a later call fills (each section loads on its own). */
export function loading(what: string): HTMLElement {
  return note(`Loading ${what}…`);
}

/** A button that disables itself while its action runs, so a click is never sent twice. */
export function actionButton(
  label: string,
  action: () => Promise<void>,
  attrs: Attrs = {},
): HTMLButtonElement {
  const button = h("button", { type: "button", ...attrs }, label);
  button.addEventListener("click", async () => {
    if (button.disabled) return;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    try {
      await action();
    } finally {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  });
  return button;
}

/** A link-styled button that drills into something (a run, a deployment). */
export function linkButton(label: string, action: () => void, attrs: Attrs = {}): HTMLButtonElement {
  return h("button", { type: "button", class: "link", onclick: action, ...attrs }, label);
}
