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
import {
  resolvePlaygroundParams, getPlayground, playgroundCatalog as registryCatalog,
  type PlaygroundInfo, type PlaygroundParamSpec, type PlaygroundParams,
} from "../playgrounds/registry";
import "../playgrounds";

export {
  definePlayground, getPlayground, playgroundNames, resolvePlaygroundParams, runPlayground,
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

/**
 * Every playground's description by name, as the registry gives it (plain JSON data). As a cell's
 * last value, tslab prints it with console.log, which would show `[Object]` for each parameter: it
 * prints as catalogTable's table instead (Node's inspect hook; JSON.stringify ignores it).
 */
export function playgroundCatalog(): Record<string, PlaygroundInfo> {
  const catalog = registryCatalog();
  Object.defineProperty(catalog, Symbol.for("nodejs.util.inspect.custom"), { value: () => catalogTable(catalog), enumerable: false });
  return catalog;
}

function withUnit(value: number, spec: PlaygroundParamSpec): string {
  const at = spec.values?.indexOf(value) ?? -1;
  if (at >= 0 && spec.valueLabels) return spec.valueLabels[at]!;
  return `${value.toLocaleString("en-US")}${spec.unit ? " " + spec.unit : ""}`;
}

function allowedText(spec: PlaygroundParamSpec): string {
  if (spec.values && spec.valueLabels) return spec.valueLabels.join(", ");
  if (spec.values) return `${spec.values.map((v) => v.toLocaleString("en-US")).join(", ")}${spec.unit ? " " + spec.unit : ""}`;
  return `${spec.min.toLocaleString("en-US")} to ${withUnit(spec.max, spec)}, step ${spec.step.toLocaleString("en-US")}`;
}

/** A text table of the playgrounds: name and title, then one row per parameter (label, allowed values, default). */
export function catalogTable(catalog: Record<string, PlaygroundInfo> = registryCatalog()): string {
  const head = ["playground / parameter", "what", "allowed", "default"];
  const rows: string[][] = [];
  for (const info of Object.values(catalog)) {
    rows.push([info.name, info.title, "", ""]);
    for (const [key, spec] of Object.entries(info.params)) rows.push([`  ${key}`, spec.label, allowedText(spec), withUnit(spec.default, spec)]);
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.filter((r) => r[2] !== "" || i < 1).map((r) => r[i]!.length)));
  const line = (r: string[]) => (r[2] === "" && r !== head ? `${r[0]!.padEnd(widths[0]!)}  ${r[1]}` : r.map((c, i) => c.padEnd(widths[i]!)).join("  ")).trimEnd();
  return [
    `Playgrounds: kl.showPlayground("name", { parameter: value, … }); a parameter left out takes its default.`,
    line(head),
    ...rows.map(line),
  ].join("\n");
}
