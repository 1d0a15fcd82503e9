import { figureTitle, PLOTLY_MIME, type Figure } from "../charts/figure";
import { logAxisTicks } from "../charts/log-ticks";
import type { Row } from "../charts/builders";
import { formatNumber } from "../core/format";

// Number formatting lives in core/ (charts and lessons use it too); re-exported for notebooks.
export { formatNumber, hex } from "../core/format";

/** A Jupyter MIME bundle: one output, several representations; the front end picks the richest. */
export type MimeBundle = Record<string, unknown>;

/**
 * Marks an output as a kernel-lib chart (`{ title }`): the project's JupyterLab extension
 * (lab-extension/) draws it fitted to the output's width like a handout's chart; front ends without
 * the extension ignore the type and use the Plotly JSON or the HTML.
 */
export const CHART_MIME = "application/vnd.computropolis.chart+json";

/**
 * One output for a chart, with two representations (and the CHART_MIME marker):
 * - `application/vnd.plotly.v1+json`, which JupyterLab draws with the Plotly renderer;
 * - `text/html`, a declarative placeholder holding the same figure as JSON, which nbconvert keeps
 *   (it drops the Plotly MIME type) and which a page that loads plotly.js once draws (the
 *   handouts do). No plotly.js is embedded per output.
 */
export function figureBundle(shown: Figure): MimeBundle {
  const figure = logAxisTicks(shown); // decade ticks on every log axis (the figure itself is changed)
  const title = figureTitle(figure);
  const json = JSON.stringify(figure).replace(/</g, "\\u003c");
  const html =
    `<div class="kl-chart" data-title="${escapeHtml(title)}">` +
    `<script type="${PLOTLY_MIME}">${json}</script>` +
    `<p class="kl-chart-fallback">Chart: ${escapeHtml(title)} (interactive: open in JupyterLab or the handout)</p>` +
    `</div>`;
  return { [PLOTLY_MIME]: figure, "text/html": html, "text/plain": `Chart: ${title}`, [CHART_MIME]: { title } };
}

/**
 * Is a table column numeric: every value a number, or missing / a placeholder ("", "—", "-", "n/a")?
 * A column that mixes numbers with words ("none (guest page fault)", 27) is a text column.
 */
export function isNumericColumn(values: readonly unknown[]): boolean {
  const present = values.filter((v) => !(v === undefined || v === null || (typeof v === "string" && /^\s*(?:|[-–—?]|n\/a)\s*$/i.test(v))));
  return present.length > 0 && present.every((v) => typeof v === "number");
}

/**
 * An HTML table of tidy rows (numbers rounded for reading). Each column is aligned as a whole by
 * what it holds, its header too: numeric columns to the right, the others to the left (set on
 * every cell, so JupyterLab, which right-aligns table cells, and the handouts agree).
 */
export function tableBundle(rows: readonly Row[], options: { digits?: number; caption?: string } = {}): MimeBundle {
  const digits = options.digits ?? 3;
  const columns = rows.length ? Object.keys(rows[0]!) : [];
  const cell = (v: unknown) => (typeof v === "number" ? formatNumber(v, digits) : String(v ?? ""));
  const align = new Map(columns.map((c) => [c, ` style="text-align:${isNumericColumn(rows.map((r) => r[c])) ? "right" : "left"}"`]));
  const head = columns.map((c) => `<th${align.get(c)}>${escapeHtml(c)}</th>`).join("");
  const body = rows
    .map((r) => `<tr>${columns.map((c) => `<td${align.get(c)}>${escapeHtml(cell(r[c]))}</td>`).join("")}</tr>`)
    .join("");
  const caption = options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : "";
  const html = `<table class="kl-table">${caption}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const right = columns.map((c) => align.get(c)!.includes("right"));
  const line = (vals: string[]) => vals.map((v, i) => (right[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join("  ").trimEnd();
  const text = [line(columns), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join("\n");
  return { "text/html": html, "text/plain": (options.caption ? options.caption + "\n" : "") + text };
}

/** Markdown prose (numbers filled in from the simulator), with a plain-text copy. */
export function markdownBundle(markdown: string): MimeBundle {
  return { "text/markdown": markdown, "text/plain": markdown };
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
