/**
 * A live playground: sliders that re-run a kernel-lib playground in the browser and redraw its chart.
 * Shared by the handouts' runtime (the markup written by build.py's playground_html) and the
 * JupyterLab extension (the same markup, made by lab-extension/src/playground-view.ts):
 *
 *   .kl-playground-box
 *     form.kl-playground-controls   input[type=range][data-param] (data-values / data-labels / data-unit)
 *                                   output[data-for=<param>], button[type=reset]
 *     .kl-chart.kl-playground[data-playground=<name>]   the chart (plotDiv)
 *     .kl-playground-status         what happened (run time, or why it could not run)
 *
 * The chart's `data-runs` counts finished redraws (the browser tests wait on it).
 */
import { getPlayground, resolvePlaygroundParams, type PlaygroundParams } from "../../kernel-lib/src/playgrounds";
import { plotDiv, type DrawFigure } from "./plot";

/** The parameter value a slider stands for (a position in `data-values`, or the value itself). */
export function sliderValue(input: HTMLInputElement): number {
  const values = input.dataset.values ? (JSON.parse(input.dataset.values) as number[]) : null;
  const n = Number(input.value);
  return values ? values[n]! : n;
}

/** The text shown beside a slider: its value label, or the number with its unit. */
export function readout(input: HTMLInputElement): string {
  const labels = input.dataset.labels ? (JSON.parse(input.dataset.labels) as string[]) : null;
  if (labels) return labels[Number(input.value)]!;
  const unit = input.dataset.unit ?? "";
  return `${Number(input.value).toLocaleString("en-US")}${unit ? " " + unit : ""}`;
}

/** Makes the sliders of `box` re-run its playground (at most once per frame) and redraw with `draw`. */
export function wirePlayground(box: HTMLElement, draw: DrawFigure): void {
  const form = box.querySelector<HTMLFormElement>("form.kl-playground-controls");
  const chart = box.querySelector<HTMLElement>(".kl-chart.kl-playground");
  if (!form || !chart) return;
  const name = chart.dataset.playground!;
  const playground = getPlayground(name); // throws, by name, if the page and the bundle disagree
  const inputs = [...form.querySelectorAll<HTMLInputElement>("input[data-param]")];
  const status = box.querySelector<HTMLElement>(".kl-playground-status");
  let pending = false;
  let runs = 0;
  const fail = (e: unknown) => {
    if (status) status.textContent = `Could not run: ${(e as Error).message}`;
    console.error(e);
  };
  const rerun = () => {
    pending = false;
    const params: Partial<PlaygroundParams> = {};
    for (const input of inputs) params[input.dataset.param!] = sliderValue(input);
    try {
      const started = performance.now();
      const figure = playground.run(resolvePlaygroundParams(name, params));
      const ms = Math.max(1, Math.round(performance.now() - started));
      draw(plotDiv(chart), figure, "react").then(
        () => {
          runs++;
          chart.dataset.runs = String(runs); // the tests wait for this: the new figure is drawn
          if (status) status.textContent = `Re-ran the simulation in your browser in ${ms} ms.`;
        },
        (e: unknown) => fail(e),
      );
    } catch (e) {
      fail(e);
    }
  };
  const schedule = () => {
    for (const input of inputs) {
      const out = form.querySelector<HTMLOutputElement>(`output[data-for="${input.dataset.param}"]`);
      if (out) out.textContent = readout(input);
    }
    if (!pending) {
      pending = true;
      requestAnimationFrame(rerun);
    }
  };
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("reset", () => setTimeout(schedule, 0));
  form.addEventListener("submit", (e) => e.preventDefault());
  box.classList.add("kl-live");
}
