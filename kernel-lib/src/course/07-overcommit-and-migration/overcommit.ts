/**
 * Lesson 07's overcommit part (notebooks/07-overcommit-and-migration.ipynb): a host with less
 * memory than its VMs, measured on the simulator's own workloads (the runs are in
 * experiments/overcommit-runs.ts).
 * - {@link balloonVsSwap}: guest throughput and disk faults as host memory shrinks, for
 *   ballooning, host swapping, and both (balloons give free and cached pages, host swap the rest);
 * - {@link pageSharingDemo}: N VMs booted from one image, memory saved against scan time;
 * - {@link overcommitTable}: each technique's memory reclaimed, cycles, faults and exits beside
 *   the published figure it is compared with (docs/virtualization-figures.md, rows O1–O8);
 * - {@link doublePagingDemo}: the host swaps a page out, then the guest pages out the same page.
 * Every number in the "what to notice" texts comes from these runs.
 */
import { lineChart } from "../../charts/builders";
import type { Figure } from "../../charts/figure";
import { logAxisTicks } from "../../charts/log-ticks";
import { ConfigError, requireInt, requireNumber } from "../../core/errors";
import { formatNumber as f } from "../../core/format";
import { busySharingRun, doublePagingRun, idleTaxRun, overcommitSetup, pressureRun, sharingScan, type OvercommitSetup } from "../../experiments/overcommit-runs";
import { nsToCycles, overcommitCostModel } from "../../overcommit/costs";
import { ESX_DEFAULT_TAX_RATE, idlePageCost } from "../../overcommit/idle-tax";
import { OVERCOMMIT_TECHNIQUES, type OvercommitTechnique } from "../../overcommit/overcommit-host";

export type { OvercommitSetup } from "../../experiments/overcommit-runs";

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** One point of the balloon-vs-swap experiment. */
export type PressureRow = {
  /** "balloon", "host swap" or "balloon + host swap". */
  technique: string;
  /** Host memory as a percentage of what the VMs use unpressured. */
  "host memory (%)": number;
  /** Guest throughput (accesses per modeled cycle) as a percentage of the unpressured run. */
  "throughput (%)": number;
  /** Host pages reclaimed by the balloons. */
  "ballooned pages": number;
  /** Host pages reclaimed by host swapping. */
  "host-swapped pages": number;
  /** Faults that waited for a disk: host swap-ins plus guest page-ins. */
  "disk faults": number;
  /** VM exits in the run (EPT violations; balloon messages came before it). */
  "VM exits": number;
  /** Modeled cycles per access, all work included. */
  "cycles per access": number;
};

const TECHNIQUE_LABEL: Record<OvercommitTechnique, string> = { balloon: "balloon", swap: "host swap", both: "balloon + host swap" };

/**
 * Balloon vs host swap under pressure: for each host size (a percentage of what the VMs use
 * unpressured) and each technique, the VMs boot, the host takes the memory back, the workloads
 * run; throughput, disk faults and exits against the unpressured run.
 */
