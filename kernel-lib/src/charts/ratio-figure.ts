/**
 * "× the unvirtualized cost" as horizontal bars on a log axis, each bar labelled "5.7×", long
 * scenario names readable on the left. Only bar traces (the handouts ship the partial Plotly bundle).
 */
import type { Row } from "./builders";
import type { Figure } from "./figure";
import { logAxisTicks } from "./log-ticks";
import { ConfigError } from "../core/errors";
import { formatNumber } from "../core/format";

/** Options of {@link ratioFigure}. */
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
export function ratioFigure<R extends Row>(rows: readonly R[], o: RatioFigureOptions<R>): Figure {
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
  return logAxisTicks(fig);
}
