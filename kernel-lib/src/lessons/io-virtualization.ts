/**
 * Lesson helpers of notebook 04 (I/O virtualization: Ava and Virtuopolis).
 *
 * Each function runs the I/O simulation (io/run.ts) for one claim of the story and returns
 * tidy rows for a table or chart, or a markdown sentence whose numbers come from those rows.
 * Keeping the runs here keeps the notebook cells to a few lines and puts the logic where the
 * unit tests can check it. Pure and browser-safe: no display, no Node modules.
 */
import { ConfigError, requireInt } from "../core/errors";
import { formatNumber } from "../display/bundle";
import { defaultIoCosts, ioCostSources, type IoCosts } from "../costs/io";
import { IO_EMULATED_DEVICES, type IoEmulatedDevice, type IoPath, type IoRunConfig } from "../io/config";
import { IO_EMULATED_DEVICE_MODELS } from "../io/emulated";
import { ioCrossVmDma } from "../io/iommu";
import type { IoRunResult } from "../io/metrics";
import { runIo } from "../io/run";
import { virtqueueLayout, VIRTQUEUE_SUPPRESSION_MODES } from "../io/virtqueue";

/**
 * The steady stream the lesson uses for latency: Poisson arrivals at 50,000 requests/s per VM,
 * well below every path's capacity, so latency shows the path's own cost, not queueing.
 */
export const IO_LESSON_STEADY_RPS = 50_000;

/** Requests per VM in the lesson's runs: enough for a stable 99.9th percentile, small enough to run in milliseconds. */
export const IO_LESSON_REQUESTS = 2000;

/** The path variants the lesson compares, slowest first. */
export interface IoLessonVariant {
  /** Label on the charts, e.g. "passthrough + posted". */
  readonly label: string;
  /** The configuration that makes it (without seed and load). */
  readonly config: Omit<IoRunConfig, "seed" | "offeredLoadRps" | "arrivals" | "requestsPerVm">;
}

/** Emulated e1000, virtio, vhost, passthrough (exiting interrupts), passthrough with posted interrupts, bare metal. */
export const IO_LESSON_VARIANTS: readonly IoLessonVariant[] = [
  { label: "emulated", config: { path: "emulated", emulatedDevice: "e1000" } },
  { label: "virtio", config: { path: "virtio" } },
  { label: "vhost", config: { path: "vhost" } },
  { label: "passthrough", config: { path: "passthrough" } },
  { label: "passthrough + posted", config: { path: "passthrough", interrupts: "posted" } },
  { label: "bare-metal", config: { path: "bare-metal" } },
];

function variantByLabel(label: string): IoLessonVariant {
  const v = IO_LESSON_VARIANTS.find((x) => x.label === label);
  if (!v) throw new ConfigError("variant", label, `one of ${IO_LESSON_VARIANTS.map((x) => JSON.stringify(x.label)).join(", ")}`);
  return v;
}

/**
 * Runs are deterministic, and several charts of notebooks 04 and 05 need the same ones (the
 * comparison, the percentiles, the cycle breakdown), so the last few are kept: a notebook's
 * Run All must stay under 10 seconds. Results are treated as read-only.
 */
const runCache = new Map<string, IoRunResult>();
const RUN_CACHE_SIZE = 48;

function cachedRun(config: IoRunConfig): IoRunResult {
  const key = JSON.stringify(config);
  let result = runCache.get(key);
  if (result === undefined) {
    result = runIo(config);
    if (runCache.size >= RUN_CACHE_SIZE) runCache.delete(runCache.keys().next().value!);
    runCache.set(key, result);
  }
  return result;
}

function steadyRun(variant: IoLessonVariant, seed: number, extra: Partial<IoRunConfig> = {}): IoRunResult {
  return cachedRun({ ...variant.config, seed, offeredLoadRps: IO_LESSON_STEADY_RPS, requestsPerVm: IO_LESSON_REQUESTS, ...extra });
}