export function balloonVsSwap(options: OvercommitSetup & { hostMemoryPercents?: readonly number[]; techniques?: readonly OvercommitTechnique[] } = {}): { rows: PressureRow[]; figure: Figure; faultsFigure: Figure; summary: string } {
  const setup = overcommitSetup(options);
  const percents = options.hostMemoryPercents ?? [100, 85, 70, 60, 50, 45];
  const techniques = options.techniques ?? OVERCOMMIT_TECHNIQUES;
  if (!Array.isArray(percents) || percents.length === 0) throw new ConfigError("hostMemoryPercents", percents, "a non-empty array of percentages from 10 to 100");
  for (const p of percents) requireNumber("hostMemoryPercents[]", p, 10, 100);
  for (const t of techniques) if (!OVERCOMMIT_TECHNIQUES.includes(t)) throw new ConfigError("techniques[]", t, OVERCOMMIT_TECHNIQUES.map((x) => JSON.stringify(x)).join(", "));
  const base = pressureRun({ setup, hostMemoryPercent: 100, technique: "swap" });
  const rows: PressureRow[] = [];
  for (const technique of techniques) {
    for (const p of percents) {
      const r = pressureRun({ setup, hostMemoryPercent: p, technique });
      rows.push({
        technique: TECHNIQUE_LABEL[technique],
        "host memory (%)": p,
        "throughput (%)": round1((100 * base.run.cycles) / r.run.cycles),
        "ballooned pages": r.reclaimed.balloon,
        "host-swapped pages": r.reclaimed.swap,
        "disk faults": r.run.hostSwapIns + r.run.guestPagedIn,
        "VM exits": r.run.vmExits,
        "cycles per access": Math.round(r.run.cyclesPerAccess),
      });
    }
  }
  const figure = lineChart(rows, {
    x: "host memory (%)",
    y: "throughput (%)",
    color: "technique",
    title: "Under memory pressure, the balloon keeps the guests fast; host swapping does not",
    xTitle: "host memory (% of what the VMs use unpressured)",
    yTitle: "guest throughput (% of unpressured, log scale)",
    logY: true,
  });
  figure.layout.xaxis = { ...figure.layout.xaxis, autorange: "reversed" };
  logAxisTicks(figure);
  dashOverlaps(figure);
  const faultsFigure = lineChart(rows, {
    x: "host memory (%)",
    y: "disk faults",
    color: "technique",
    title: "Disk faults: host swap-ins and guest page-ins during the run",
    xTitle: "host memory (% of what the VMs use unpressured)",
    yTitle: "faults that waited for the disk",
  });
  faultsFigure.layout.xaxis = { ...faultsFigure.layout.xaxis, autorange: "reversed" };
  dashOverlaps(faultsFigure);
  const costs = overcommitCostModel({}, setup.swapDevice);
  const readCycles = nsToCycles(costs, costs.swapReadNs);
  const perAccess = base.run.cyclesPerAccess;
  const scale =
    ` Why so steep: one read from the ${setup.swapDevice === "ssd" ? "SSD" : "disk"} (${f(costs.swapReadNs / 1000)} µs, ${f(readCycles)} cycles) costs as much as ${f(Math.round(readCycles / perAccess))} of these workloads' accesses ` +
    `(${f(Math.round(perAccess))} cycles each: they do nothing but touch memory). A program that computes between its accesses slows down less, but in the same order.`;
  return { rows, figure, faultsFigure, summary: pressureSummary(rows) + scale };
}

/** "balloon + host swap" follows "balloon" until the cache runs out: dashed, so both lines show. */
function dashOverlaps(figure: Figure): void {
  for (const t of figure.data) if (t.name === TECHNIQUE_LABEL.both) t.line = { dash: "dash" };
}

/** "What to notice" for the balloon-vs-swap chart, from its rows. */
export function pressureSummary(rows: readonly PressureRow[]): string {
  const low = Math.min(...rows.map((r) => r["host memory (%)"]));
  const at = (t: string, p: number) => rows.find((r) => r.technique === t && r["host memory (%)"] === p);
  const b = at("balloon", low);
  const sw = at("host swap", low);
  const both = at("balloon + host swap", low);
  // The smallest host at which ballooning still cost the guests nothing.
  const free = rows.filter((r) => r.technique === "balloon" && r["throughput (%)"] >= 100).map((r) => r["host memory (%)"]);
  const parts: string[] = [];
  if (b && sw) {
    if (free.length > 0) {
      const p = Math.min(...free);
      const swAt = at("host swap", p);
      parts.push(`Down to ${p}% host memory the balloon costs the guests nothing (their page cache is all it takes)` + (swAt ? `, while host swapping there leaves them **${f(swAt["throughput (%)"])}%** of their speed.` : "."));
    }
    parts.push(
      `At ${low}%, ballooned guests run at **${f(b["throughput (%)"])}%** of their unpressured speed and host-swapped ones at **${f(sw["throughput (%)"])}%**: ` +
        `${f(sw["disk faults"])} faults waited for the disk under host swapping against ${f(b["disk faults"])} with the balloon.`,
    );
    parts.push(`The guest gave its balloon its page cache first, then the pages its own accessed bits called cold; the host, which cannot see what the guest values, swapped pages at random, hot ones included.`);
  }
  if (both) parts.push(`Ballooning the cache and host-swapping the rest gives **${f(both["throughput (%)"])}%** at ${low}%.`);
  return `**What to notice:** ${parts.join(" ")}`;
}

