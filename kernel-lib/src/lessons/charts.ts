/**
 * Chart touches for the lesson notebooks 04–06, on top of the generic builders in charts/.
 *
 * - `lessonLogTicks(fig)`: Plotly's default ticks on a log axis that spans little more than a
 *   decade are tiny "2 … 5" minor labels that students misread. This puts readable ticks on every
 *   log axis: 1-2-5 steps within the data's range, or only powers of ten when the range is wide.
 * - `lessonRatioFigure(rows, …)`: "× the unvirtualized cost" as horizontal bars on a log axis,
 *   each bar labelled "5.7×", long scenario names readable on the left.
 *
 * Only bar and scatter traces (the handouts ship the partial Plotly bundle). Pure, browser-safe.
 */
import type { Row } from "../charts/builders";
import type { Figure, PlotAxis } from "../charts/figure";
import { ConfigError } from "../core/errors";
import { formatNumber } from "../display/bundle";

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
export function lessonLogTicks(fig: Figure): Figure {
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

/** Options of {@link lessonRatioFigure}. */
export interface RatioFigureOptions<R extends Row> {
  /** Column with the bar's name (shown on the left). */
  label: keyof R & string;
  /** Column with the ratio (1 = same as without virtualization). */
  value: keyof R & string;
  /** Column that colours the bars (e.g. "memory" / "I/O"). */
  color: keyof R & string;
  /** Chart title. */
  title: string;
  /** Axis title of the ratio axis, with its unit. */
  valueTitle: string;
}

/** Horizontal bars of ratios on a log axis, labelled "5.7×", in row order from the top. */
export function lessonRatioFigure<R extends Row>(rows: readonly R[], o: RatioFigureOptions<R>): Figure {
  if (rows.length === 0) throw new ConfigError("rows", rows, "at least one row to chart");
  for (const column of [o.label, o.value, o.color]) {
    if (!(column in rows[0]!)) throw new ConfigError("column", column, `a column of the rows: ${Object.keys(rows[0]!).join(", ")}`);
  }
  const groups = [...new Set(rows.map((r) => String(r[o.color])))];
  const order = rows.map((r) => String(r[o.label]));
  const data = groups.map((g) => {
    const mine = rows.filter((r) => String(r[o.color]) === g);
    return {
      type: "bar",
      orientation: "h",
      name: g,
      y: mine.map((r) => String(r[o.label])),
      x: mine.map((r) => Number(r[o.value])),
      text: mine.map((r) => `${formatNumber(Number(r[o.value]))}×`),
      textposition: "outside",
      cliponaxis: false,
    };
  });
  const values = rows.map((r) => Number(r[o.value]));
  const fig: Figure = {
    data,
    layout: {
      title: { text: o.title },
      xaxis: { title: { text: o.valueTitle }, type: "log", range: [Math.log10(Math.min(...values, 1) / 1.3), Math.log10(Math.max(...values) * 2.5)] },
      yaxis: { title: { text: "" }, type: "category", categoryorder: "array", categoryarray: [...order].reverse(), automargin: true },
      legend: { title: { text: o.color }, orientation: "h", x: 1, xanchor: "right", y: 1.0, yanchor: "bottom" },
      margin: { t: 90, r: 30, l: 10 },
      height: 120 + 34 * rows.length,
      barmode: "overlay",
      showlegend: groups.length > 1,
    },
  };
  return lessonLogTicks(fig);
}
