/**
 * Page walks drawn from their steps ({@link WalkStep}, as the walker reports them): a native
 * walk as a path down the levels, and a nested walk as the 2D grid of host and guest reads.
 * Scatter traces only (the handouts ship the partial Plotly bundle).
 */
import type { Figure, PlotTrace } from "./figure";
import { x86LevelName } from "./labels";
import type { WalkStep } from "../memory/walk-step";
import { hex } from "../core/format";

/** The native walk as a chart: one marker per table read, labelled with the index used. */
export function walkPathFigure(steps: readonly WalkStep[], address: number): Figure {
  const x = steps.map((s) => `${x86LevelName(s.level)}`);
  const trace: PlotTrace = {
    type: "scatter",
    mode: "lines+markers+text",
    name: "entries read",
    x,
    y: steps.map((_, i) => i + 1),
    text: steps.map((s) => `index ${s.index} → ${s.entryHex}`),
    textposition: steps.map((_, i) => (i === steps.length - 1 ? "middle left" : "middle right")),
    marker: { size: 22, symbol: "square", color: steps.map((s) => (s.leaf ? "#d62728" : "#1f77b4")) },
  };
  return {
    data: [trace],
    layout: {
      title: { text: `One TLB miss on bare metal: the walk for ${hex(address)}` },
      xaxis: { title: { text: "page-table level read (root first)" }, type: "category" },
      yaxis: { title: { text: "memory reference number" }, autorange: "reversed", dtick: 1 },
      showlegend: false,
      margin: { t: 60, r: 20 },
    },
  };
}

/**
 * The 2D walk as a grid of scatter markers (a heat-map look with only scatter traces): columns
 * are the guest-physical addresses being resolved (guest table at each level, then the data
 * page), rows are the host table levels plus the guest entry; each marker carries its order.
 */
export function nestedGridFigure(steps: readonly WalkStep[], guestLevels: number, hostLevels: number): Figure {
  const col = (s: WalkStep) => (s.dimension === "host" ? s.forGuestLevel ?? 0 : s.level);
  const colLabel = (c: number) => (c === 0 ? "data page" : `guest ${x86LevelName(c)} table`);
  const rowLabel = (s: WalkStep) => (s.dimension === "host" ? `host ${x86LevelName(s.level)}` : "guest entry");
  const make = (dimension: "host" | "guest", name: string, color: string): PlotTrace => {
    const sel = steps.map((s, i) => ({ s, i })).filter(({ s }) => s.dimension === dimension);
    return {
      type: "scatter",
      mode: "markers+text",
      name,
      x: sel.map(({ s }) => colLabel(col(s))),
      y: sel.map(({ s }) => rowLabel(s)),
      text: sel.map(({ i }) => String(i + 1)),
      textfont: { color: "white", size: 14 },
      marker: { symbol: "square", size: 38, color },
      hovertext: sel.map(({ s, i }) => `#${i + 1}: ${rowLabel(s)}, index ${s.index}, entry ${s.entryHex}`),
      hoverinfo: "text",
    };
  };
  const columns = [...Array.from({ length: guestLevels }, (_, k) => colLabel(guestLevels - k)), colLabel(0)];
  const rowsOrder = [...Array.from({ length: hostLevels }, (_, k) => `host ${x86LevelName(hostLevels - k)}`), "guest entry"];
  return {
    data: [make("host", "host (EPT/NPT) entry read", "#ff7f0e"), make("guest", "guest page-table entry read", "#1f77b4")],
    layout: {
      title: { text: `The 2D walk: ${steps.length} memory references for one TLB miss (numbers = order)` },
      xaxis: { title: { text: "guest-physical address being translated" }, type: "category", categoryorder: "array", categoryarray: columns },
      yaxis: { title: { text: "table read" }, type: "category", categoryorder: "array", categoryarray: [...rowsOrder].reverse() },
      legend: { orientation: "h", y: -0.25 },
      margin: { t: 60, r: 20, l: 130 },
      height: 420,
    },
  };
}
