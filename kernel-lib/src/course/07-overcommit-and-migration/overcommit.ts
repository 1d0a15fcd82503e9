/**
 * Lesson 07's overcommit part (notebooks/07-overcommit-and-migration.ipynb): a host with less
 * memory than its VMs, measured on the simulator's own workloads.
 * - {@link balloonVsSwap}: guest throughput and faults as host memory shrinks, for ballooning,
 *   host swapping, and both (balloon for free and cached pages, host swap for the rest);
 * - {@link pageSharingDemo}: N VMs booted from one image, memory saved as the scanner runs;
 * - {@link overcommitTable}: each technique's memory reclaimed, cycles, faults and exits beside
 *   the published figure it is compared with (docs/virtualization-figures.md, rows O1–O8);
 * - {@link doublePagingDemo}: the host swaps a page out, the guest then pages out the same page.
 * Every number in the "what to notice" texts comes from these runs.
 */
import { lineChart } from "../../charts/builders";
import type { Figure } from "../../charts/figure";
import { ConfigError, requireInt, requireNumber } from "../../core/errors";
import { formatNumber as f } from "../../core/format";
import { Random } from "../../core/random";
import { nsToCycles } from "../../overcommit/costs";
import { idlePageCost, ESX_DEFAULT_TAX_RATE } from "../../overcommit/idle-tax";
import { OVERCOMMIT_TECHNIQUES, OvercommitHost, type OvercommitRunResult, type OvercommitTechnique, type OvercommitVm } from "../../overcommit/overcommit-host";
import { hotColdWorkload } from "../../workloads/generators";
import type { MemoryTrace } from "../../workloads/trace";

/** Pages of a boot image (kernel, libraries): a seeded mix of zero pages and data pages, the same for every VM booted from it. */
export function bootImage(pages: number, options: { seed?: number; zeroFraction?: number } = {}): (Uint8Array | null)[] {
  requireInt("pages", pages, 0, 2 ** 20);
  const zero = requireNumber("zeroFraction", options.zeroFraction ?? 0.25, 0, 1);
  const rng = new Random(options.seed ?? 7);
  const out: (Uint8Array | null)[] = [];
  for (let i = 0; i < pages; i++) {
    if (rng.next() < zero) {
      out.push(null);
      continue;
    }
    const b = new Uint8Array(4096);
    for (let j = 0; j < 4096; j += 16) b[j] = rng.int(256);
    b[1] = i & 255;
    b[2] = (i >>> 8) & 255;
    out.push(b);
  }
  return out;
}

/** The setup every overcommit run shares: VMs of `memoryPages`, each running a hot/cold workload. */
export interface OvercommitSetup {
  /** VMs on the host. Default 2. */
  vms?: number;
  /** Guest memory per VM, pages. Default 1024 (4 MiB). */
  memoryPages?: number;
  /** Boot-image pages per VM (the same image for all). Default 128. */
  imagePages?: number;
  /** The workload's pages per VM: a hot set and a cold rest. Default 64 hot + 448 cold. */
  hotPages?: number;
  coldPages?: number;
  /** Share of accesses that go to the hot set. Default 0.9. */
  hotFraction?: number;
  /** Accesses per VM in the measured run. Default 20,000. */
  accesses?: number;
  /** Swap device: "ssd" (default) or "hdd". */
  swapDevice?: "ssd" | "hdd";
  /** Seed. Default 1. */
  seed?: number;
}

function setupOf(o: OvercommitSetup) {
  return {
    vms: requireInt("vms", o.vms ?? 2, 1, 16),
    memoryPages: requireInt("memoryPages", o.memoryPages ?? 1024, 256, 2 ** 16),
    imagePages: requireInt("imagePages", o.imagePages ?? 128, 0, 2 ** 16),
    hotPages: requireInt("hotPages", o.hotPages ?? 64, 1, 2 ** 16),
    coldPages: requireInt("coldPages", o.coldPages ?? 448, 1, 2 ** 16),
    hotFraction: requireNumber("hotFraction", o.hotFraction ?? 0.9, 0, 1),
    accesses: requireInt("accesses", o.accesses ?? 20_000, 100, 2 ** 24),
    swapDevice: o.swapDevice ?? "ssd",
    seed: o.seed ?? 1,
  };
}

