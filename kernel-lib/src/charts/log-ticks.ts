/**
 * Readable ticks on log axes. Plotly's default ticks on a log axis that spans little more than a
 * decade are tiny "2 … 5" minor labels that students misread; {@link logAxisTicks} puts 1-2-5
 * steps within the data's range on every log axis, or only powers of ten when the range is wide.
 */
import type { Figure, PlotAxis } from "./figure";
import { formatNumber } from "../core/format";

function logTicks(values: readonly number[]): { tickvals: number[]; ticktext: string[] } | null {
  const positive = values.filter((v) => Number.isFinite(v) && v > 0);
  if (positive.length === 0) return null;
  const lo = Math.min(...positive);
  const hi = Math.max(...positive);
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)) + 1; e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo / 1.5 && v <= hi * 1.5) ticks.push(Number(v.toPrecision(3)));
    }
  }
  const isPowerOfTen = (v: number) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9;
  const chosen = ticks.length > 8 ? ticks.filter(isPowerOfTen) : ticks;
  if (chosen.length < 2) return null;
  return { tickvals: chosen, ticktext: chosen.map((v) => formatNumber(v)) };
}

/** Readable ticks on every log axis of `fig` (changes and returns it). */
export function logAxisTicks(fig: Figure): Figure {
  for (const [axisName, key] of [["xaxis", "x"], ["yaxis", "y"]] as const) {
    const axis = fig.layout[axisName] as PlotAxis | undefined;
    if (!axis || axis.type !== "log") continue;
    const values: number[] = [];
    for (const trace of fig.data) for (const v of (trace[key] as readonly unknown[] | undefined) ?? []) if (typeof v === "number") values.push(v);
    const ticks = logTicks(values);
    if (ticks) fig.layout[axisName] = { ...axis, tickmode: "array", ...ticks };
  }
  return fig;
}

