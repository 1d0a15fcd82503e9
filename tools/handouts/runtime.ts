/**
 * The browser code of an HTML handout, bundled by tools/handouts/bundle.mjs (esbuild, IIFE) and
 * inlined once per page after plotly.js.
 *
 * 1. Charts: every `.kl-chart` holds its figure as JSON in `<script type="application/vnd.plotly.v1+json">`
 *    (kernel-lib's figureBundle); draw it with plotly.js at a fixed width (so it prints uncut), its
 *    layout fitted to that width (plot.ts).
 * 2. Playgrounds: a `.kl-playground-box` holds a form of sliders (one per parameter, written by the
 *    builder from the playground's specs) and the chart; live-playground.ts re-runs the playground's
 *    function from kernel-lib (bundled here, the same code the notebook ran) on every change.
 * The JupyterLab extension (lab-extension/) draws and wires playgrounds with the same plot.ts and
 * live-playground.ts.
 */
import { getPlayground, resolvePlaygroundParams, playgroundCatalog } from "../../kernel-lib/src/playgrounds";
import type { Figure } from "../../kernel-lib/src/charts/figure";
import { plotDiv, plotFitted, type DrawFigure, type PlotlyApi } from "./plot";
import { wirePlayground } from "./live-playground";

declare const Plotly: PlotlyApi;

/** Chart size on screen and paper: fits A4 and Letter portrait with 15 mm margins (180 mm ≈ 680 px), even inside a playground box. */
const CHART_WIDTH_PX = 640;
const PLOTLY_MIME = "application/vnd.plotly.v1+json";

const draw: DrawFigure = (div, figure, how) => plotFitted(Plotly, div, figure, how, CHART_WIDTH_PX);

async function drawChart(chart: HTMLElement): Promise<void> {
  const script = chart.querySelector(`script[type="${PLOTLY_MIME}"]`);
  if (!script) return;
  const figure = JSON.parse(script.textContent ?? "{}") as Figure;
  await draw(plotDiv(chart), figure, "newPlot");
  chart.classList.add("kl-drawn");
}

async function main(): Promise<void> {
  const charts = [...document.querySelectorAll<HTMLElement>(".kl-chart")];
  // One bad chart must not stop the others; its error goes to the console (the tests count those).
  await Promise.all(charts.map((c) => drawChart(c).catch((e: unknown) => console.error(`chart "${c.dataset.title ?? ""}":`, e))));
  for (const box of document.querySelectorAll<HTMLElement>(".kl-playground-box")) wirePlayground(box, draw);
  document.body.dataset.chartsDrawn = String(document.querySelectorAll(".kl-chart.kl-drawn").length);
}

// For readers who like a console, and for the tests.
(window as unknown as { computropolis: object }).computropolis = { playgroundCatalog, getPlayground, resolvePlaygroundParams };

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => void main());
else void main();