function backlogRun(variant: IoLessonVariant, seed: number): IoRunResult {
  return cachedRun({ ...variant.config, seed, arrivals: "backlog", requestsPerVm: IO_LESSON_REQUESTS });
}

/** Saturated throughput of one variant (a backlogged sender, cached), payload Gbit/s. */
export function ioLessonThroughputGbps(label: string, seed = 1): number {
  return backlogRun(variantByLabel(label), seed).throughputGbps;
}

/** The lesson's steady-stream run of one variant (cached): what notebooks 04 and 05 chart. */
export function ioLessonSteadyRun(label: string, seed = 1): IoRunResult {
  return steadyRun(variantByLabel(label), seed);
}

// ---- section 1: the traffic jam -------------------------------------------------------------

/** One row of the traffic-jam table: several VMs on one device. */
export type IoLessonJamRow = {
  /** VMs sharing the device. */
  vms: number;
  /** Payload Gbit/s each VM got. */
  perVmThroughputGbps: number;
  /** Payload Gbit/s of all VMs together. */
  totalThroughputGbps: number;
  /** Mean request latency, µs. */
  meanLatencyUs: number;
  /** 99th-percentile latency, µs. */
  p99LatencyUs: number;
  /** How busy the shared host back end was, % of the run (0 on paths without one). */
  backendBusyPercent: number;
  /** How busy the physical link was, %. */
  linkBusyPercent: number;
};

/**
 * The traffic jam: `vmCounts` VMs share one device through `path`; each VM offers
 * `offeredLoadRpsPerVm` requests/s (default 70,000, which one VM's share of the emulated back
 * end handles easily and eight VMs together do not).
 */
export function ioLessonTrafficJam(options: { path?: IoPath; vmCounts?: readonly number[]; seed?: number; offeredLoadRpsPerVm?: number; requestsPerVm?: number } = {}): IoLessonJamRow[] {
  const vmCounts = options.vmCounts ?? [1, 2, 4, 8];
  if (!Array.isArray(vmCounts) || vmCounts.length === 0) throw new ConfigError("vmCounts", vmCounts, "a non-empty array of VM counts from 1 to 64");
  return vmCounts.map((vms, i) => {
    requireInt(`vmCounts[${i}]`, vms, 1, 64);
    const r = runIo({
      path: options.path ?? "emulated",
      vmCount: vms,
      seed: options.seed ?? 1,
      offeredLoadRps: options.offeredLoadRpsPerVm ?? 70_000,
      requestsPerVm: options.requestsPerVm ?? 300,
    });
    const busy = (kind: "backend" | "link") => {
      const use = r.resources.find((x) => (kind === "link" ? x.resource === "physical link" : x.kind === "cpu" && x.usedByVms === vms && !x.resource.startsWith("vCPU")));
      return use ? 100 * use.utilization : 0;
    };
    return {
      vms,
      perVmThroughputGbps: r.throughputGbps / vms,
      totalThroughputGbps: r.throughputGbps,
      meanLatencyUs: r.latency.meanUs,
      p99LatencyUs: r.latency.p99Us,
      backendBusyPercent: busy("backend"),
      linkBusyPercent: busy("link"),
    };
  });
}

/** What happens when VM 0's driver aims DMA writes at VM 1's memory, with and without an IOMMU. */
export type IoLessonDmaChaosRow = {
  /** "off" (no one checks the device) or "on". */
  iommu: "on" | "off";
  /** Rogue DMA writes VM 0's device made during the run. */
  rogueWrites: number;
  /** How many landed in VM 1's memory. */
  landedInOtherVm: number;
  /** How many the IOMMU blocked. */
  blocked: number;
  /** Requests of ordinary traffic that still completed. */
  requestsCompleted: number;
};

/**
 * Devices programmed directly by the VMs: two VMs with passthrough devices, VM 0's driver
 * misbehaving (`rogueWrites` DMA writes aimed at VM 1), once with no IOMMU, once with it.
 */
