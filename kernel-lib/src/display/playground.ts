/**
 * Showing a playground in a notebook: `kl.showPlayground(name, params?)`.
 *
 * The output is the usual chart bundle (Plotly JSON for JupyterLab, HTML that survives export)
 * computed with the given parameters, marked as a playground in two ways the handout builder
 * reads (tools/handouts/): a `application/vnd.computropolis.playground+json` entry
 * `{ name, params }` in the bundle (front ends that do not know it ignore it), and
 * `data-playground` / `data-playground-params` attributes on the `kl-chart` element.
 * Node-only (it displays through show.ts); the playground functions themselves are browser-safe.
 */
import { figureBundle, escapeHtml, type MimeBundle } from "./bundle";
import { display } from "./show";
import { resolvePlaygroundParams, getPlayground, type PlaygroundParams } from "../playgrounds/registry";
import "../playgrounds";

export {
  definePlayground, getPlayground, playgroundNames, playgroundCatalog, resolvePlaygroundParams, runPlayground,
  type Playground, type PlaygroundInfo, type PlaygroundParamSpec, type PlaygroundParams,
} from "../playgrounds";

/** The MIME type marking an output as a playground: `{ name, params }`. */
export const PLAYGROUND_MIME = "application/vnd.computropolis.playground+json";

/** The output of a playground run with `params` (defaults for the rest). */
export function playgroundBundle(name: string, params: Partial<PlaygroundParams> = {}): MimeBundle {
  const resolved = resolvePlaygroundParams(name, params);
  const bundle = figureBundle(getPlayground(name).run(resolved));
  const attrs = ` data-playground="${escapeHtml(name)}" data-playground-params="${escapeHtml(JSON.stringify(resolved))}"`;
  bundle["text/html"] = String(bundle["text/html"]).replace('<div class="kl-chart"', `<div class="kl-chart kl-playground"${attrs}`);
  bundle[PLAYGROUND_MIME] = { name, params: resolved };
  return bundle;
}

/**
 * Shows playground `name` with `params` (any omitted parameter takes its default). In the HTML
 * handout the chart gets sliders that re-run it in the browser. A ConfigError names an unknown
 * playground or parameter and the allowed values.
 */
export function showPlayground(name: string, params: Partial<PlaygroundParams> = {}): void {
  display(playgroundBundle(name, params));
}