/** One point of the page-sharing demo. */
export type SharingRow = {
  /** "N VMs". */
  VMs: string;
  /** Scanner time so far, ms (hashing and compares at the cost model's clock). */
  "scan time (ms)": number;
  /** Pages scanned so far. */
  "pages scanned": number;
  /** Guest pages now backed by a shared frame. */
  "shared pages": number;
  /** Host pages saved: guest pages mapped to shared frames minus the shared frames. */
  savedPages: number;
  /** The same as a percentage of the VMs' pages in use. */
  "memory saved (%)": number;
};

/**
 * Page sharing: `vmCounts` VMs booted from the same image (plus their own data pages), the
 * scanner run `pagesPerTick` pages per tick until it has been over every page once; memory saved
 * against the scanner's time.
 */
export function pageSharingDemo(options: { vmCounts?: readonly number[]; pagesPerTick?: number; imagePages?: number; ownPages?: number; memoryPages?: number } = {}): { rows: SharingRow[]; figure: Figure; summary: string } {
  const counts = options.vmCounts ?? [2, 4, 8];
  if (!Array.isArray(counts) || counts.length === 0) throw new ConfigError("vmCounts", counts, "a non-empty array of VM counts from 1 to 32");
  const perTick = requireInt("pagesPerTick", options.pagesPerTick ?? 200, 1, 2 ** 20);
  const rows: SharingRow[] = [];
  for (const n of counts) {
    const points = sharingScan({ vms: requireInt("vmCounts[]", n, 1, 32), pagesPerTick: perTick, imagePages: options.imagePages ?? 256, ownPages: options.ownPages ?? 128, memoryPages: options.memoryPages ?? 512 });
    for (const p of points) {
      rows.push({ VMs: `${n} VMs`, "scan time (ms)": p.scanMs, "pages scanned": p.pagesScanned, "shared pages": p.sharedPages, savedPages: p.savedPages, "memory saved (%)": round1((100 * p.savedPages) / p.inUsePages) });
    }
  }
  const figure = lineChart(rows, {
    x: "scan time (ms)",
    y: "memory saved (%)",
    color: "VMs",
    title: "Page sharing: memory saved as the scanner works through the VMs",
    xTitle: "scanner CPU time (ms: hashing and comparing pages)",
    yTitle: "host memory saved (% of the VMs' pages)",
  });
  const last = (n: number) => rows.filter((r) => r.VMs === `${n} VMs`).at(-1)!;
  const lo = last(counts[0]!);
  const hi = last(counts[counts.length - 1]!);
  const summary =
    `**What to notice:** once the scanner has been over every page, ${counts[0]} VMs booted from one image save **${f(lo["memory saved (%)"])}%** of their memory ` +
    `and ${counts[counts.length - 1]} VMs **${f(hi["memory saved (%)"])}%**: every further copy of a shared page is one more page saved. ` +
    `It takes time: ${f(hi["scan time (ms)"])} ms of scanner CPU for ${counts[counts.length - 1]} VMs at ${perTick} pages per tick, and a page is saved only once its twin has been seen. ` +
    `The pages each VM wrote for itself are never shared.`;
  return { rows, figure, summary };
}