/**
 * Boots the VMs on a host big enough for all of them: each reads the boot image, then fills the
 * rest of its memory with page cache (files it read; a guest's free memory fills with cache),
 * then maps its workload's pages and runs a short warm-up after aging its pages, so that its
 * accessed bits say which pages are hot.
 */
function bootHost(s: ReturnType<typeof setupOf>): { host: OvercommitHost; vms: OvercommitVm[]; traces: MemoryTrace[] } {
  const demand = s.vms * s.memoryPages;
  const host = new OvercommitHost({ capacityPages: demand, swapDevice: s.swapDevice, seed: s.seed });
  const image = bootImage(s.imagePages, { seed: 7 });
  const vms: OvercommitVm[] = [];
  const traces: MemoryTrace[] = [];
  for (let i = 0; i < s.vms; i++) {
    const ov = host.addVm({ name: `vm${i + 1}`, memoryPages: s.memoryPages, image, filePages: s.memoryPages });
    const trace = hotColdWorkload({ accesses: s.accesses, hotPages: s.hotPages, coldPages: s.coldPages, hotFraction: s.hotFraction, seed: s.seed * 100 + i });
    host.prepare(ov, trace);
    vms.push(ov);
    traces.push(trace);
  }
  const warm = traces.map((t) => slice(t, Math.floor(t.length / 10)));
  for (const ov of vms) ov.guest.ageAll();
  host.run(vms.map((vm, i) => ({ vm, trace: warm[i]! })));
  return { host, vms, traces };
}

function slice(t: MemoryTrace, n: number): MemoryTrace {
  return { ...t, length: n, accesses: n, ops: t.ops.subarray(0, n), arg: t.arg.subarray(0, n), premap: [] };
}

/** One point of the balloon-vs-swap experiment. */
export type PressureRow = {
  /** "balloon", "host swap" or "balloon + host swap". */
  technique: string;
  /** Host memory as a percentage of what the VMs use unpressured. */
  "host memory (%)": number;
  /** Guest throughput (accesses per simulated second) as a percentage of the unpressured run. */
  "throughput (%)": number;
  /** Host pages reclaimed by the balloons. */
  "ballooned pages": number;
  /** Host pages reclaimed by host swapping. */
  "host-swapped pages": number;
  /** Faults that waited for a disk: host swap-ins plus guest page-ins. */
  "disk faults": number;
  /** VM exits in the run (EPT violations, balloon messages). */
  "VM exits": number;
  /** Modeled cycles per access, all work included. */
  "cycles per access": number;
};

const TECHNIQUE_LABEL: Record<OvercommitTechnique, string> = { balloon: "balloon", swap: "host swap", both: "balloon + host swap" };

/**
 * Balloon vs host swap under pressure: for each host size (a percentage of what the VMs use
 * unpressured) and each technique, boots the VMs, takes the memory back, runs the workload and
 * measures throughput, disk faults and exits against the unpressured run.
 */