export function ioLessonDirectAccessChaos(options: { seed?: number; rogueWrites?: number } = {}): IoLessonDmaChaosRow[] {
  const rogueWrites = requireInt("rogueWrites", options.rogueWrites ?? 100, 1, 100_000);
  return (["off", "on"] as const).map((iommu) => {
    const r = runIo({
      path: "passthrough",
      vmCount: 2,
      seed: options.seed ?? 1,
      requestsPerVm: 500,
      offeredLoadRps: IO_LESSON_STEADY_RPS,
      iommu: iommu === "on",
      crossVmDmaAttempts: rogueWrites,
    });
    const iso = r.isolation!;
    return { iommu, rogueWrites, landedInOtherVm: iso.isolationViolations, blocked: iso.blocked, requestsCompleted: r.requestsCompleted };
  });
}

// ---- section 2a: emulation --------------------------------------------------------------------

/** Per emulated device: the registers its driver touches, each access a trap. */
export function ioLessonRegisterAccesses(): Record<string, string | number>[] {
  return IO_EMULATED_DEVICES.map((device) => {
    const m = IO_EMULATED_DEVICE_MODELS[device];
    const kind = m.perRequest[0]!.cause === "mmio" ? "MMIO" : "port I/O";
    return {
      device,
      registers: kind,
      "accesses per request": m.perRequest.length,
      "per request": m.perRequest.map((a) => a.register).join(", "),
      "accesses per interrupt": m.perInterrupt.length,
      "per interrupt": m.perInterrupt.map((a) => a.register).join(", "),
      "requests at once": m.queueDepth ?? "ring",
    };
  });
}

/** One bar of the exit breakdown: exits per request of one cause on one device. */
export type IoLessonExitRow = {
  /** Emulated device (or path label). */
  device: string;
  /** Exit cause: mmio, pio, interrupt, eoi, virtio-notify. */
  cause: string;
  /** Exits of that cause per completed request. */
  exitsPerRequest: number;
};

/** Exits per request by cause for each emulated device on the steady stream. */
export function ioLessonExitBreakdown(options: { seed?: number; devices?: readonly IoEmulatedDevice[] } = {}): IoLessonExitRow[] {
  const rows: IoLessonExitRow[] = [];
  for (const device of options.devices ?? IO_EMULATED_DEVICES) {
    const r = steadyRun({ label: device, config: { path: "emulated", emulatedDevice: device } }, options.seed ?? 1);
    for (const cause of ["mmio", "pio", "interrupt", "eoi"] as const) {
      rows.push({ device, cause, exitsPerRequest: r.exitsPerRequestByCause[cause] ?? 0 });
    }
  }
  return rows;
}

// ---- section 2b: virtio ------------------------------------------------------------------------

/** Byte sizes of a split virtqueue for each queue size (C8). */
export function ioLessonVirtqueueLayouts(queueSizes: readonly number[] = [16, 256, 1024]): Record<string, number>[] {
  return queueSizes.map((q) => {
    const l = virtqueueLayout(q);
    return {
      "queue size Q": l.queueSize,
      "descriptor table (16·Q B)": l.descriptorTableBytes,
      "available ring (6+2·Q B)": l.availableRingBytes,
      "used ring (6+8·Q B)": l.usedRingBytes,
      "total (B)": l.totalBytes,
    };
  });
}

/** One point of the batching chart. */
export type IoLessonBatchRow = {
  /** Most requests posted per kick. */
  batchSize: number;
  /** Notification suppression: "none", "flags" or "event-idx". */
  suppression: string;
  /** VM exits per request. */
  exitsPerRequest: number;
  /** Kicks per request. */
  kicksPerRequest: number;
  /** Payload Gbit/s. */
  throughputGbps: number;
};

/**
 * virtio with a saturating sender: exits per request as the batch size grows, for each
 * notification-suppression mode. "none" shows pure batching; "flags" and "event-idx" show the
 * host telling the guest not to kick while it is already busy.
 */
