/**
 * Notebook 05, part 4: where each I/O path's CPU cycles go, and the summary of what each
 * mechanism costs relative to no virtualization, memory and I/O side by side.
 */
import { ConfigError } from "../../core/errors";
import { formatNumber as f } from "../../core/format";
import type { Figure } from "../../charts/figure";
import { ratioFigure } from "../../charts/ratio-figure";
import { IO_VARIANTS, pathComparison, steadyRunOf, type PathRow } from "../shared/io-runs";
import { workloadComparison, type WorkloadRow } from "../shared/memory-runs";
import { largePages, type PageSizeRow } from "./large-pages";
import { TRANSLATION_SHARE, wholeProgramSlowdown } from "../shared/whole-program";

/** One bar of the summary chart. */
export type SummaryRow = {
  /** "memory" or "I/O". */
  area: string;
  /** What was measured, e.g. "shadow, fork/exec". */
  scenario: string;
  /** Cost relative to no virtualization (1 = same as native / bare metal). */
  slowdown: number;
  /** What it buys: isolation, flexibility… (one phrase). */
  buys: string;
  /**
   * Memory rows: the whole program's slowdown if translation is TRANSLATION_SHARE of its time
   * (figure A16). I/O rows: the same as `slowdown` (CPU cycles per request are the whole cost of
   * a program that only moves requests).
   */
  wholeProgram: number;
};

/**
 * The key numbers in one table: the cost of each mechanism relative to running without
 * virtualization — memory modes as cycles per access over native, I/O paths as CPU cycles
 * per request over bare metal.
 */
export function summary(options: { seed?: number; workloadRows?: readonly WorkloadRow[]; pageRows?: readonly PageSizeRow[]; ioRows?: readonly PathRow[] } = {}): SummaryRow[] {
  const seed = options.seed ?? 1;
  const w = options.workloadRows ?? workloadComparison({ seed });
  const pages = options.pageRows ?? largePages({ seed });
  const mem = (workload: string, mode: string) => {
    const r = w.find((x) => x.workload === workload && x.mode === mode);
    if (!r) throw new ConfigError("workloadRows", `${workload}/${mode}`, "rows from workloadComparison");
    return 1 + r.overheadPercent / 100;
  };
  const page = (configuration: string) => pages.find((p) => p.configuration === configuration)!.cyclesPerAccess;
  const nativePage = page("native, 4 KiB pages");
  const io = options.ioRows ?? pathComparison({ seed });
  const bare = io.find((r) => r.path === "bare-metal")!.cyclesPerRequest;
  const ioRow = (path: string, buys: string): SummaryRow => ({
    area: "I/O",
    scenario: path,
    slowdown: io.find((r) => r.path === path)!.cyclesPerRequest / bare,
    buys,
    wholeProgram: io.find((r) => r.path === path)!.cyclesPerRequest / bare,
  });
  const memory = (scenario: string, slowdown: number, buys: string): SummaryRow =>
    ({ area: "memory", scenario, slowdown, buys, wholeProgram: wholeProgramSlowdown(slowdown) });
  const both = page("nested, guest 2 MiB / host 2 MiB");
  return [
    memory("shadow, random (static)", mem("random 1024 pages", "shadow"), "isolation; TLB misses walk a native-length table"),
    memory("nested, random (static)", mem("random 1024 pages", "nested"), "isolation; no exits, 2D walks"),
    memory("nested + 2 MiB host pages", page("nested, guest 4 KiB / host 2 MiB") / nativePage, "shorter 2D walks"),
    // The lesson's conclusion on large pages: both stages large, against native with 4 KiB pages.
    memory("nested + 2 MiB guest and host pages", both / nativePage,
      `TLB reach ×512: ${f(both)} cycles per access against native 4 KiB's ${f(nativePage)} (native 2 MiB: ${f(page("native, 2 MiB pages"))})`),
    memory("shadow, fork/exec", mem("fork/exec", "shadow"), "isolation; every page-table write exits"),
    memory("nested, fork/exec", mem("fork/exec", "nested"), "isolation; page-table writes free"),
    ioRow("emulated", "any guest OS, live migration"),
    ioRow("virtio", "migration, fewer exits"),
    ioRow("vhost", "migration, kernel back end"),
    ioRow("passthrough", "near-native, IOMMU isolation"),
    ioRow("passthrough + posted", "near-native, no exits"),
  ];
}



