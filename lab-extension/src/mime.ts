/**
 * The mime extension: JupyterLab draws a playground output (kernel-lib's `kl.showPlayground`) with
 * sliders instead of a static chart. Each such output carries `{ name, params }` under
 * PLAYGROUND_MIME beside the Plotly JSON and the HTML; ranked ahead of jupyterlab-plotly (rank 2),
 * this renderer wins in Lab, while front ends without the extension (nbviewer, GitHub, nbconvert)
 * ignore the type and draw the static chart from the other two. Every kernel-lib chart carries
 * CHART_MIME the same way, drawn fitted to the output's width (rank 1, below a playground).
 */
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { PLAYGROUND_MIME, PlaygroundView } from "./playground-view";
import { CHART_MIME, ChartView } from "./chart-view";

const playgrounds: IRenderMime.IExtension = {
  id: "computropolis-lab:playgrounds",
  description: "Live kernel-lib playgrounds: sliders that re-run the simulator in the browser.",
  rendererFactory: {
    // Safe in untrusted notebooks (a reopened one): it runs only the bundled simulator and builds its
    // DOM from text, never from HTML in the output.
    safe: true,
    mimeTypes: [PLAYGROUND_MIME],
    createRenderer: () => new PlaygroundView(),
  },
  rank: 0,
  dataType: "json",
};

/** Every other kernel-lib chart: fitted to the output's width like a handout's (chart-view.ts). */
const charts: IRenderMime.IExtension = {
  id: "computropolis-lab:charts",
  description: "kernel-lib charts drawn with the handouts' label fitting.",
  rendererFactory: { safe: true, mimeTypes: [CHART_MIME], createRenderer: () => new ChartView() },
  rank: 1,
  dataType: "json",
};

export default [playgrounds, charts];
