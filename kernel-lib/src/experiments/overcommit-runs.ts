/**
 * The overcommit runs lessons measure (lesson 07): VMs booted on an OvercommitHost
 * (overcommit/overcommit-host.ts), memory taken back by a technique, the workload run, and the
 * counts returned as plain, frozen data (memoized: a chart and its notice read the same runs).
 */
import { ConfigError, requireInt, requireNumber } from "../core/errors";
import { nsToCycles } from "../overcommit/costs";
import { OVERCOMMIT_TECHNIQUES, OvercommitHost, type OvercommitRunResult, type OvercommitTechnique, type OvercommitVm } from "../overcommit/overcommit-host";
import { bootImage } from "../workloads/boot-image";
import { hotColdWorkload } from "../workloads/generators";
import type { MemoryTrace } from "../workloads/trace";
import { memoize } from "./result-cache";

/** The setup of a pressure run: VMs of `memoryPages`, each running a hot/cold workload. */
export interface OvercommitSetup {
  /** VMs on the host. Default 2. */
  vms?: number;
  /** Guest memory per VM, pages. Default 1024 (4 MiB). */
  memoryPages?: number;
  /** Boot-image pages per VM (the same image for all). Default 128. */
  imagePages?: number;
  /** The workload's hot pages per VM. Default 64. */
  hotPages?: number;
  /** The workload's other (cold) pages per VM. Default 448. */
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

/** A setup with every default filled in and checked. */
export function overcommitSetup(o: OvercommitSetup = {}): Required<OvercommitSetup> {
  if (o === null || typeof o !== "object") throw new ConfigError("setup", o, "an object of overcommit setup options");
  const swapDevice = o.swapDevice ?? "ssd";
  if (swapDevice !== "ssd" && swapDevice !== "hdd") throw new ConfigError("swapDevice", swapDevice, `"ssd" or "hdd"`);
  return {
    vms: requireInt("vms", o.vms ?? 2, 1, 16),
    memoryPages: requireInt("memoryPages", o.memoryPages ?? 1024, 256, 2 ** 16),
    imagePages: requireInt("imagePages", o.imagePages ?? 128, 0, 2 ** 16),
    hotPages: requireInt("hotPages", o.hotPages ?? 64, 1, 2 ** 16),
    coldPages: requireInt("coldPages", o.coldPages ?? 448, 1, 2 ** 16),
    hotFraction: requireNumber("hotFraction", o.hotFraction ?? 0.9, 0, 1),
    accesses: requireInt("accesses", o.accesses ?? 20_000, 100, 2 ** 24),
    swapDevice,
    seed: requireInt("seed", o.seed ?? 1, 0, 2 ** 31),
  };
}

/** VM `i`'s workload in setup `s`. */
function workloadOf(s: Required<OvercommitSetup>, i: number): MemoryTrace {
  return hotColdWorkload({ accesses: s.accesses, hotPages: s.hotPages, coldPages: s.coldPages, hotFraction: s.hotFraction, seed: s.seed * 100 + i });
}

/**
 * Boots the VMs on a host big enough for all of them: each fills its memory with page cache (files
 * it read, then the boot image, so the image is the last dropped), maps its workload's pages, ages
 * them and runs a short warm-up (a tenth of its trace), so that its accessed bits say which pages
 * are hot.
 */
export function bootOvercommitHost(setup: OvercommitSetup = {}): { host: OvercommitHost; vms: OvercommitVm[]; traces: MemoryTrace[] } {
  const s = overcommitSetup(setup);
  const host = new OvercommitHost({ capacityPages: s.vms * s.memoryPages, swapDevice: s.swapDevice, seed: s.seed });
  const image = bootImage(s.imagePages);
  const vms: OvercommitVm[] = [];
  const traces: MemoryTrace[] = [];
  for (let i = 0; i < s.vms; i++) {
    const ov = host.addVm({ name: `vm${i + 1}`, memoryPages: s.memoryPages, image, filePages: s.memoryPages });
    const trace = workloadOf(s, i);
    host.prepare(ov, trace);
    vms.push(ov);
    traces.push(trace);
  }
  for (const ov of vms) ov.guest.ageAll();
  host.run(vms.map((vm, i) => ({ vm, trace: firstAccesses(traces[i]!, Math.floor(traces[i]!.length / 10)) })));
  return { host, vms, traces };
}

/** The first `n` records of a trace, without its premap (the pages are mapped already). */
export function firstAccesses(t: MemoryTrace, n: number): MemoryTrace {
  return { ...t, length: n, accesses: n, ops: t.ops.subarray(0, n), arg: t.arg.subarray(0, n), premap: [] };
}

/** What one pressure run measured (plain data). */
export interface PressureRun {
  /** The workload run after the memory was taken back. */
  run: OvercommitRunResult;
  /** Host pages taken back by the balloons and by host swapping. */
  reclaimed: { balloon: number; swap: number };
  /** Host pages the VMs used before (unpressured). */
  demandPages: number;
  /** Cycles and VM exits of the balloons' own work (before the run). */
  balloonCycles: number;
  balloonExits: number;
}

/**
 * One pressure run: boot, shrink the host to `hostMemoryPercent` of what the VMs use by
 * `technique` (OvercommitHost.shrinkTo), run every VM's workload. Memoized.
 */
export const pressureRun = memoize(
  "overcommit-pressure",
  (o: { setup?: OvercommitSetup; hostMemoryPercent: number; technique: OvercommitTechnique }) => [overcommitSetup(o.setup), o.hostMemoryPercent, o.technique],
  (o): PressureRun => {
    const percent = requireNumber("hostMemoryPercent", o.hostMemoryPercent, 10, 100);
    if (!OVERCOMMIT_TECHNIQUES.includes(o.technique)) throw new ConfigError("technique", o.technique, OVERCOMMIT_TECHNIQUES.map((x) => JSON.stringify(x)).join(", "));
    const { host, vms, traces } = bootOvercommitHost(o.setup);
    const demandPages = host.usedPages;
    const reclaimed = percent >= 100 ? { balloon: 0, swap: 0 } : host.shrinkTo(Math.floor((demandPages * percent) / 100), o.technique);
    const run = host.run(vms.map((vm, i) => ({ vm, trace: traces[i]! })));
    return { run, reclaimed, demandPages, balloonCycles: vms.reduce((c, v) => c + v.balloon.cycles, 0), balloonExits: vms.reduce((c, v) => c + v.balloon.exits, 0) };
  },
);

/** One point of a page-sharing scan. */
export interface SharingPoint {
  /** Scanner cycles so far (hashing and full compares, costs.pageHashNs each). */
  scanCycles: number;
  /** The same in ms at the cost model's clock. */
  scanMs: number;
  pagesScanned: number;
  /** Guest pages mapped to shared frames. */
  sharedPages: number;
  /** Host pages saved: shared mappings minus shared frames. */
  savedPages: number;
  /** The VMs' guest pages in use (the base of a percentage). */
  inUsePages: number;
}

/**
 * Page sharing: `vms` VMs of `memoryPages` booted from one image of `imagePages` pages, each with
 * `ownPages` pages of its own data; the scanner runs `pagesPerTick` pages per tick until it has
 * been over every page once. Memoized.
 */
export const sharingScan = memoize(
  "overcommit-sharing",
  (o: { vms: number; pagesPerTick: number; imagePages: number; ownPages: number; memoryPages: number }) => o,
  (o): SharingPoint[] => {
    const n = requireInt("vms", o.vms, 1, 32);
    const perTick = requireInt("pagesPerTick", o.pagesPerTick, 1, 2 ** 20);
    const own = requireInt("ownPages", o.ownPages, 2, 2 ** 16);
    const host = new OvercommitHost({ capacityPages: n * requireInt("memoryPages", o.memoryPages, 256, 2 ** 16) });
    const image = bootImage(requireInt("imagePages", o.imagePages, 1, 2 ** 16));
    for (let i = 0; i < n; i++) {
      const ov = host.addVm({ name: `vm${i + 1}`, memoryPages: o.memoryPages, image });
      host.prepare(ov, hotColdWorkload({ accesses: 0, hotPages: 1, coldPages: own - 1, seed: i + 1 }));
    }
    const inUsePages = host.mappedGuestPages;
    const pageCycles = nsToCycles(host.costs, host.costs.pageHashNs);
    const point = (): SharingPoint => {
      const sh = host.sharing;
      const scanCycles = (sh.scanned + sh.compares) * pageCycles;
      return { scanCycles, scanMs: Math.round((scanCycles / (host.costs.clockGHz * 1e6)) * 100) / 100, pagesScanned: sh.scanned, sharedPages: sh.mappings, savedPages: sh.mappings - sh.frames, inUsePages };
    };
    const points = [point()];
    while (host.sharing.scanned < inUsePages) {
      host.scan(perTick);
      points.push(point());
    }
    return points;
  },
);

/** Busy VMs' page sharing: the default setup booted, scanned once completely, then run. Memoized. */
export const busySharingRun = memoize(
  "overcommit-busy-sharing",
  (setup: OvercommitSetup) => overcommitSetup(setup),
  (setup): { savedPages: number; usedBefore: number; scanCycles: number; run: OvercommitRunResult } => {
    const { host, vms, traces } = bootOvercommitHost(setup);
    const usedBefore = host.usedPages;
    const c0 = host.counters().cycles;
    host.scan(host.mappedGuestPages * 2);
    const savedPages = usedBefore - host.usedPages;
    const scanCycles = host.counters().cycles - c0;
    const run = host.run(vms.map((vm, i) => ({ vm, trace: traces[i]! })));
    return { savedPages, usedBefore, scanCycles, run };
  },
);

/**
 * The idle-memory tax on the host: two VMs with equal shares, one busy (a hot working set) and
 * one idle (it touches almost nothing); after an idle-sampling period the host balloons `pages`
 * pages. How many came from each. Memoized.
 */
export const idleTaxRun = memoize(
  "overcommit-idle-tax",
  (o: { taxRate: number; pages: number; seed: number }) => o,
  (o): { fromIdle: number; fromActive: number; idleActiveFraction: number; busyActiveFraction: number; cycles: number; exits: number; demandPages: number } => {
    const pages = requireInt("pages", o.pages, 1, 2 ** 16);
    const host = new OvercommitHost({ capacityPages: 2048, taxRate: requireNumber("taxRate", o.taxRate, 0, 0.99), seed: o.seed });
    const busy = host.addVm({ name: "busy", memoryPages: 1024, filePages: 1024 });
    const idle = host.addVm({ name: "idle", memoryPages: 1024, filePages: 1024 });
    const tb = hotColdWorkload({ accesses: 20_000, hotPages: 400, coldPages: 112, hotFraction: 0.99, seed: 1 });
    const ti = hotColdWorkload({ accesses: 200, hotPages: 8, coldPages: 504, hotFraction: 1, seed: 2 });
    host.prepare(busy, tb);
    host.prepare(idle, ti);
    host.startIdleSample(100);
    host.run([{ vm: busy, trace: tb }, { vm: idle, trace: ti }]);
    host.endIdleSample();
    const before = [busy.resident, idle.resident];
    const demandPages = host.usedPages;
    host.balloonReclaim(pages);
    return {
      fromActive: before[0]! - busy.resident,
      fromIdle: before[1]! - idle.resident,
      busyActiveFraction: busy.activeFraction,
      idleActiveFraction: idle.activeFraction,
      cycles: busy.balloon.cycles + idle.balloon.cycles,
      exits: busy.balloon.exits + idle.balloon.exits,
      demandPages,
    };
  },
);

/** One step of a double-paging run. */
export interface DoublePagingStep {
  step: string;
  hostSwapOuts: number;
  hostSwapIns: number;
  guestPageOuts: number;
  doublePagingReads: number;
}

/**
 * Double paging: a VM runs; the host swaps `hostSwapPages` random pages of it out; then it asks
 * the VM's balloon for `balloonPages` pages, and the guest (no page cache left) pages out the
 * pages its clock finds cold, some of which the host had swapped out. Memoized.
 */
export const doublePagingRun = memoize(
  "overcommit-double-paging",
  (o: { hostSwapPages: number; balloonPages: number; seed: number }) => o,
  (o): { steps: DoublePagingStep[]; swapReadNs: number; swapReadCycles: number } => {
    const hostSwap = requireInt("hostSwapPages", o.hostSwapPages, 1, 2 ** 16);
    const balloonPages = requireInt("balloonPages", o.balloonPages, 1, 2 ** 16);
    const host = new OvercommitHost({ capacityPages: 1024, seed: o.seed });
    const ov = host.addVm({ name: "vm1", memoryPages: 1024 });
    const trace = hotColdWorkload({ accesses: 4000, hotPages: 64, coldPages: 900, hotFraction: 0.95, seed: o.seed });
    host.prepare(ov, trace);
    ov.guest.ageAll();
    host.run([{ vm: ov, trace }]);
    const step = (name: string): DoublePagingStep => {
      const c = host.counters();
      return { step: name, hostSwapOuts: c.hostSwapOuts, hostSwapIns: c.hostSwapIns, guestPageOuts: c.guestPagedOut, doublePagingReads: c.doublePagingReads };
    };
    const steps = [step("after the workload ran")];
    host.hostSwapOut(hostSwap);
    steps.push(step(`host swapped ${hostSwap} random pages out`));
    ov.balloon.inflate(balloonPages);
    steps.push(step(`balloon asked for ${balloonPages} pages`));
    return { steps, swapReadNs: host.costs.swapReadNs, swapReadCycles: nsToCycles(host.costs, host.costs.swapReadNs) };
  },
);
