/**
 * The DOM of a live playground in JupyterLab: the markup that tools/handouts/build.py writes for a
 * handout (playground_html; classes and data attributes are what tools/handouts/live-playground.ts
 * and playground.css expect), made in the browser from the playground's specs.
 */
import type { PlaygroundInfo, PlaygroundParams } from "../../kernel-lib/src/playgrounds";
import { readout } from "../../tools/handouts/live-playground";

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = "", text = ""): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

function slider(key: string, spec: PlaygroundInfo["params"][string], value: number): HTMLLabelElement {
  const label = el("label", "kl-param");
  if (spec.help) label.title = spec.help;
  const input = el("input");
  input.type = "range";
  input.name = key;
  input.dataset.param = key;
  input.dataset.unit = spec.unit;
  if (spec.values) {
    // The slider moves over the allowed values' positions (page sizes 4 KiB, 2 MiB, 1 GiB...).
    const labels = spec.valueLabels ?? spec.values.map((v) => `${v} ${spec.unit}`.trim());
    input.dataset.values = JSON.stringify(spec.values);
    input.dataset.labels = JSON.stringify(labels);
    input.min = "0";
    input.max = String(spec.values.length - 1);
    input.step = "1";
    input.setAttribute("value", String(Math.max(0, spec.values.indexOf(value))));
  } else {
    input.min = String(spec.min);
    input.max = String(spec.max);
    input.step = String(spec.step);
    input.setAttribute("value", String(value)); // the attribute, so that Reset comes back to it
  }
  input.setAttribute("aria-label", spec.label);
  // Arrow keys move a focused slider, not the notebook's selection: Lumino skips its shortcuts for a
  // target marked so (on the focused element itself: the command-mode selector matches it first).
  input.dataset.lmSuppressShortcuts = "true";
  const out = el("output", "", readout(input));
  out.dataset.for = key;
  label.append(el("span", "kl-param-label", spec.label), input, out);
  return label;
}

/** The playground box for `name`; without `live` (an unknown playground), only the chart's place. */
export function playgroundBox(name: string, live?: { info: PlaygroundInfo; params: PlaygroundParams }): HTMLElement {
  const box = el("figure", "kl-playground-box");
  box.dataset.playground = name;
  const caption = el("figcaption");
  caption.append(el("span", "kl-badge", live ? "Live playground" : "Playground"), " ", el("strong", "", live?.info.title ?? name));
  if (live) caption.append(el("span", "kl-playground-desc", live.info.description));
  box.append(caption);
  if (live) {
    const form = el("form", "kl-playground-controls");
    form.dataset.playground = name;
    for (const [key, spec] of Object.entries(live.info.params)) form.append(slider(key, spec, live.params[key]!));
    const reset = el("button", "", "Reset");
    reset.type = "reset";
    form.append(reset);
    box.append(form);
  }
  const chart = el("div", "kl-chart kl-playground");
  chart.dataset.playground = name;
  box.append(chart, el("p", "kl-playground-status", live ? "Move a slider: the simulation re-runs in your browser (kernel-lib, no kernel needed)." : ""));
  return box;
}
