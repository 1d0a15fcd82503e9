/**
 * Fits a kernel-lib figure to the handout's fixed chart size (tools/handouts/runtime.ts draws every
 * chart CHART_WIDTH_PX wide so that it prints uncut). The notebook draws the same figures
 * responsive and wider, so a layout that reads well in JupyterLab can collide at 640 px: long
 * category labels rotate into the axis title, titles run past the edges, a legend placed under the
 * plot sits on the axis title. Nothing here changes the data; only where and how labels are drawn.
 *
 * Before drawing (fitLayout, a pure function of the figure and text widths):
 * - every axis, subplots included, gets `automargin` (tick labels and axis titles push the margins
 *   instead of being cut), and so does the title;
 * - titles and axis titles wider than their room are wrapped at spaces (`<br>`);
 * - category tick labels wider than their slot are wrapped (a number stays with its unit, "4 KiB")
 *   through tickvals/ticktext, so they stay horizontal and readable;
 * - a legend placed under the plot is anchored to the bottom of the figure (container reference),
 *   so the axis labels are laid out above it instead of under it;
 * - the figure grows by the height the wrapped lines take, so the plot area keeps its size.
 * After drawing (fixCollisions, measured in the page): an inner panel's y labels must not sit on
 * the panel to its left.
 */

export type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** plotly.js defaults (layout.font and the sizes it derives from it). */
const PLOTLY_FONT = '"Open Sans", verdana, arial, sans-serif';
const PLOTLY_FONT_SIZE = 12;
const DEFAULT_MARGIN = { l: 80, r: 80, t: 100, b: 80 };
/** Horizontal room kept free between two category labels, and around a title. */
const LABEL_GAP_PX = 8;
const TITLE_PAD_PX = 24;
const TITLE_TOP_PX = 12;
const MIN_TITLE_SCALE = 0.8;
const LINE = 1.3; // line height, in font sizes (plotly's own is about 1.3)
const MAX_EXTRA_HEIGHT_PX = 260;
const MAX_TALLER_PX = 120;
const MIN_TICK_FONT_PX = 10;

export type Measure = (text: string, sizePx: number, family: string) => number;

/** Text without plotly's inline HTML; lines split at `<br>`. */
export function textLines(text: string): string[] {
  return String(text)
    .split(/<br\s*\/?>/i)
    .map((l) => l.replace(/<[^>]*>/g, "").replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&nbsp;/g, " "));
}

let canvas: CanvasRenderingContext2D | null | undefined;
/** Width in CSS px of the widest line of `text`, measured with the page's own fonts. */
export const measureText: Measure = (text, sizePx, family) => {
  if (canvas === undefined) canvas = typeof document === "undefined" ? null : document.createElement("canvas").getContext("2d");
  const lines = textLines(text);
  if (!canvas) return Math.max(0, ...lines.map((l) => l.length)) * sizePx * 0.6;
  canvas.font = `${sizePx}px ${family}`;
  return Math.max(0, ...lines.map((l) => canvas!.measureText(l).width));
};

/**
 * `text` wrapped at spaces into lines at most `maxPx` wide (existing `<br>` kept); a number is kept
 * with the word after it ("4 KiB", "16 MiB"); a word still too wide breaks after a "/"
 * ("mmap/" "munmap"). A word wider than `maxPx` with no "/" stays whole.
 */
export function wrapText(text: string, maxPx: number, sizePx: number, family: string, measure: Measure = measureText): string {
  if (measure(text, sizePx, family) <= maxPx) return text;
  const fits = (t: string) => measure(t, sizePx, family) <= maxPx;
  const out: string[] = [];
  for (const line of String(text).split(/<br\s*\/?>/i)) {
    const words: string[] = [];
    for (const w of line.split(" ").filter((w) => w !== "")) {
      const prev = words[words.length - 1];
      if (prev !== undefined && /^[\d.,]+$/.test(prev.split(" ").pop()!) && !/^[\d.,]+$/.test(w)) words[words.length - 1] = `${prev} ${w}`;
      else words.push(w);
    }
    // Pieces with the separator that goes before them when they share a line.
    const pieces: { text: string; sep: string }[] = [];
    for (const w of words) {
      const parts = fits(w) || !w.includes("/") ? [w] : w.split(/(?<=\/)(?=.)/);
      parts.forEach((p, i) => pieces.push({ text: p, sep: i === 0 ? " " : "" }));
    }
    let current = "";
    for (const { text: piece, sep } of pieces) {
      const candidate = current ? current + sep + piece : piece;
      if (current && !fits(candidate)) {
        out.push(current);
        current = piece;
      } else current = candidate;
    }
    out.push(current);
  }
  return out.join("<br>");
}

