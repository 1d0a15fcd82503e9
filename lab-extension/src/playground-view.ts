/**
 * The widget JupyterLab shows for a playground output: the handouts' live playground (same markup,
 * same CSS, same slider wiring from tools/handouts/), its chart fitted to the output area's width
 * (chart-view.ts). It first draws the figure the kernel stored (the notebook's own numbers); moving a slider
 * re-runs the playground from kernel-lib, bundled into this extension, in the browser.
 */
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { getPlayground, playgroundCatalog, resolvePlaygroundParams, type PlaygroundParams } from "../../kernel-lib/src/playgrounds";
import type { Figure } from "../../kernel-lib/src/charts/figure";
import { wirePlayground } from "../../tools/handouts/live-playground";
import { FittedChartWidget, PLOTLY_MIME } from "./chart-view";
import { playgroundBox } from "./playground-box";

/** kernel-lib's display/playground.ts marks playground outputs with this type: `{ name, params }`. */
export const PLAYGROUND_MIME = "application/vnd.computropolis.playground+json";

interface Marker {
  name: string;
  params: Partial<PlaygroundParams>;
}

export class PlaygroundView extends FittedChartWidget {
  constructor() {
    super("kl-lab-playground");
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
    const draw = await this.drawChart(box.querySelector<HTMLElement>(".kl-chart")!, figure);
    if (!problem) wirePlayground(box, draw);
  }
}
