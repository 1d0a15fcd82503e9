/**
 * The widget JupyterLab shows for a playground output: the handouts' live playground (same markup,
 * same CSS, same slider wiring and chart fitting from tools/handouts/), fitted to the output area's
 * width. It first draws the figure the kernel stored (the notebook's own numbers); moving a slider
 * re-runs the playground from kernel-lib, bundled into this extension, in the browser.
 */
import { Widget } from "@lumino/widgets";
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { getPlayground, playgroundCatalog, resolvePlaygroundParams, type PlaygroundParams } from "../../kernel-lib/src/playgrounds";
import type { Figure } from "../../kernel-lib/src/charts/figure";
import { plotDiv, plotFitted, type DrawFigure, type PlotlyApi } from "../../tools/handouts/plot";
import { wirePlayground } from "../../tools/handouts/live-playground";
import { playgroundBox } from "./playground-box";

/** kernel-lib's display/playground.ts marks playground outputs with this type: `{ name, params }`. */
export const PLAYGROUND_MIME = "application/vnd.computropolis.playground+json";
const PLOTLY_MIME = "application/vnd.plotly.v1+json";
/** Charts never get wider than this, however wide the notebook (fit.ts lays them out for it). */
const MAX_WIDTH_PX = 860;
const MIN_WIDTH_PX = 360;

// plotly.js (the 1 MB basic bundle the handouts inline) is loaded on the first playground, not at
// Lab's start; jupyterlab-plotly keeps its own copy private, so there is none to share.
let plotly: Promise<PlotlyApi> | undefined;
function loadPlotly(): Promise<PlotlyApi> {
  plotly ??= import("plotly.js-basic-dist-min").then((m: { default?: unknown }) => (m.default ?? m) as PlotlyApi);
  return plotly;
}

interface Marker {
  name: string;
  params: Partial<PlaygroundParams>;
}

export class PlaygroundView extends Widget implements IRenderMime.IRenderer {
  constructor() {
    super();
    this.addClass("kl-lab-playground");
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const marker = model.data[PLAYGROUND_MIME] as Marker | undefined;
    const stored = model.data[PLOTLY_MIME] as Figure | undefined;
    const name = marker?.name ?? "";
    const info = playgroundCatalog()[name];
    let params: PlaygroundParams | undefined;
    let problem = "";
    try {
      params = resolvePlaygroundParams(name, marker?.params ?? {}); // names an unknown playground or value
    } catch (e) {
      problem = `No sliders: ${(e as Error).message}. This extension's copy of kernel-lib differs from the kernel's: run \`npm run setup\` and reload the page.`;
    }
    const box = playgroundBox(name, info && params ? { info, params } : undefined);
    this.node.replaceChildren(box);
    const status = box.querySelector<HTMLElement>(".kl-playground-status")!;
    if (problem) status.textContent = problem;
    const figure = stored ?? (params ? getPlayground(name).run(params) : undefined);
    if (!figure) return;
    const Plotly = await loadPlotly();
    const chart = box.querySelector<HTMLElement>(".kl-chart")!;
    const width = Math.round(Math.min(MAX_WIDTH_PX, Math.max(MIN_WIDTH_PX, chart.clientWidth || 640)));
    box.style.setProperty("--chart-width", `${width}px`);
    const draw: DrawFigure = (div, fig, how) => plotFitted(Plotly, div, fig, how, width);
    await draw(plotDiv(chart), figure, "newPlot");
    chart.classList.add("kl-drawn");
    if (!problem) wirePlayground(box, draw);
  }
}