const lineCount = (text: string) => textLines(text).length;

function titleOf(t: unknown): Obj | undefined {
  if (t === undefined || t === null) return undefined;
  return typeof t === "string" ? { text: t } : { ...(t as Obj) };
}

/** Axis ids of the layout and of its traces: "xaxis", "yaxis2", ... */
function axisIds(layout: Obj, data: Obj[]): string[] {
  const ids = new Set(Object.keys(layout).filter((k) => /^[xy]axis\d*$/.test(k)));
  for (const t of data) {
    if (t.type === "pie") continue;
    ids.add("xaxis" + String(t.xaxis ?? "x").slice(1));
    ids.add("yaxis" + String(t.yaxis ?? "y").slice(1));
  }
  return [...ids].sort();
}

/** The axis's categories in drawing order, or null if it is not a category axis. */
function categories(id: string, ax: Obj, data: Obj[]): string[] | null {
  const letter = id[0] as "x" | "y";
  const ref = letter + id.slice(5); // "x", "x2"
  const values: unknown[] = [];
  for (const t of data) {
    if (t.type === "pie" || String(t[letter + "axis"] ?? letter) !== ref) continue;
    const v = t[letter];
    if (Array.isArray(v)) values.push(...v);
  }
  const isCategory = ax.type === "category" || (ax.type === undefined && values.length > 0 && values.every((v) => typeof v === "string" && !/^\s*-?[\d.]+\s*$/.test(v) && Number.isNaN(Date.parse(v))));
  if (!isCategory) return null;
  const seen = [...new Set(values.map(String))];
  if (ax.categoryorder === "array" && Array.isArray(ax.categoryarray)) {
    const order = (ax.categoryarray as unknown[]).map(String);
    return [...order, ...seen.filter((c) => !order.includes(c))];
  }
  return seen;
}

export interface FitOptions {
  width: number;
  height: number;
  measure?: Measure;
}

/** Is the legend drawn (plotly's default: when more than one trace is listed)? */
function legendShown(layout: Obj, data: Obj[]): boolean {
  if (typeof layout.showlegend === "boolean") return layout.showlegend;
  return data.filter((t) => t.showlegend !== false && t.type !== "pie").length > 1;
}

