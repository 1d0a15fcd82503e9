import type { Figure } from "./figure";

/** Options of {@link labelBars}. */
export interface BarLabelOptions {
  /** Text after each value, e.g. "%" or "×" (default none). */
  suffix?: string;
}

/**
 * Writes each bar's value on it and, on a log axis, starts the axis at 1 so short bars stay
 * visible. Changes and returns `figure`.
 */
export function labelBars(figure: Figure, options: BarLabelOptions = {}): Figure {
  const suffix = options.suffix ?? "";
  let max = 1;
  // Three significant digits are enough to read a bar; with many bars per group the labels
  // stand upright so neighbours do not run into each other.
  const crowded = figure.data.length >= 5;
  for (const t of figure.data) {
    t.text = (t.y ?? []).map((v) => (typeof v === "number" ? String(Number(v.toPrecision(3))) : String(v)) + suffix);
    t.textposition = "outside";
    if (crowded) t.textangle = -90;
    for (const v of t.y ?? []) if (typeof v === "number" && v > max) max = v;
  }
  if (figure.layout.yaxis?.type === "log") figure.layout.yaxis = { ...figure.layout.yaxis, range: [0, Math.log10(max) + 0.35] };
  return figure;
}