/** CPU cycles per I/O request by where they go, one row per (path, category), for a stacked bar chart. */
export type IoCycleRow = { path: string; category: string; cyclesPerRequest: number };

/** "What to notice" for the I/O cycles chart: the guest's own work, and what each path adds on top of it. */
export function ioCyclesNotice(rows: readonly IoCycleRow[]): string {
  const paths = [...new Set(rows.map((r) => r.path))];
  const of = (path: string, category: string) => rows.find((r) => r.path === path && r.category === category)?.cyclesPerRequest ?? 0;
  const guest = paths.map((p) => of(p, "guest work"));
  const added = paths.map((p) => {
    const parts = ["world switches (exits)", "hypervisor / host work", "copies"].map((c) => of(p, c));
    const total = parts.reduce((a, b) => a + b, 0);
    return total === 0 ? `${p} +0` : `${p} +${f(total)} (exits ${f(parts[0]!)}, host ${f(parts[1]!)}, copies ${f(parts[2]!)})`;
  });
  return (
    `**What to notice:** the guest's own work is ${f(Math.min(...guest))}–${f(Math.max(...guest))} cycles per request on every path. ` +
    `What virtualization adds on top, per request (steady stream): ${added.join("; ")}.`
  );
}

/** Where each I/O path's CPU cycles go: guest work, world switches, hypervisor/host work, copies. */
export function ioCycles(options: { seed?: number } = {}): IoCycleRow[] {
  const rows: IoCycleRow[] = [];
  const names: Record<string, string> = { guest: "guest work", exit: "world switches (exits)", deviceModel: "hypervisor / host work", copy: "copies" };
  for (const v of IO_VARIANTS) {
    const r = steadyRunOf(v.label, options.seed ?? 1);
    for (const key of ["guest", "exit", "deviceModel", "copy"] as const) rows.push({ path: v.label, category: names[key]!, cyclesPerRequest: r.cyclesPerRequest[key] });
  }
  return rows;
}

/**
 * The summary chart: one horizontal bar per scenario, the cost relative to no virtualization
 * (log axis), memory and I/O in two colours, each bar labelled with its value ("5.7×").
 */
/** "What to notice" of the summary: the dearest and cheapest bars, and what the memory ones mean for a whole program. */
export function summaryNotice(rows: readonly SummaryRow[]): string {
  const worst = rows.reduce((a, b) => (b.slowdown > a.slowdown ? b : a));
  const io = rows.filter((r) => r.area === "I/O");
  const best = io.reduce((a, b) => (b.slowdown < a.slowdown ? b : a));
  const memory = rows.filter((r) => r.area === "memory");
  const pct = f(TRANSLATION_SHARE.value * 100);
  return `**What to notice:** the dearest bar is *${worst.scenario}* (${f(worst.slowdown)}×); the cheapest I/O path is ` +
    `*${best.scenario}* (${f(best.slowdown)}×).\n\n` +
    `**For a whole program** the memory bars shrink: they count translation alone, and if that is ${pct} % of a ` +
    `program's time (figure A16) the rest is untouched: ` +
    memory.filter((r) => Math.abs(r.slowdown - 1) > 0.005).map((r) => `${r.scenario} ${f(r.slowdown)}× → ${f(r.wholeProgram)}×`).join("; ") +
    `. The I/O bars are per request, the whole cost for a server that mostly moves requests.\n\n` +
    `The overhead is not a fixed tax on virtualization: it depends on the **mechanism** (shadow vs nested, emulated vs ` +
    `passthrough) and on the **workload** (churn, TLB misses, I/O rate). Choosing well is the engineer's job.`;
}

export function summaryFigure(rows: readonly SummaryRow[]): Figure {
  const fig = ratioFigure(rows, {
    label: "scenario", value: "slowdown", color: "area",
    title: "What isolation and flexibility cost: each mechanism relative to no virtualization",
    valueTitle: "cost relative to native / bare metal (×, log scale)",
  });
  fig.layout.yaxis = { ...fig.layout.yaxis, title: { text: "mechanism and workload" } };
  // On a log axis bars start at the axis' left edge: a line at 1× marks "costs nothing extra", so a bar
  // ending left of it (large pages in guest and host) reads as cheaper than native with 4 KiB pages.
  fig.layout.shapes = [{ type: "line", xref: "x", x0: 1, x1: 1, yref: "paper", y0: 0, y1: 1, line: { color: "#1d2330", width: 1.5, dash: "dash" } }];
  return fig;
}