/** The figure's layout fitted to `width` × (at least) `height` px; see the file comment. */
export function fitLayout(layoutIn: Obj, data: Obj[], { width, height, measure = measureText }: FitOptions): Obj {
  const layout: Obj = JSON.parse(JSON.stringify(layoutIn ?? {}));
  const family: string = layout.font?.family ?? PLOTLY_FONT;
  const base: number = layout.font?.size ?? PLOTLY_FONT_SIZE;
  const margin = { ...DEFAULT_MARGIN, ...(layout.margin ?? {}) };
  const lineH = base * LINE;
  let labels = 0; // px the margins will take beyond the figure's own (wrapped or slanted labels)
  let taller = 0; // px the plot area itself should grow (a y-axis title longer than the plot)
  let tickBand = 0; // px the tallest x tick labels take beyond one line (side-by-side panels share the band)

  // The legend: where it goes and how much room it takes from the plot.
  const legend: Obj = { ...(layout.legend ?? {}) };
  const shown = legendShown(layout, data);
  const names = data.filter((t) => t.showlegend !== false && t.type !== "pie").map((t) => String(t.name ?? ""));
  const legendTitle = titleOf(legend.title)?.text ?? "";
  const entryW = (n: string) => measure(n, legend.font?.size ?? base, family) + 40;
  const horizontal = legend.orientation === "h";
  const paperY = (legend.yref ?? "paper") === "paper";
  const below = shown && paperY && typeof legend.y === "number" && legend.y < 0;
  const above = shown && paperY && typeof legend.y === "number" && legend.y >= 1;
  const right = shown && !horizontal && (legend.xref ?? "paper") === "paper" && (legend.x ?? 1.02) >= 1;
  const legendW = right ? Math.max(0, ...names.map(entryW), legendTitle ? measure(legendTitle, base, family) + 10 : 0) : 0;

  const plotW = Math.max(100, width - margin.l - margin.r - legendW);
  const plotH = Math.max(100, height - margin.t - margin.b);

  // A legend under the plot (paper y < 0) is placed by the plot's height, so it lands on the tick
  // labels and axis title that automargin moved down: anchor it to the figure's bottom instead
  // (plotly then keeps that strip for the legend and lays the axis out above it).
  if (below) {
    const rowW = names.reduce((sum, n) => sum + entryW(n), legendTitle ? measure(legendTitle, base, family) + 10 : 0);
    const rows = Math.max(1, Math.ceil(rowW / (width - 20)));
    layout.legend = { ...legend, yref: "container", y: 0, yanchor: "bottom" };
    labels += rows * (lineH + 6) + 8;
  }

  for (const id of axisIds(layout, data)) {
    const ax: Obj = { ...(layout[id] ?? {}) };
    layout[id] = ax;
    if (typeof ax.automargin !== "string") ax.automargin = true;
    const isX = id[0] === "x";
    const domain: number[] = Array.isArray(ax.domain) ? ax.domain : [0, 1];
    const length = (isX ? plotW : plotH) * Math.max(0.05, (domain[1] ?? 1) - (domain[0] ?? 0));

    const axTitle = titleOf(ax.title);
    if (axTitle?.text) {
      const size: number = axTitle.font?.size ?? base * (14 / 12);
      const titleFamily: string = axTitle.font?.family ?? family;
      const w = measure(axTitle.text, size, titleFamily);
      let text: string = axTitle.text;
      if (!isX && w + 10 > length && w + 10 - length <= MAX_TALLER_PX) taller = Math.max(taller, w + 10 - length);
      else if (w > length) {
        text = wrapText(axTitle.text, length, size, titleFamily, measure);
        if (isX) labels += (lineCount(text) - lineCount(axTitle.text)) * size * LINE;
      }
      ax.title = { standoff: 10, ...axTitle, text };
    }

    const cats = categories(id, ax, data);
    if (!cats || cats.length === 0 || ax.showticklabels === false) continue;
    let size: number = ax.tickfont?.size ?? base;
    const tickFamily: string = ax.tickfont?.family ?? family;
    const rotated = typeof ax.tickangle === "number" && ax.tickangle % 180 !== 0;
    const own = ax.ticktext !== undefined || ax.tickvals !== undefined;
    const room = isX ? length / cats.length - LABEL_GAP_PX : width * 0.3;
    let wrapped = cats;
    if (!rotated && !own) {
      // Wrapped at the axis's font size; if a label still does not fit, one or two px smaller.
      const wrapAt = (s: number) => cats.map((c) => wrapText(c, room, s, tickFamily, measure));
      const fitsAt = (w: string[], s: number) => w.every((l) => measure(l, s, tickFamily) <= room);
      wrapped = wrapAt(size);
      for (const smaller of [size - 1, size - 2]) {
        if (fitsAt(wrapped, size) || smaller < MIN_TICK_FONT_PX) break;
        const attempt = wrapAt(smaller);
        if (fitsAt(attempt, smaller)) {
          wrapped = attempt;
          size = smaller;
          ax.tickfont = { ...(ax.tickfont ?? {}), size };
        }
      }
    }
    const lines = Math.max(...wrapped.map(lineCount));
    if (wrapped.some((w, i) => w !== cats[i])) {
      ax.tickmode = "array";
      ax.tickvals = cats;
      ax.ticktext = wrapped;
    }
    if (isX) {
      const widest = Math.max(...wrapped.map((w) => measure(w, size, tickFamily)));
      if (rotated || widest > length / cats.length - 4) {
        // plotly slants these (by the figure's angle, else 30° or 90°): make room for the slant.
        const angle = (Math.abs(rotated ? ax.tickangle : 30) * Math.PI) / 180;
        tickBand = Math.max(tickBand, widest * Math.sin(angle) + lines * size * LINE * Math.cos(angle) - size * LINE);
      } else {
        tickBand = Math.max(tickBand, (lines - 1) * size * LINE);
      }
    } else if (cats.length * lines * size * LINE > length) {
      taller = Math.max(taller, cats.length * lines * size * LINE - length);
    }
  }

  // The title: one line, a little smaller if that is enough, else wrapped; pinned to the top of
  // the figure, with a top margin tall enough for it (and for a legend above the plot, under it).
  const title = titleOf(layout.title);
  let titleTop: number | null = null;
  if (title?.text && (title.yref ?? "container") === "container" && (title.y ?? "auto") === "auto") {
    let size: number = title.font?.size ?? base * 1.4;
    const titleFamily: string = title.font?.family ?? family;
    const room = width - 2 * TITLE_PAD_PX;
    const natural = measure(title.text, size, titleFamily);
    let text: string = title.text;
    if (natural > room && natural * MIN_TITLE_SCALE <= room) {
      size = Math.floor(((size * room) / natural) * 10) / 10;
      title.font = { ...(title.font ?? {}), size };
    } else if (natural > room) {
      text = wrapText(title.text, room, size, titleFamily, measure);
    }
    const needed = Math.ceil(TITLE_TOP_PX + lineCount(text) * size * LINE + (above ? lineH + 16 : 10));
    if (needed > margin.t) {
      labels += needed - margin.t;
      layout.margin = { ...(layout.margin ?? {}), t: needed };
    }
    // plotly puts the first baseline of a multi-line title at y whatever the anchor; one line hangs from its top.
    titleTop = lineCount(text) > 1 ? TITLE_TOP_PX + 0.95 * size : TITLE_TOP_PX;
    layout.title = { ...title, text };
  }

  // A figure that already keeps a tall bottom margin for its labels needs less.
  labels += Math.max(0, tickBand - Math.max(0, margin.b - DEFAULT_MARGIN.b));
  layout.autosize = false;
  layout.width = width;
  layout.height = Math.round(height + Math.min(MAX_EXTRA_HEIGHT_PX, labels + taller));
  if (titleTop !== null) layout.title = { ...layout.title, yref: "container", y: 1 - titleTop / layout.height, yanchor: "top" };
  return layout;
}