export function ioLessonBatchingSweep(options: { batchSizes?: readonly number[]; seed?: number; path?: "virtio" | "vhost" } = {}): IoLessonBatchRow[] {
  const batchSizes = options.batchSizes ?? [1, 4, 16, 64];
  const rows: IoLessonBatchRow[] = [];
  for (const suppression of VIRTQUEUE_SUPPRESSION_MODES) {
    for (const batchSize of batchSizes) {
      const r = runIo({
        path: options.path ?? "virtio",
        seed: options.seed ?? 1,
        arrivals: "backlog",
        requestsPerVm: 1000,
        batchSize,
        notificationSuppression: suppression,
      });
      rows.push({ batchSize, suppression, exitsPerRequest: r.exitsPerRequest, kicksPerRequest: r.doorbellsPerRequest, throughputGbps: r.throughputGbps });
    }
  }
  return rows;
}

// ---- section 2c: passthrough and the IOMMU ------------------------------------------------------

/** The cross-VM DMA demonstration as two table rows (IOMMU on, off). */
export function ioLessonCrossVmDma(): { iommu: "on" | "off"; "own buffer": string; "write aimed at VM 1": string; outcome: string; detail: string }[] {
  return ([true, false] as const).map((on) => {
    const r = ioCrossVmDma({ iommu: on });
    const own = r.ownBuffer.blocked ? "blocked" : `lands in ${whose(r.ownBuffer.touchedMemoryOf)}`;
    const cross = r.crossVm;
    const outcome = cross.blocked ? "blocked" : `written into ${whose(cross.touchedMemoryOf)}`;
    const detail = cross.blocked
      ? `IOMMU fault "${cross.fault!.reason}" at address 0x${cross.programmedAddress.toString(16)}`
      : `${cross.isolationViolated ? "isolation broken: " : ""}host-physical 0x${cross.hostPhysicalAddress!.toString(16)} belongs to ${whose(cross.touchedMemoryOf)}`;
    return { iommu: on ? "on" : "off", "own buffer": own, "write aimed at VM 1": outcome, outcome, detail };
  });
}

function whose(owner: number | "host" | null): string {
  return owner === null ? "nobody" : owner === "host" ? "the host" : `VM ${owner}'s memory`;
}

// ---- section 3: the paths compared ---------------------------------------------------------------

/** One path variant measured for the comparison charts. */
export type IoLessonPathRow = {
  /** Variant label. */
  path: string;
  /** Saturated throughput, payload Gbit/s (backlogged sender). */
  throughputGbps: number;
  /** Throughput as % of bare metal. */
  percentOfBareMetal: number;
  /** Steady stream: mean latency µs. */
  meanLatencyUs: number;
  /** Steady stream: median latency µs. */
  p50LatencyUs: number;
  /** Steady stream: 99th percentile µs. */
  p99LatencyUs: number;
  /** Steady stream: VM exits per request. */
  exitsPerRequest: number;
  /** Steady stream: CPU cycles per request (guest + exits + host). */
  cyclesPerRequest: number;
};

/** Every variant of IO_LESSON_VARIANTS: saturated throughput, and latency/exits/cycles on the steady stream. */
export function ioLessonPathComparison(options: { seed?: number } = {}): IoLessonPathRow[] {
  const seed = options.seed ?? 1;
  const rows = IO_LESSON_VARIANTS.map((v) => {
    const sat = backlogRun(v, seed);
    const steady = steadyRun(v, seed);
    return {
      path: v.label,
      throughputGbps: sat.throughputGbps,
      percentOfBareMetal: 0,
      meanLatencyUs: steady.latency.meanUs,
      p50LatencyUs: steady.latency.p50Us,
      p99LatencyUs: steady.latency.p99Us,
      exitsPerRequest: steady.exitsPerRequest,
      cyclesPerRequest: steady.cyclesPerRequest.total,
    };
  });
  const bare = rows.find((r) => r.path === "bare-metal")!.throughputGbps;
  for (const r of rows) r.percentOfBareMetal = (100 * r.throughputGbps) / bare;
  return rows;
}

