import { figureTitle, PLOTLY_MIME, type Figure } from "../charts/figure";
import type { Row } from "../charts/builders";

/** A Jupyter MIME bundle: one output, several representations; the front end picks the richest. */
export type MimeBundle = Record<string, unknown>;

/**
 * One output for a chart, with two representations:
 * - `application/vnd.plotly.v1+json`, which JupyterLab draws with the Plotly renderer;
 * - `text/html`, a declarative placeholder holding the same figure as JSON, which nbconvert keeps
 *   (it drops the Plotly MIME type) and which a page that loads plotly.js once draws (the
 *   handouts do). No plotly.js is embedded per output.
 */
export function figureBundle(figure: Figure): MimeBundle {
  const title = figureTitle(figure);
  const json = JSON.stringify(figure).replace(/</g, "\\u003c");
  const html =
    `<div class="kl-chart" data-title="${escapeHtml(title)}">` +
    `<script type="${PLOTLY_MIME}">${json}</script>` +
    `<p class="kl-chart-fallback">Chart: ${escapeHtml(title)} (interactive: open in JupyterLab or the handout)</p>` +
    `</div>`;
  return { [PLOTLY_MIME]: figure, "text/html": html, "text/plain": `Chart: ${title}` };
}

/** An HTML table of tidy rows (numbers right-aligned and rounded for reading). */
export function tableBundle(rows: readonly Row[], options: { digits?: number; caption?: string } = {}): MimeBundle {
  const digits = options.digits ?? 3;
  const columns = rows.length ? Object.keys(rows[0]!) : [];
  const cell = (v: unknown) => (typeof v === "number" ? formatNumber(v, digits) : String(v ?? ""));
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = rows
    .map((r) => `<tr>${columns.map((c) => `<td${typeof r[c] === "number" ? ' style="text-align:right"' : ""}>${escapeHtml(cell(r[c]))}</td>`).join("")}</tr>`)
    .join("");
  const caption = options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : "";
  const html = `<table class="kl-table">${caption}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padStart(widths[i]!)).join("  ");
  const text = [line(columns), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join("\n");
  return { "text/html": html, "text/plain": (options.caption ? options.caption + "\n" : "") + text };
}

/** Markdown prose (numbers filled in from the simulator), with a plain-text copy. */
export function markdownBundle(markdown: string): MimeBundle {
  return { "text/markdown": markdown, "text/plain": markdown };
}

export function formatNumber(v: number, digits = 3): string {
  if (Number.isInteger(v)) return v.toLocaleString("en-US");
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString("en-US");
  return Number(v.toPrecision(digits)).toString();
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