export function balloonVsSwap(options: OvercommitSetup & { hostMemoryPercents?: readonly number[]; techniques?: readonly OvercommitTechnique[] } = {}): { rows: PressureRow[]; figure: Figure; faultsFigure: Figure; summary: string } {
  const s = setupOf(options);
  const percents = options.hostMemoryPercents ?? [100, 85, 70, 60, 50, 45];
  const techniques = options.techniques ?? OVERCOMMIT_TECHNIQUES;
  for (const p of percents) requireNumber("hostMemoryPercents[]", p, 10, 100);
  for (const t of techniques) if (!OVERCOMMIT_TECHNIQUES.includes(t)) throw new ConfigError("techniques[]", t, OVERCOMMIT_TECHNIQUES.map((x) => JSON.stringify(x)).join(", "));
  const base = runUnder(s, 100, "swap");
  const rows: PressureRow[] = [];
  for (const technique of techniques) {
    for (const p of percents) {
      const r = p >= 100 ? base : runUnder(s, p, technique);
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
  const faultsFigure = lineChart(rows, {
    x: "host memory (%)",
    y: "disk faults",
    color: "technique",
    title: "Disk faults: host swap-ins and guest page-ins during the run",
    xTitle: "host memory (% of what the VMs use unpressured)",
    yTitle: "faults that waited for the disk",
  });
  faultsFigure.layout.xaxis = { ...faultsFigure.layout.xaxis, autorange: "reversed" };
  return { rows, figure, faultsFigure, summary: pressureSummary(rows) };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** One pressured run: boot, shrink the host by `technique`, run the workload. */
function runUnder(s: ReturnType<typeof setupOf>, percent: number, technique: OvercommitTechnique): { run: OvercommitRunResult; reclaimed: { balloon: number; swap: number }; host: OvercommitHost } {
  const { host, vms, traces } = bootHost(s);
  const target = Math.floor((host.usedPages * percent) / 100);
  const reclaimed = percent >= 100 ? { balloon: 0, swap: 0 } : host.shrinkTo(target, technique);
  const run = host.run(vms.map((vm, i) => ({ vm, trace: traces[i]! })));
  return { run, reclaimed, host };
}

/** "What to notice" for the balloon-vs-swap chart, from its rows. */
export function pressureSummary(rows: readonly PressureRow[]): string {
  const low = Math.min(...rows.map((r) => r["host memory (%)"]));
  const at = (t: string) => rows.find((r) => r.technique === t && r["host memory (%)"] === low);
  const b = at("balloon");
  const sw = at("host swap");
  const both = at("balloon + host swap");
  const parts: string[] = [];
  if (b && sw) {
    parts.push(
      `With the host down to ${low}% of what the VMs use, ballooned guests still run at **${f(b["throughput (%)"])}%** of their unpressured speed, ` +
        `host-swapped ones at **${f(sw["throughput (%)"])}%**: ${f(sw["disk faults"])} faults waited for the disk under host swapping against ${f(b["disk faults"])} with the balloon.`,
    );
    parts.push(
      `The guest gave its balloon its page cache first and then the pages its own accessed bits called cold; the host, which cannot see what the guest values, swapped pages at random, hot ones included.`,
    );
  }
  if (both) parts.push(`Ballooning the cache and host-swapping the rest lands in between: **${f(both["throughput (%)"])}%**.`);
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
 * Page sharing: `vmCounts` VMs booted from the same image (plus their own workload pages), the
 * scanner run `pagesPerTick` pages per tick until it has been over every VM's pages once; memory
 * saved against the scanner's time.
 */
export function pageSharingDemo(options: { vmCounts?: readonly number[]; pagesPerTick?: number; imagePages?: number; ownPages?: number; memoryPages?: number } = {}): { rows: SharingRow[]; figure: Figure; summary: string } {
  const counts = options.vmCounts ?? [2, 4, 8];
  const perTick = requireInt("pagesPerTick", options.pagesPerTick ?? 200, 1, 2 ** 20);
  const imagePages = requireInt("imagePages", options.imagePages ?? 256, 1, 2 ** 16);
  const ownPages = requireInt("ownPages", options.ownPages ?? 128, 1, 2 ** 16);
  const memoryPages = requireInt("memoryPages", options.memoryPages ?? 512, 256, 2 ** 16);
  const rows: SharingRow[] = [];
  const image = bootImage(imagePages, { seed: 7 });
  for (const n of counts) {
    requireInt("vmCounts[]", n, 1, 32);
    const host = new OvercommitHost({ capacityPages: n * memoryPages });
    for (let i = 0; i < n; i++) {
      const ov = host.addVm({ name: `vm${i + 1}`, memoryPages, image });
      host.prepare(ov, hotColdWorkload({ accesses: 0, hotPages: 1, coldPages: ownPages - 1, seed: i + 1 }));
    }
    const inUse = host.mappedGuestPages;
    const pageCycles = nsToCycles(host.costs, host.costs.pageHashNs);
    const point = (): SharingRow => {
      const sh = host.sharing;
      const ms = ((sh.scanned + sh.compares) * pageCycles) / (host.costs.clockGHz * 1e6);
      return { VMs: `${n} VMs`, "scan time (ms)": Math.round(ms * 100) / 100, "pages scanned": sh.scanned, "shared pages": sh.mappings, savedPages: sh.mappings - sh.frames, "memory saved (%)": round1((100 * (sh.mappings - sh.frames)) / inUse) };
    };
    rows.push(point());
    while (host.sharing.scanned < inUse) {
      host.scan(perTick);
      rows.push(point());
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
    `It takes time: ${f(hi["scan time (ms)"])} ms of scanner CPU for ${counts[counts.length - 1]} VMs at ${perTick} pages per tick, and savings appear only once a page's twin has been seen. ` +
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
  /** Cycles of the technique's own work plus the slowdown of the run after it. */
  "cycles (millions)": number;
  /** Faults that waited for a disk (host swap-ins, guest page-ins); copy-on-write breaks for sharing. */
  faults: number;
  /** VM exits the technique caused. */
  "VM exits": number;
  /** The published figure it is compared with. */
  "published figure": string;
  /** Row id in docs/virtualization-figures.md. */
  source: string;
};

/**
 * The overcommit table: each technique's memory reclaimed, cycles, faults and exits, on the
 * default setup at `hostMemoryPercent` of what the VMs use, beside the figure it is compared with.
 */
export function overcommitTable(options: OvercommitSetup & { hostMemoryPercent?: number } = {}): { rows: OvercommitTableRow[]; summary: string } {
  const s = setupOf(options);
  const percent = requireNumber("hostMemoryPercent", options.hostMemoryPercent ?? 60, 10, 99);
  const base = runUnder(s, 100, "swap");
  const demand = base.host.usedPages;
  const rows: OvercommitTableRow[] = [];
  const pressured = (t: OvercommitTechnique, label: string, figure: string, source: string) => {
    const r = runUnder(s, percent, t);
    rows.push({
      technique: label,
      "memory reclaimed (pages)": r.reclaimed.balloon + r.reclaimed.swap,
      "memory reclaimed (%)": round1((100 * (r.reclaimed.balloon + r.reclaimed.swap)) / demand),
      "cycles (millions)": round1((r.run.cycles - base.run.cycles + reclaimCycles(r.host)) / 1e6),
      faults: r.run.hostSwapIns + r.run.guestPagedIn,
      "VM exits": r.run.vmExits - base.run.vmExits + balloonExits(r.host),
      "published figure": figure,
      source,
    });
  };
  pressured("balloon", `balloon (host at ${percent}%)`, "ESX: kernel-compile throughput unchanged as the balloon inflates", "O5");
  pressured("swap", `host swap (host at ${percent}%)`, "ESX: throughput falls steadily as host swapping reclaims memory", "O5");
  // Page sharing: the same VMs, scanned completely once, no pressure.
  const sh = bootHost(s).host;
  const before = sh.usedPages;
  const hash0 = sh.counters().cycles;
  sh.scan(sh.mappedGuestPages * 2);
  const saved = before - sh.usedPages;
  const runAfter = sh.run(sh.vms.map((vm, i) => ({ vm, trace: hotColdWorkload({ accesses: s.accesses, hotPages: s.hotPages, coldPages: s.coldPages, hotFraction: s.hotFraction, seed: s.seed * 100 + i }) })));
  const demo = pageSharingDemo({ vmCounts: [8] });
  const d8 = demo.rows.at(-1)!;
  rows.push({
    technique: "page sharing (8 idle VMs booted from one image)",
    "memory reclaimed (pages)": d8.savedPages,
    "memory reclaimed (%)": d8["memory saved (%)"],
    "cycles (millions)": round1((d8["scan time (ms)"] * 1e6 * sh.costs.clockGHz) / 1e6),
    faults: 0,
    "VM exits": 0,
    "published figure": "VMware: >30% saved for many nearly identical VMs, <5% for diverse ones",
    source: "O2",
  });
  rows.push({
    technique: `page sharing (${s.vms} busy VMs, one image, own file caches)`,
    "memory reclaimed (pages)": saved,
    "memory reclaimed (%)": round1((100 * saved) / before),
    "cycles (millions)": round1((sh.counters().cycles - hash0 - runAfter.overcommitCycles + runAfter.cycles - base.run.cycles) / 1e6),
    faults: runAfter.cowBreaks,
    "VM exits": runAfter.vmExits - base.run.vmExits,
    "published figure": "VMware: >30% saved for many nearly identical VMs, <5% for diverse ones",
    source: "O2",
  });
  const tax = idleTaxDemo({ taxRate: ESX_DEFAULT_TAX_RATE });
  const flat = idleTaxDemo({ taxRate: 0 });
  rows.push({
    technique: `idle-memory tax (τ = ${ESX_DEFAULT_TAX_RATE}): ${tax.fromIdle} of ${tax.fromIdle + tax.fromActive} pages from the idle VM (τ = 0: ${flat.fromIdle})`,
    "memory reclaimed (pages)": tax.fromIdle + tax.fromActive,
    "memory reclaimed (%)": round1((100 * (tax.fromIdle + tax.fromActive)) / tax.demand),
    "cycles (millions)": round1(tax.cycles / 1e6),
    faults: 0,
    "VM exits": tax.exits,
    "published figure": `ESX default τ = 75%: an idle page costs k = 1/(1−τ) = ${f(idlePageCost(ESX_DEFAULT_TAX_RATE))}× an active one`,
    source: "O3",
  });
  const b = rows[0]!;
  const w = rows[1]!;
  const p = rows[3]!;
  const p8 = rows[2]!;
  const summary =
    `**What to notice:** at ${percent}% host memory the balloon took back ${f(b["memory reclaimed (pages)"])} pages for ${f(b["cycles (millions)"])} M extra cycles and ${f(b.faults)} disk faults; ` +
    `host swapping took ${f(w["memory reclaimed (pages)"])} pages for ${f(w["cycles (millions)"])} M cycles and ${f(w.faults)} disk faults. ` +
    `Page sharing needs no pressure at all: it saved ${f(p8["memory reclaimed (%)"])}% across 8 idle VMs booted from one image, but only ${f(p["memory reclaimed (%)"])}% of ${s.vms} busy VMs whose memory is mostly their own data and file cache (${f(p.faults)} copy-on-write breaks when their workloads ran). ` +
    `With the idle tax, the host took ${f(tax.fromIdle)} of ${f(tax.fromIdle + tax.fromActive)} pages from the idle VM; without it (τ = 0), ${f(flat.fromIdle)}.`;
  return { rows, summary };
}

function reclaimCycles(host: OvercommitHost): number {
  // The run's counters include its own I/O; the reclaim's own balloon work happened before it.
  let c = 0;
  for (const v of host.vms) c += v.balloon.cycles;
  return c;
}

function balloonExits(host: OvercommitHost): number {
  let n = 0;
  for (const v of host.vms) n += v.balloon.exits;
  return n;
}

/**
 * The idle-memory tax: two VMs with equal shares, one busy (a hot working set) and one idle
 * (it touches almost nothing); after an idle-sampling period the host balloons `pages` pages.
 * Returns how many came from each.
 */
export function idleTaxDemo(options: { taxRate?: number; pages?: number; seed?: number } = {}): { fromIdle: number; fromActive: number; idleActiveFraction: number; busyActiveFraction: number; cycles: number; exits: number; demand: number } {
  const tau = requireNumber("taxRate", options.taxRate ?? ESX_DEFAULT_TAX_RATE, 0, 0.99);
  const pages = requireInt("pages", options.pages ?? 200, 1, 2 ** 16);
  const host = new OvercommitHost({ capacityPages: 2048, taxRate: tau, seed: options.seed ?? 1 });
  const busy = host.addVm({ name: "busy", memoryPages: 1024, filePages: 1024 });
  const idle = host.addVm({ name: "idle", memoryPages: 1024, filePages: 1024 });
  const tb = hotColdWorkload({ accesses: 20_000, hotPages: 400, coldPages: 112, hotFraction: 0.99, seed: 1 });
  const ti = hotColdWorkload({ accesses: 200, hotPages: 8, coldPages: 504, hotFraction: 1, seed: 2 });
  host.prepare(busy, tb);
  host.prepare(idle, ti);
  host.startIdleSample(100);
  host.run([{ vm: busy, trace: tb }, { vm: idle, trace: ti }]);
  host.endIdleSample();
  const r0 = [busy.resident, idle.resident];
  const demand = host.usedPages;
  host.balloonReclaim(pages);
  return {
    fromActive: r0[0]! - busy.resident,
    fromIdle: r0[1]! - idle.resident,
    busyActiveFraction: busy.activeFraction,
    idleActiveFraction: idle.activeFraction,
    cycles: busy.balloon.cycles + idle.balloon.cycles,
    exits: busy.balloon.exits + idle.balloon.exits,
    demand,
  };
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
 * Double paging: the host, short of memory, swaps `hostSwapPages` random pages of a VM out;
 * then it asks the VM's balloon for `balloonPages` pages, and the guest (with no cache left)
 * pages out the pages its clock finds cold, some of which the host had swapped out: each must
 * be read back in from the host's swap first, only to be written out again by the guest.
 */
export function doublePagingDemo(options: { hostSwapPages?: number; balloonPages?: number; seed?: number } = {}): { rows: DoublePagingRow[]; summary: string } {
  const hostSwap = requireInt("hostSwapPages", options.hostSwapPages ?? 200, 1, 2 ** 16);
  const balloonPages = requireInt("balloonPages", options.balloonPages ?? 200, 1, 2 ** 16);
  const host = new OvercommitHost({ capacityPages: 1024, seed: options.seed ?? 1 });
  const ov = host.addVm({ name: "vm1", memoryPages: 1024 });
  const trace = hotColdWorkload({ accesses: 4000, hotPages: 64, coldPages: 900, hotFraction: 0.95, seed: options.seed ?? 1 });
  host.prepare(ov, trace);
  ov.guest.ageAll();
  host.run([{ vm: ov, trace }]);
  const row = (step: string): DoublePagingRow => {
    const c = host.counters();
    return { step, "host swap-outs": c.hostSwapOuts, "host swap-ins": c.hostSwapIns, "guest page-outs": c.guestPagedOut, "double-paging reads": c.doublePagingReads };
  };
  const rows = [row("after the workload ran")];
  host.hostSwapOut(hostSwap);
  rows.push(row(`host swapped ${hostSwap} random pages out`));
  ov.balloon.inflate(balloonPages);
  rows.push(row(`balloon asked for ${balloonPages} pages`));
  const last = rows[rows.length - 1]!;
  const c = host.costs;
  const wasted = last["double-paging reads"] * nsToCycles(c, c.swapReadNs);
  const summary =
    `**What to notice:** the guest paged out ${f(last["guest page-outs"])} pages to make room for its balloon, and ${f(last["double-paging reads"])} of them were pages the host had already swapped out: ` +
    `for each, the host read the page back from its swap disk only for the guest to write it to its own (${f(Math.round(wasted / 1e6))} M cycles of reads wasted at ${f(c.swapReadNs / 1000)} µs each). ` +
    `Neither side knows what the other did: that is double paging, and why a host should balloon before it swaps.`;
  return { rows, summary };
}
