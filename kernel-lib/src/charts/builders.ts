import { ConfigError } from "../core/errors";
import type { Figure, PlotTrace } from "./figure";
import { COLORWAY } from "./palette";

/** A tidy result row: one observation, one column per variable (as the experiments return). */
export type Row = Readonly<Record<string, unknown>>;

export interface ChartOptions<R extends Row> {
  /** Column on the x axis. */
  x: keyof R & string;
  /** Column on the y axis. */
  y: keyof R & string;
  /** Column whose values split the rows into one trace each (one line or bar colour per value). */
  color?: keyof R & string;
  /** Chart title: say what the chart shows. */
  title: string;
  /** Axis titles with units, e.g. "TLB entries" and "cycles per access". */
  xTitle: string;
  yTitle: string;
  /** Log scale on an axis (default linear). */
  logX?: boolean;
  logY?: boolean;
}

/** A line chart (markers on each point), one line per value of `color`. */
export function lineChart<R extends Row>(rows: readonly R[], options: ChartOptions<R>): Figure {
  return chart(rows, options, { type: "scatter", mode: "lines+markers" });
}

/** A grouped bar chart, one bar series per value of `color`. */
export function barChart<R extends Row>(rows: readonly R[], options: ChartOptions<R>): Figure {
  const figure = chart(rows, options, { type: "bar" });
  figure.layout.barmode = "group";
  return figure;
}

function chart<R extends Row>(rows: readonly R[], o: ChartOptions<R>, traceStyle: Partial<PlotTrace>): Figure {
  if (rows.length === 0) throw new ConfigError("rows", rows, "at least one row to chart");
  for (const column of [o.x, o.y, o.color]) {
    if (column !== undefined && !(column in rows[0]!)) {
      throw new ConfigError("column", column, `a column of the rows: ${Object.keys(rows[0]!).join(", ")}`);
    }
  }
  const groups = new Map<string, R[]>();
  for (const row of rows) {
    const key = o.color === undefined ? "" : String(row[o.color]);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(row);
  }
  const data: PlotTrace[] = [...groups].map(([name, group]) => ({
    ...traceStyle,
    name: name || o.y,
    x: group.map((r) => r[o.x] as number | string),
    y: group.map((r) => r[o.y] as number | string),
  }));
  return {
    data,
    layout: {
      title: { text: o.title },
      xaxis: { title: { text: o.xTitle }, ...(o.logX ? { type: "log" } : {}) },
      yaxis: { title: { text: o.yTitle }, ...(o.logY ? { type: "log" } : {}) },
      legend: { title: { text: o.color ?? "" } },
      margin: { t: 60, r: 20 },
      showlegend: o.color !== undefined,
      colorway: [...COLORWAY],
    },
  };
}