function rowOf(rows: readonly IoLessonPathRow[], label: string): IoLessonPathRow {
  const r = rows.find((x) => x.path === label);
  if (!r) throw new ConfigError("rows", label, "rows from ioLessonPathComparison (every variant present)");
  return r;
}

/** "What to notice" for the comparison charts, with the numbers from `rows`. */
export function ioLessonPathSummary(rows: readonly IoLessonPathRow[]): string {
  const emu = rowOf(rows, "emulated"), vio = rowOf(rows, "virtio"), vh = rowOf(rows, "vhost");
  const pt = rowOf(rows, "passthrough"), posted = rowOf(rows, "passthrough + posted"), bare = rowOf(rows, "bare-metal");
  const f = formatNumber;
  return (
    `**What to notice:** an emulated e1000 moves ${f(emu.throughputGbps)} Gbit/s (${f(emu.percentOfBareMetal)} % of bare metal) ` +
    `and costs ${f(emu.exitsPerRequest)} exits and ${f(emu.cyclesPerRequest)} CPU cycles per request; its mean latency is ` +
    `${f(emu.meanLatencyUs / bare.meanLatencyUs)}× bare metal's (${f(emu.meanLatencyUs)} µs vs ${f(bare.meanLatencyUs)} µs). ` +
    `virtio reaches ${f(vio.percentOfBareMetal)} % of bare-metal throughput, vhost ${f(vh.percentOfBareMetal)} %, passthrough ${f(pt.percentOfBareMetal)} %. ` +
    `Passthrough still pays ${f(pt.exitsPerRequest)} exits per request — all of them interrupts and EOIs — and its mean latency is ` +
    `${f(pt.meanLatencyUs)} µs. With posted (exit-less) interrupts that drops to ${f(posted.exitsPerRequest)} exits and ${f(posted.meanLatencyUs)} µs, ` +
    `within ${f(100 * (posted.meanLatencyUs / bare.meanLatencyUs - 1))} % of bare metal.`
  );
}

/** One row of the IOTLB-reach table. */
export type IoLessonIotlbRow = {
  /** IOTLB entries of the IOMMU. */
  iotlbEntries: number;
  /** Share of DMAs whose translation the IOTLB already held, %. */
  iotlbHitPercent: number;
  /** Saturated throughput, payload Gbit/s. */
  throughputGbps: number;
  /** Throughput as % of bare metal. */
  percentOfBareMetal: number;
};

/**
 * The IOMMU is an MMU for devices, with a TLB of its own (the IOTLB). Passthrough with posted
 * interrupts, saturated, for several IOTLB sizes: when the device's buffers span more pages
 * than the IOTLB holds, every DMA pays an I/O page walk.
 */
export function ioLessonIotlbReach(options: { seed?: number; iotlbEntries?: readonly number[] } = {}): IoLessonIotlbRow[] {
  const seed = options.seed ?? 1;
  const bare = backlogRun(variantByLabel("bare-metal"), seed).throughputGbps;
  return (options.iotlbEntries ?? [16, 64, 256]).map((entries, i) => {
    requireInt(`iotlbEntries[${i}]`, entries, 1, 1 << 20);
    const r = runIo({ path: "passthrough", interrupts: "posted", seed, arrivals: "backlog", requestsPerVm: IO_LESSON_REQUESTS, costs: { iotlbEntries: entries } });
    const stats = r.iommu!;
    return {
      iotlbEntries: entries,
      iotlbHitPercent: stats.translations === 0 ? 0 : (100 * stats.iotlbHits) / stats.translations,
      throughputGbps: r.throughputGbps,
      percentOfBareMetal: (100 * r.throughputGbps) / bare,
    };
  });
}

