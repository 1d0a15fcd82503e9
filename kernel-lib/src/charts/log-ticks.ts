/**
 * Readable ticks on log axes: powers of ten only, at least two of them. Plotly's own ticks on a
 * log axis that spans about a decade are small "2 … 5" minor labels that students misread as
 * values, and an axis within one decade can end up with a single "10" tick that gives no scale at
 * all. {@link logAxisTicks} puts a tick at every power of ten the axis shows and, where the data
 * (or the axis' own range) holds fewer than two, widens the range to the decades around it.
 * Applied to every figure kernel-lib shows (display/bundle.ts) and every playground run
 * (playgrounds/registry.ts), so notebooks, Lab's live playgrounds and handouts agree.
 */
import type { Figure, PlotAxis } from "./figure";
import { formatNumber } from "../core/format";

/** Decade ticks (and the range in log10 units, when it had to change) for positive `values`. */
export function decadeTicks(values: readonly number[], range?: readonly [number, number]): { tickvals: number[]; ticktext: string[]; range?: [number, number] } | null {
  const positive = values.filter((v) => Number.isFinite(v) && v > 0);
  let lo: number, hi: number;
  if (range && Number.isFinite(range[0]) && Number.isFinite(range[1])) [lo, hi] = [range[0], range[1]];
  else if (positive.length > 0) [lo, hi] = [Math.log10(Math.min(...positive)), Math.log10(Math.max(...positive))];
  else return null;
  const eps = 1e-9;
  let first = Math.ceil(lo - eps);
  let last = Math.floor(hi + eps);
  let newRange: [number, number] | undefined;
  if (last - first < 1) {
    // Fewer than two decades shown: widen to the powers of ten below and above the data.
    first = Math.min(first, Math.floor(lo + eps));
    last = Math.max(last, Math.ceil(hi - eps));
    if (last - first < 1) last = first + 1;
    newRange = [Math.min(lo, first) - 0.05, Math.max(hi, last) + 0.05];
  }
  const tickvals: number[] = [];
  for (let e = first; e <= last; e++) tickvals.push(Number((10 ** e).toPrecision(1)));
  return { tickvals, ticktext: tickvals.map((v) => formatNumber(v)), ...(newRange ? { range: newRange } : {}) };
}

/** The trace key (`x`, `y`) and axis id (`x`, `x2`, `y3`) an axis of the layout (`xaxis2`) belongs to. */
function axisId(layoutKey: string): { key: "x" | "y"; id: string } | null {
  const m = /^([xy])axis(\d*)$/.exec(layoutKey);
  return m ? { key: m[1] as "x" | "y", id: `${m[1]}${m[2] === "1" ? "" : m[2]}` } : null;
}

/** Decade ticks on every log axis of `fig` (xaxis, yaxis, yaxis2, …): changes and returns it. */
export function logAxisTicks(fig: Figure): Figure {
  for (const [layoutKey, value] of Object.entries(fig.layout)) {
    const which = axisId(layoutKey);
    const axis = value as PlotAxis | undefined;
    if (!which || !axis || axis.type !== "log") continue;
    const values: number[] = [];
    for (const trace of fig.data) {
      const on = (trace[which.key === "x" ? "xaxis" : "yaxis"] as string | undefined) ?? which.key;
      if (on !== which.id) continue;
      for (const v of (trace[which.key] as readonly unknown[] | undefined) ?? []) if (typeof v === "number") values.push(v);
    }
    const range = Array.isArray(axis.range) && axis.range.length === 2 ? (axis.range as [number, number]) : undefined;
    const ticks = decadeTicks(values, range);
    if (!ticks) continue;
    const { dtick: _dtick, ...rest } = axis;
    fig.layout[layoutKey] = { ...rest, tickmode: "array", ...ticks };
  }
  return fig;
}
