/**
 * Drawing a kernel-lib figure with plotly.js, its layout fitted to the width it is drawn at (fit.ts:
 * automargin on every axis, wrapped titles and labels, legends kept off the axis labels).
 * Shared by the handouts' runtime (a fixed 640 px, so print matches the screen) and the JupyterLab
 * extension (lab-extension/: the width of the output area).
 */
import type { Figure } from "../../kernel-lib/src/charts/figure";
import { fitLayout, fixCollisions } from "./fit";

export interface PlotlyApi {
  newPlot(el: HTMLElement, data: unknown[], layout: object, config: object): Promise<HTMLElement>;
  react(el: HTMLElement, data: unknown[], layout: object, config: object): Promise<HTMLElement>;
  relayout(el: HTMLElement, update: object): Promise<unknown>;
}

/** Height when the figure does not set one. */
export const CHART_HEIGHT_PX = 400;
const CONFIG = { displaylogo: false, responsive: false, showLink: false, modeBarButtonsToRemove: ["sendDataToCloud", "select2d", "lasso2d"] };

/** A chart-drawing function bound to one plotly.js and one width (what live-playground.ts calls). */
export type DrawFigure = (div: HTMLElement, figure: Figure, how: "newPlot" | "react") => Promise<void>;

/** Draws (or redraws) `figure` into `div`, fitted to `width` pixels. */
export async function plotFitted(Plotly: PlotlyApi, div: HTMLElement, figure: Figure, how: "newPlot" | "react", width: number): Promise<void> {
  const height = typeof figure.layout.height === "number" ? figure.layout.height : CHART_HEIGHT_PX;
  const layout = fitLayout(figure.layout, figure.data as Record<string, unknown>[], { width, height });
  await Plotly[how](div, figure.data, layout, { ...CONFIG, ...(figure.config ?? {}) });
  await fixCollisions(div, layout, Plotly);
}

/** The `.kl-plot` div of a `.kl-chart` element, made if missing (plotly.js draws into it). */
export function plotDiv(chart: HTMLElement): HTMLElement {
  let div = chart.querySelector<HTMLElement>(":scope > .kl-plot");
  if (!div) {
    div = document.createElement("div");
    div.className = "kl-plot";
    chart.appendChild(div);
  }
  return div;
}
