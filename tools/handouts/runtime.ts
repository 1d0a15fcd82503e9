/**
 * The browser code of an HTML handout, bundled by tools/handouts/bundle.mjs (esbuild, IIFE) and
 * inlined once per page after plotly.js.
 *
 * 1. Charts: every `.kl-chart` holds its figure as JSON in `<script type="application/vnd.plotly.v1+json">`
 *    (kernel-lib's figureBundle); draw it with plotly.js at a fixed width (so it prints uncut), its
 *    layout fitted to that width by fit.ts (automargin on every axis, wrapped titles and labels).
 * 2. Playgrounds: a `.kl-playground-box` holds a form of sliders (one per parameter, written by the
 *    builder from the playground's specs) and the chart; on every change, re-run the playground's
 *    function from kernel-lib (bundled here, the same code the notebook ran) and Plotly.react.
 */
import { getPlayground, resolvePlaygroundParams, playgroundCatalog, type PlaygroundParams } from "../../kernel-lib/src/playgrounds";
import type { Figure } from "../../kernel-lib/src/charts/figure";
import { fitLayout, fixCollisions, type Obj } from "./fit";

interface PlotlyApi {
  newPlot(el: HTMLElement, data: unknown[], layout: object, config: object): Promise<HTMLElement>;
  react(el: HTMLElement, data: unknown[], layout: object, config: object): Promise<HTMLElement>;
  relayout(el: HTMLElement, update: object): Promise<unknown>;
}
declare const Plotly: PlotlyApi;

/** Chart size on screen and paper: fits A4 and Letter portrait with 15 mm margins (180 mm ≈ 680 px), even inside a playground box. */
const CHART_WIDTH_PX = 640;
const CHART_HEIGHT_PX = 400;
const PLOTLY_MIME = "application/vnd.plotly.v1+json";
const CONFIG = { displaylogo: false, responsive: false, showLink: false, modeBarButtonsToRemove: ["sendDataToCloud", "select2d", "lasso2d"] };

function sized(figure: Figure): Obj {
  return fitLayout(figure.layout, figure.data as Obj[], {
    width: CHART_WIDTH_PX,
    height: typeof figure.layout.height === "number" ? figure.layout.height : CHART_HEIGHT_PX,
  });
}

/** Draws (or redraws) `figure` fitted to the handout's chart size. */
async function plot(div: HTMLElement, figure: Figure, how: "newPlot" | "react"): Promise<void> {
  const layout = sized(figure);
  await Plotly[how](div, figure.data, layout, { ...CONFIG, ...(figure.config ?? {}) });
  await fixCollisions(div, layout, Plotly);
}

function plotDiv(chart: HTMLElement): HTMLElement {
  let div = chart.querySelector<HTMLElement>(":scope > .kl-plot");
  if (!div) {
    div = document.createElement("div");
    div.className = "kl-plot";
    chart.appendChild(div);
  }
  return div;
}

async function drawChart(chart: HTMLElement): Promise<void> {
  const script = chart.querySelector(`script[type="${PLOTLY_MIME}"]`);
  if (!script) return;
  const figure = JSON.parse(script.textContent ?? "{}") as Figure;
  await plot(plotDiv(chart), figure, "newPlot");
  chart.classList.add("kl-drawn");
}

function sliderValue(input: HTMLInputElement): number {
  const values = input.dataset.values ? (JSON.parse(input.dataset.values) as number[]) : null;
  const n = Number(input.value);
  return values ? values[n]! : n;
}

function readout(input: HTMLInputElement): string {
  const labels = input.dataset.labels ? (JSON.parse(input.dataset.labels) as string[]) : null;
  if (labels) return labels[Number(input.value)]!;
  const unit = input.dataset.unit ?? "";
  return `${Number(input.value).toLocaleString("en-US")}${unit ? " " + unit : ""}`;
}

function wirePlayground(box: HTMLElement): void {
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
      plot(plotDiv(chart), figure, "react").then(
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

async function main(): Promise<void> {
  const charts = [...document.querySelectorAll<HTMLElement>(".kl-chart")];
  // One bad chart must not stop the others; its error goes to the console (the tests count those).
  await Promise.all(charts.map((c) => drawChart(c).catch((e: unknown) => console.error(`chart "${c.dataset.title ?? ""}":`, e))));
  for (const box of document.querySelectorAll<HTMLElement>(".kl-playground-box")) wirePlayground(box);
  document.body.dataset.chartsDrawn = String(document.querySelectorAll(".kl-chart.kl-drawn").length);
}

// For readers who like a console, and for the tests.
(window as unknown as { computropolis: object }).computropolis = { playgroundCatalog, getPlayground, resolvePlaygroundParams };

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => void main());
else void main();