/** Cost constants with their values and cited sources, for a table. */
export function ioLessonCostSources(names: readonly (keyof IoCosts)[] = Object.keys(defaultIoCosts) as (keyof IoCosts)[]): { constant: string; value: number; source: string }[] {
  return names.map((name) => {
    if (!(name in defaultIoCosts)) throw new ConfigError("names", name, `IoCosts names: ${Object.keys(defaultIoCosts).join(", ")}`);
    return { constant: name, value: defaultIoCosts[name], source: ioCostSources[name] };
  });
}

/** The trade-off table: what each path gives up and keeps, with its measured latency and exits. */
export function ioLessonTradeoffTable(rows: readonly IoLessonPathRow[]): Record<string, string | number>[] {
  const qualities: Record<string, [string, string, string]> = {
    emulated: ["any OS, unmodified driver", "yes (all state in software)", "every access trapped and checked"],
    virtio: ["a virtio driver (in every modern OS)", "yes", "hypervisor checks every ring entry"],
    vhost: ["a virtio driver", "yes", "host kernel checks every ring entry"],
    passthrough: ["the real device's driver", "hard (device state in hardware)", "IOMMU checks every DMA"],
    "passthrough + posted": ["the real device's driver", "hard", "IOMMU + interrupt remapping"],
    "bare-metal": ["the real device's driver", "no VM to move", "none between programs and device"],
  };
  return rows.map((r) => {
    const [driver, migration, isolation] = qualities[r.path] ?? ["?", "?", "?"];
    return {
      path: r.path,
      "guest needs": driver,
      "live migration": migration,
      "isolation by": isolation,
      "mean latency (µs)": r.meanLatencyUs,
      "exits / request": r.exitsPerRequest,
    };
  });
}

// ---- what-if: latency percentiles ---------------------------------------------------------------

/** One bar of the percentile chart. */
export type IoLessonPercentileRow = {
  /** Variant label. */
  path: string;
  /** "p50", "p99", "p99.9". */
  percentile: string;
  /** Latency at that percentile, µs. */
  latencyUs: number;
};

/** Latency percentiles of every variant on the steady stream. */
export function ioLessonLatencyPercentiles(options: { seed?: number; percentiles?: readonly number[]; variants?: readonly string[] } = {}): IoLessonPercentileRow[] {
  const percentiles = options.percentiles ?? [50, 99, 99.9];
  const rows: IoLessonPercentileRow[] = [];
  for (const label of options.variants ?? IO_LESSON_VARIANTS.map((v) => v.label)) {
    const r = steadyRun(variantByLabel(label), options.seed ?? 1);
    const sorted = Float64Array.from(r.latenciesUs).sort();
    for (const p of percentiles) {
      if (!(p > 0 && p <= 100)) throw new ConfigError("percentiles", p, "numbers above 0 and at most 100");
      rows.push({ path: label, percentile: `p${p}`, latencyUs: sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]! });
    }
  }
  return rows;
}

/** "What to notice" for the percentile chart. */
export function ioLessonTailSummary(rows: readonly IoLessonPercentileRow[]): string {
  const at = (path: string, p: string) => {
    const r = rows.find((x) => x.path === path && x.percentile === p);
    if (!r) throw new ConfigError("rows", `${path} ${p}`, "rows from ioLessonLatencyPercentiles with that path and percentile");
    return r.latencyUs;
  };
  const f = formatNumber;
  const tail = rows.some((r) => r.percentile === "p99.9") ? "p99.9" : "p99";
  return (
    `**What to notice:** at the ${tail} tail an emulated NIC takes ${f(at("emulated", tail))} µs, virtio ${f(at("virtio", tail))} µs, ` +
    `vhost ${f(at("vhost", tail))} µs, passthrough with posted interrupts ${f(at("passthrough + posted", tail))} µs and bare metal ` +
    `${f(at("bare-metal", tail))} µs. The gap between the median and the tail grows on the software paths: requests ` +
    `queue behind exits and the shared back end. For a trading system that difference — every request, all day — is the whole business.`
  );
}
