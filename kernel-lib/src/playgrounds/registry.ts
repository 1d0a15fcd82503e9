/**
 * Playgrounds: a chart whose parameters a reader changes with sliders.
 *
 * A playground is a name, a title, parameter specs and a PURE function params → Figure that runs
 * the simulator. In a notebook, `kl.showPlayground(name, params?)` draws it once with the given
 * parameters and marks the output; the HTML handout builder (tools/handouts/) bundles this folder
 * with esbuild, draws sliders from the specs and, on every change, calls the same function in
 * the reader's browser and redraws with Plotly.react. No kernel and no network.
 *
 * Because the function runs in a browser, a playground (and everything it imports) must be
 * browser-safe: no `node:` modules, no file access, no display/show.ts. It should also be quick
 * (aim for < 100 ms per run): it re-runs while a slider is dragged.
 */
import { ConfigError } from "../core/errors";
import type { Figure } from "../charts/figure";
import { logAxisTicks } from "../charts/log-ticks";

/** One numeric parameter, drawn as a slider. */
export interface PlaygroundParamSpec {
  /** Slider label, e.g. "TLB entries". */
  label: string;
  /** Unit shown after the value, e.g. "entries", "KiB", "%" ("" for none). */
  unit: string;
  /** Smallest value. */
  min: number;
  /** Largest value. */
  max: number;
  /** Slider step (values are min + k·step). */
  step: number;
  /** Value used when the notebook does not set one. */
  default: number;
  /**
   * Optional: the only values allowed, in slider order (e.g. page sizes 4, 2048, 1048576 KiB).
   * The slider then moves over their positions; min/max/step must match their range.
   */
  values?: readonly number[];
  /** Optional: a label per entry of `values`, e.g. ["4 KiB", "2 MiB", "1 GiB"]. */
  valueLabels?: readonly string[];
  /** Optional: one sentence on what the parameter means in the model. */
  help?: string;
}

/** Parameter values by parameter key. */
export type PlaygroundParams = Record<string, number>;

/** A playground definition. */
export interface Playground {
  /** Registry key, kebab-case, e.g. "tlb-size". */
  name: string;
  /** Chart title shown above the sliders. */
  title: string;
  /** One sentence for the reader: what to try. */
  description: string;
  /** Parameter specs by key; the key is what `run` receives. Order = slider order. */
  params: Record<string, PlaygroundParamSpec>;
  /** Runs the simulation; must be pure and deterministic (seeded) so notebook and handout agree. */
  run(params: PlaygroundParams): Figure;
}

const registry = new Map<string, Playground>();

/** Adds a playground to the registry (checks its specs); returns it. */
export function definePlayground(playground: Playground): Playground {
  if (!/^[a-z][a-z0-9-]*$/.test(playground.name)) {
    throw new ConfigError("playground.name", playground.name, "kebab-case letters, digits and dashes, starting with a letter");
  }
  if (registry.has(playground.name)) throw new ConfigError("playground.name", playground.name, "a name not yet registered");
  for (const [key, spec] of Object.entries(playground.params)) checkSpec(`${playground.name}.params.${key}`, spec);
  // Every run's log axes get decade ticks (charts/log-ticks.ts), wherever it is drawn.
  const run = playground.run;
  const checked: Playground = { ...playground, run: (params) => logAxisTicks(run(params)) };
  registry.set(playground.name, checked);
  return checked;
}

function checkSpec(field: string, s: PlaygroundParamSpec): void {
  if (!(Number.isFinite(s.min) && Number.isFinite(s.max) && s.min < s.max)) throw new ConfigError(`${field}.min/max`, [s.min, s.max], "finite numbers with min < max");
  if (!(s.step > 0)) throw new ConfigError(`${field}.step`, s.step, "a positive number");
  if (s.values) {
    if (s.values.length < 2 || s.values[0] !== s.min || s.values[s.values.length - 1] !== s.max) {
      throw new ConfigError(`${field}.values`, s.values, "at least two values, ascending, from min to max");
    }
    if (s.valueLabels && s.valueLabels.length !== s.values.length) throw new ConfigError(`${field}.valueLabels`, s.valueLabels, `${s.values.length} labels, one per value`);
  }
  if (!allowed(s, s.default)) throw new ConfigError(`${field}.default`, s.default, describeAllowed(s));
}

function allowed(s: PlaygroundParamSpec, v: number): boolean {
  if (typeof v !== "number" || !Number.isFinite(v) || v < s.min || v > s.max) return false;
  if (s.values) return s.values.includes(v);
  const k = (v - s.min) / s.step;
  return Math.abs(k - Math.round(k)) < 1e-9;
}

function describeAllowed(s: PlaygroundParamSpec): string {
  if (s.values) return `one of ${s.values.join(", ")}${s.unit ? " " + s.unit : ""}`;
  return `a number from ${s.min} to ${s.max} in steps of ${s.step}${s.unit ? " (" + s.unit + ")" : ""}`;
}

/** The names of all registered playgrounds, in registration order. */
export function playgroundNames(): string[] {
  return [...registry.keys()];
}

/** The playground called `name`; a ConfigError lists the names that exist. */
export function getPlayground(name: string): Playground {
  const p = registry.get(name);
  if (!p) throw new ConfigError("playground", name, `one of ${playgroundNames().map((n) => JSON.stringify(n)).join(", ")}`);
  return p;
}

/**
 * The playground's defaults overridden by `params`; a ConfigError names an unknown key or a value
 * outside a slider's range.
 */
export function resolvePlaygroundParams(name: string, params: Partial<PlaygroundParams> = {}): PlaygroundParams {
  const p = getPlayground(name);
  const out: PlaygroundParams = {};
  for (const [key, spec] of Object.entries(p.params)) out[key] = spec.default;
  for (const [key, value] of Object.entries(params)) {
    const spec = p.params[key];
    if (!spec) throw new ConfigError(`${name}.${key}`, value, `a parameter of "${name}": ${Object.keys(p.params).join(", ")}`);
    if (value === undefined) continue;
    if (!allowed(spec, value)) throw new ConfigError(`${name}.${key}`, value, describeAllowed(spec));
    out[key] = value;
  }
  return out;
}

/** Runs a playground with its defaults overridden by `params`; returns the figure. */
export function runPlayground(name: string, params: Partial<PlaygroundParams> = {}): Figure {
  return getPlayground(name).run(resolvePlaygroundParams(name, params));
}

/** The playground's public description (no function): what the handout builder needs to draw sliders. */
export interface PlaygroundInfo {
  name: string;
  title: string;
  description: string;
  params: Record<string, PlaygroundParamSpec>;
}

/** Descriptions of every playground, by name (JSON-serializable). */
export function playgroundCatalog(): Record<string, PlaygroundInfo> {
  const out: Record<string, PlaygroundInfo> = {};
  for (const p of registry.values()) out[p.name] = { name: p.name, title: p.title, description: p.description, params: p.params };
  return out;
}
