/**
 * A Plotly figure as plain data: what `Plotly.newPlot(div, data, layout, config)` takes.
 *
 * Declared here (not imported from @types/plotly.js) so that kernel-lib's declarations stay small
 * and readable by tslab's TypeScript 5.0; the fields we use are typed, the rest pass through.
 */
export interface PlotTrace {
  type?: "scatter" | "bar" | "box" | "heatmap" | "histogram" | "pie" | (string & {});
  name?: string;
  x?: ReadonlyArray<number | string>;
  y?: ReadonlyArray<number | string>;
  mode?: string;
  [key: string]: unknown;
}

export interface PlotAxis {
  title?: { text: string } | string;
  type?: "linear" | "log" | "category";
  [key: string]: unknown;
}

export interface PlotLayout {
  title?: { text: string } | string;
  xaxis?: PlotAxis;
  yaxis?: PlotAxis;
  [key: string]: unknown;
}

export interface Figure {
  data: PlotTrace[];
  layout: PlotLayout;
  config?: Record<string, unknown>;
}

/** The MIME type JupyterLab's Plotly renderer (the `plotly` pip package) draws. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** The figure's title as plain text ("" if it has none). */
export function figureTitle(figure: Figure): string {
  const t = figure.layout.title;
  return typeof t === "string" ? t : (t?.text ?? "");
}
