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

const fittedWidth = (chart: HTMLElement) => Math.round(Math.min(MAX_WIDTH_PX, Math.max(MIN_WIDTH_PX, chart.clientWidth || 640)));
/** A width change smaller than this does not redraw (scroll bars coming and going). */
const REFIT_STEP_PX = 24;

/**
 * Draws `figure` into the `.kl-chart` element `chart`, fitted to its width, and fits it again when
 * that width changes (a side panel opened, the window resized). Returns the drawing function (for
 * the playground's redraws) and a `stop` that ends the watching.
 */
export async function drawFitted(chart: HTMLElement, figure: Figure): Promise<{ draw: DrawFigure; stop: () => void }> {
  const Plotly = await loadPlotly();
  let width = fittedWidth(chart);
  let last = figure;
  const draw: DrawFigure = (div, fig, how) => {
    last = fig;
    chart.style.setProperty("--chart-width", `${width}px`);
    return plotFitted(Plotly, div, fig, how, width);
  };
  await draw(plotDiv(chart), figure, "newPlot");
  chart.classList.add("kl-drawn");
  let redrawing = Promise.resolve();
  const observer = new ResizeObserver(() => {
    const now = fittedWidth(chart);
    if (Math.abs(now - width) < REFIT_STEP_PX) return;
    width = now;
    redrawing = redrawing.then(() => draw(plotDiv(chart), last, "react")).catch((e: unknown) => console.error(e));
  });
  observer.observe(chart);
  return { draw, stop: () => observer.disconnect() };
}

/** An output widget holding one fitted chart: it stops watching the width when it goes away. */
export abstract class FittedChartWidget extends Widget implements IRenderMime.IRenderer {
  constructor(className: string) {
    super();
    this.addClass(className);
  }

  abstract renderModel(model: IRenderMime.IMimeModel): Promise<void>;

  /** Draws `figure` into `chart` (replacing what this widget drew before). */
  protected async drawChart(chart: HTMLElement, figure: Figure): Promise<DrawFigure> {
    this.stopWatching();
    const { draw, stop } = await drawFitted(chart, figure);
    this.stopWatching = stop;
    return draw;
  }

  override dispose(): void {
    this.stopWatching();
    super.dispose();
  }

  private stopWatching = () => {};
}

export class ChartView extends FittedChartWidget {
  constructor() {
    super("kl-lab-chart");
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
    await this.drawChart(chart, figure);
  }
}