/** One row of the overcommit table. */
export type OvercommitTableRow = {
  technique: string;
  /** Host pages the technique took back. */
  "memory reclaimed (pages)": number;
  /** The same as a percentage of what the VMs used. */
  "memory reclaimed (%)": number;
  /** Cycles of the technique's own work plus the slowdown of the run after it, millions. */
  "cycles (millions)": number;
  /** Faults that waited for a disk (host swap-ins, guest page-ins); for sharing, copy-on-write breaks. */
  faults: number;
  /** VM exits the technique caused. */
  "VM exits": number;
  /** The published figure it is compared with. */
  "published figure": string;
  /** Row id in docs/virtualization-figures.md. */
  source: string;
};

/**
 * The overcommit table: each technique's memory reclaimed, cycles, faults and exits (the default
 * setup, the host at `hostMemoryPercent` of what the VMs use), beside the figure it is compared with.
 */
export function overcommitTable(options: OvercommitSetup & { hostMemoryPercent?: number } = {}): { rows: OvercommitTableRow[]; summary: string } {
  const setup = overcommitSetup(options);
  const percent = requireNumber("hostMemoryPercent", options.hostMemoryPercent ?? 60, 10, 99);
  const base = pressureRun({ setup, hostMemoryPercent: 100, technique: "swap" });
  const rows: OvercommitTableRow[] = [];
  const pressured = (t: OvercommitTechnique, label: string, figure: string) => {
    const r = pressureRun({ setup, hostMemoryPercent: percent, technique: t });
    const reclaimed = r.reclaimed.balloon + r.reclaimed.swap;
    rows.push({
      technique: label,
      "memory reclaimed (pages)": reclaimed,
      "memory reclaimed (%)": round1((100 * reclaimed) / r.demandPages),
      "cycles (millions)": round1((r.run.cycles - base.run.cycles + r.balloonCycles) / 1e6),
      faults: r.run.hostSwapIns + r.run.guestPagedIn,
      "VM exits": r.run.vmExits - base.run.vmExits + r.balloonExits,
      "published figure": figure,
      source: "O5",
    });
  };
  pressured("balloon", `balloon (host at ${percent}%)`, "ESX: kernel-compile throughput unchanged as the balloon inflates");
  pressured("swap", `host swap (host at ${percent}%)`, "ESX: throughput falls steadily as host swapping reclaims memory");
  const scan8 = sharingScan({ vms: 8, pagesPerTick: 200, imagePages: 256, ownPages: 128, memoryPages: 512 });
  const end8 = scan8.at(-1)!;
  rows.push({
    technique: "page sharing (8 idle VMs booted from one image)",
    "memory reclaimed (pages)": end8.savedPages,
    "memory reclaimed (%)": round1((100 * end8.savedPages) / end8.inUsePages),
    "cycles (millions)": round1(end8.scanCycles / 1e6),
    faults: 0,
    "VM exits": 0,
    "published figure": "VMware: >30% saved for many nearly identical VMs, <5% for diverse ones",
    source: "O2",
  });
  const busy = busySharingRun(setup);
  rows.push({
    technique: `page sharing (${setup.vms} busy VMs, one image, own file caches)`,
    "memory reclaimed (pages)": busy.savedPages,
    "memory reclaimed (%)": round1((100 * busy.savedPages) / busy.usedBefore),
    "cycles (millions)": round1((busy.scanCycles + busy.run.cycles - base.run.cycles) / 1e6),
    faults: busy.run.cowBreaks,
    "VM exits": busy.run.vmExits - base.run.vmExits,
    "published figure": "VMware: >30% saved for many nearly identical VMs, <5% for diverse ones",
    source: "O2",
  });
  const tax = idleTaxRun({ taxRate: ESX_DEFAULT_TAX_RATE, pages: 200, seed: 1 });
  const flat = idleTaxRun({ taxRate: 0, pages: 200, seed: 1 });
  const taken = tax.fromIdle + tax.fromActive;
  rows.push({
    technique: `idle-memory tax (τ = ${ESX_DEFAULT_TAX_RATE}): ${tax.fromIdle} of ${taken} pages from the idle VM (τ = 0: ${flat.fromIdle})`,
    "memory reclaimed (pages)": taken,
    "memory reclaimed (%)": round1((100 * taken) / tax.demandPages),
    "cycles (millions)": round1(tax.cycles / 1e6),
    faults: 0,
    "VM exits": tax.exits,
    "published figure": `ESX default τ = 75%: an idle page costs k = 1/(1−τ) = ${f(idlePageCost(ESX_DEFAULT_TAX_RATE))}× an active one`,
    source: "O3",
  });
  const [b, w, p8, p] = rows as [OvercommitTableRow, OvercommitTableRow, OvercommitTableRow, OvercommitTableRow];
  const summary =
    `**What to notice:** at ${percent}% host memory the balloon took back ${f(b["memory reclaimed (pages)"])} pages for ${f(b["cycles (millions)"])} M extra cycles and ${f(b.faults)} disk faults; ` +
    `host swapping took ${f(w["memory reclaimed (pages)"])} pages for ${f(w["cycles (millions)"])} M cycles and ${f(w.faults)} disk faults. ` +
    `Page sharing needs no pressure at all: it saved ${f(p8["memory reclaimed (%)"])}% across 8 idle VMs booted from one image, but only ${f(p["memory reclaimed (%)"])}% of ${setup.vms} busy VMs whose memory is mostly their own data and file cache. ` +
    `With the idle tax, the host took ${f(tax.fromIdle)} of ${f(taken)} pages from the idle VM; without it (τ = 0), ${f(flat.fromIdle)}.`;
  return { rows, summary };
}