interface PlotlyRelayout {
  relayout(el: HTMLElement, update: object): Promise<unknown>;
}

const rects = (els: Iterable<Element>) => [...els].map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0 && r.height > 0);

/**
 * After drawing, measured in the page, what plotly's automargin does not cover: an inner panel's
 * y tick labels and title must not sit on the panel to its left; that panel's x domain then starts
 * further right (one relayout). Returns true if it changed the layout.
 */
export async function fixCollisions(gd: HTMLElement, layout: Obj, plotly: PlotlyRelayout): Promise<boolean> {
  const update: Obj = {};
  const areas = [...gd.querySelectorAll(".draglayer > g")]
    .map((g) => ({ m: /^x(\d*)y(\d*)$/.exec(g.getAttribute("class")?.split(" ")[0] ?? ""), rect: g.querySelector(".nsewdrag")?.getBoundingClientRect() }))
    .filter((a): a is { m: RegExpExecArray; rect: DOMRect } => !!a.m && !!a.rect);
  const plotWidth = (gd as unknown as { _fullLayout?: { _size?: { w: number } } })._fullLayout?._size?.w;
  for (const area of areas) {
    const [, xs, ys] = area.m;
    const labels = [...rects(gd.querySelectorAll(`g.y${ys}tick > text`)), ...rects(gd.querySelectorAll(`.infolayer .g-y${ys}title text`))];
    if (!labels.length || !plotWidth) continue;
    const left = Math.min(...labels.map((r) => r.left));
    let overlap = 0;
    for (const other of areas) {
      if (other === area || other.rect.left >= area.rect.left) continue;
      if (other.rect.top < area.rect.bottom && area.rect.top < other.rect.bottom) overlap = Math.max(overlap, other.rect.right + 8 - left);
    }
    const xKey = `xaxis${xs}`;
    const ax = layout[xKey];
    if (overlap > 0 && ax && Array.isArray(ax.domain)) {
      const start = Math.min(ax.domain[1] - 0.1, ax.domain[0] + overlap / plotWidth);
      ax.domain = [start, ax.domain[1]];
      update[`${xKey}.domain`] = ax.domain;
    }
  }
  if (!Object.keys(update).length) return false;
  await plotly.relayout(gd, update);
  return true;
}
