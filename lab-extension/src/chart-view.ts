/**
 * kernel-lib charts in JupyterLab, drawn as the handouts draw them: plotly.js with the layout
 * fitted (tools/handouts/plot.ts and fit.ts) to the width of the output area, so slanted category
 * labels and axis titles are never cut or drawn over each other. kernel-lib marks its chart
 * outputs with CHART_MIME beside the Plotly JSON; other Plotly outputs stay with jupyterlab-plotly.
 */
import { Widget } from "@lumino/widgets";
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import type { Figure } from "../../kernel-lib/src/charts/figure";
import { plotDiv, plotFitted, type DrawFigure, type PlotlyApi } from "../../tools/handouts/plot";

/** kernel-lib's display/bundle.ts marks every chart output with this type. */
export const CHART_MIME = "application/vnd.computropolis.chart+json";
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";
/** Charts never get wider than this, however wide the notebook (fit.ts lays them out for it). */
const MAX_WIDTH_PX = 860;
const MIN_WIDTH_PX = 360;

// plotly.js (the 1 MB basic bundle the handouts inline: scatter, bar, pie, all kernel-lib draws) is
// loaded with the first chart, not at Lab's start; jupyterlab-plotly keeps its copy private.
let plotly: Promise<PlotlyApi> | undefined;
function loadPlotly(): Promise<PlotlyApi> {
  plotly ??= import("plotly.js-basic-dist-min").then((m: { default?: unknown }) => (m.default ?? m) as PlotlyApi);
  return plotly;
}

/** Draws `figure` into the `.kl-chart` element `chart`, fitted to its width; returns the drawing function used. */
export async function drawFitted(chart: HTMLElement, figure: Figure): Promise<DrawFigure> {
  const Plotly = await loadPlotly();
  const width = Math.round(Math.min(MAX_WIDTH_PX, Math.max(MIN_WIDTH_PX, chart.clientWidth || 640)));
  chart.style.setProperty("--chart-width", `${width}px`);
  const draw: DrawFigure = (div, fig, how) => plotFitted(Plotly, div, fig, how, width);
  await draw(plotDiv(chart), figure, "newPlot");
  chart.classList.add("kl-drawn");
  return draw;
}

export class ChartView extends Widget implements IRenderMime.IRenderer {
  constructor() {
    super();
    this.addClass("kl-lab-chart");
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const figure = model.data[PLOTLY_MIME] as Figure | undefined;
    const chart = document.createElement("div");
    chart.className = "kl-chart";
    this.node.replaceChildren(chart);
    if (!figure) {
      chart.textContent = String(model.data["text/plain"] ?? "Chart (no Plotly figure in this output)");
      return;
    }
    await drawFitted(chart, figure);
  }
}