/** The idle-memory tax on the host: pages ballooned from an idle and a busy VM with equal shares. */
export function idleTaxDemo(options: { taxRate?: number; pages?: number; seed?: number } = {}) {
  return idleTaxRun({ taxRate: requireNumber("taxRate", options.taxRate ?? ESX_DEFAULT_TAX_RATE, 0, 0.99), pages: requireInt("pages", options.pages ?? 200, 1, 2 ** 16), seed: options.seed ?? 1 });
}

/** One step of the double-paging demo. */
export type DoublePagingRow = {
  step: string;
  "host swap-outs": number;
  "host swap-ins": number;
  "guest page-outs": number;
  "double-paging reads": number;
};

/**
 * Double paging: the host, short of memory, swaps `hostSwapPages` random pages of a VM out; then
 * it asks the VM's balloon for `balloonPages` pages, and the guest (with no cache left) pages out
 * the pages its clock finds cold, some of which the host had swapped out: each must be read back
 * from the host's swap first, only to be written out again by the guest.
 */
export function doublePagingDemo(options: { hostSwapPages?: number; balloonPages?: number; seed?: number } = {}): { rows: DoublePagingRow[]; summary: string } {
  const r = doublePagingRun({ hostSwapPages: options.hostSwapPages ?? 200, balloonPages: options.balloonPages ?? 200, seed: options.seed ?? 1 });
  const rows = r.steps.map((s) => ({ step: s.step, "host swap-outs": s.hostSwapOuts, "host swap-ins": s.hostSwapIns, "guest page-outs": s.guestPageOuts, "double-paging reads": s.doublePagingReads }));
  const last = rows[rows.length - 1]!;
  const wasted = last["double-paging reads"] * r.swapReadCycles;
  const summary =
    `**What to notice:** the guest paged out ${f(last["guest page-outs"])} pages to make room for its balloon, and ${f(last["double-paging reads"])} of them were pages the host had already swapped out: ` +
    `for each, the host read the page back from its swap disk only for the guest to write it to its own (${f(Math.round(wasted / 1e6))} M cycles of reads wasted, ${f(r.swapReadNs / 1000)} µs each). ` +
    `Neither side knows what the other did: that is double paging, and one reason a host balloons before it swaps.`;
  return { rows, summary };
}
