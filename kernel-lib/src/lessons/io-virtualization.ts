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
import { ioPathsRows, type IoPathsParams } from "../playgrounds/io-paths";

/**
 * The steady stream the lesson uses for latency: Poisson arrivals at 50,000 requests/s per VM,
 * well below every path's capacity, so latency shows the path's own cost, not queueing.
 */
export const IO_LESSON_STEADY_RPS = 50_000;

/** Requests per VM in the lesson's runs: enough for a stable 99.9th percentile, small enough to run in milliseconds. */
export const IO_LESSON_REQUESTS = 2000;

/** Payload bytes per request in the lesson's runs unless a cell passes its own: an Ethernet frame. */
export const IO_LESSON_REQUEST_BYTES = 1500;

/** The parameters a notebook cell passes to the lesson's runs (shown in the cell, so prose and cell agree). */
export interface IoLessonRunOptions {
  /** Seed of the arrivals (default 1). */
  seed?: number;
  /** Payload bytes per request (default {@link IO_LESSON_REQUEST_BYTES}). */
  requestBytes?: number;
}

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

function steadyRun(variant: IoLessonVariant, seed: number, extra: Partial<IoRunConfig> = {}, requestBytes = IO_LESSON_REQUEST_BYTES): IoRunResult {
  return cachedRun({ ...variant.config, seed, requestBytes, offeredLoadRps: IO_LESSON_STEADY_RPS, requestsPerVm: IO_LESSON_REQUESTS, ...extra });
}

function backlogRun(variant: IoLessonVariant, seed: number, requestBytes = IO_LESSON_REQUEST_BYTES): IoRunResult {
  return cachedRun({ ...variant.config, seed, requestBytes, arrivals: "backlog", requestsPerVm: IO_LESSON_REQUESTS });
}

function runOptions(options: IoLessonRunOptions): { seed: number; requestBytes: number } {
  return { seed: options.seed ?? 1, requestBytes: requireInt("requestBytes", options.requestBytes ?? IO_LESSON_REQUEST_BYTES, 1, 1 << 24) };
}

const f = formatNumber;

/** "a 4.24 > b 2.63 ≈ c 2.63 …": rows ranked by value; "=" for equal values, "≈" when only the shown digits agree. */
function ranking(entries: readonly { label: string; value: number }[], order: "up" | "down", unit = ""): string {
  const sorted = [...entries].sort((a, b) => (order === "up" ? a.value - b.value : b.value - a.value));
  return sorted
    .map((e, i) => {
      const shown = `${e.label} ${f(e.value)}`;
      if (i === 0) return shown;
      const prev = sorted[i - 1]!.value;
      const sign = e.value === prev ? "=" : f(e.value) === f(prev) ? "≈" : order === "up" ? "<" : ">";
      return `${sign} ${shown}`;
    })
    .join(" ") + unit;
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

/**
 * What one VM exit costs in the I/O cost model (costs/io.ts, every constant cited there), as
 * markdown: the world switch, the extra switch to a user-space device model, a register access
 * handled by QEMU in all, and a register write on real hardware for comparison.
 */
export function ioLessonExitCostNotice(): string {
  const c = defaultIoCosts;
  const us = (cycles: number) => f(cycles / (c.cpuClockGhz * 1000));
  const toUser = c.vmExitCycles + c.userSpaceSwitchCycles + c.kernelExitHandlingCycles + c.deviceModelRegisterCycles;
  return (
    `**What one trap costs in the simulator's model** (at ${f(c.cpuClockGhz)} GHz; sources in section 3): leaving the guest and ` +
    `entering it again costs ${f(c.vmExitCycles)} cycles (${us(c.vmExitCycles)} µs). A register access that QEMU's device model ` +
    `handles in user space adds a switch to user space (${f(c.userSpaceSwitchCycles)} cycles), KVM's own handling ` +
    `(${f(c.kernelExitHandlingCycles)}) and the device model's work (${f(c.deviceModelRegisterCycles)}): ${f(toUser)} cycles ` +
    `(${us(toUser)} µs) in all. On real hardware the same register write costs about ${f(c.doorbellWriteCycles)} cycles ` +
    `(the model's assumption for an uncached write to a PCIe device).`
  );
}

/**
 * "What to notice" for the emulated-device exit chart: per device, the exits of register
 * accesses (trapped, most of them handed to the user-space device model) and of the interrupt
 * and its EOI (handled by KVM's in-kernel APIC, never reaching QEMU), from the chart's rows and
 * the devices' register lists.
 */
export function ioLessonEmulatedExitsNotice(rows: readonly IoLessonExitRow[]): string {
  const devices = [...new Set(rows.map((r) => r.device))];
  const parts = devices.map((device) => {
    const of = (cause: string) => rows.find((r) => r.device === device && r.cause === cause)?.exitsPerRequest ?? 0;
    const registers = of("mmio") + of("pio");
    const irq = of("interrupt") + of("eoi");
    const m = IO_EMULATED_DEVICE_MODELS[device as IoEmulatedDevice];
    // Interrupts exit once each in these runs, so the "interrupt" rate is the interrupts per request.
    const inKernel = m ? m.perRequest.filter((a) => a.handledIn === "kernel").length + of("interrupt") * m.perInterrupt.filter((a) => a.handledIn === "kernel").length : 0;
    const kind = m ? (m.perRequest[0]!.cause === "mmio" ? "MMIO" : "port I/O") : "register";
    return { device, total: registers + irq, registers, irq, inKernel, kind };
  });
  const list = parts.map((p) => `${p.device} ${f(p.total)}`).join(", ");
  const regs = parts.map((p) => `${p.device} ${f(p.registers)} (${p.kind})`).join(", ");
  const irqs = parts.map((p) => `${p.device} ${f(p.irq)}`).join(", ");
  const kernelOnly = parts.filter((p) => p.inKernel > 0).map((p) => `${p.device}'s ${f(p.inKernel)}`);
  return (
    `**What to notice:** on the steady stream the emulated devices cost ${list} exits per request. They are not all alike. ` +
    `The **register accesses** (${regs}) trap into KVM, which hands them to QEMU's device model in user space: a world switch ` +
    `into the hypervisor and out to a user-space process and back` +
    (kernelOnly.length ? `, except ${kernelOnly.join(", ")} address-port accesses, which the hypervisor's kernel part answers itself (C1)` : "") +
    `. The **interrupt and its EOI** (${irqs}) are exits too, but KVM's in-kernel APIC handles them without ever reaching QEMU. ` +
    `The register protocols were designed for real silicon, where a register access is cheap, not for a trap.`
  );
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
  /** Interrupts taken per request. */
  interruptsPerRequest: number;
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
      rows.push({ batchSize, suppression, exitsPerRequest: r.exitsPerRequest, kicksPerRequest: r.doorbellsPerRequest, interruptsPerRequest: r.interruptsPerRequest, throughputGbps: r.throughputGbps });
    }
  }
  return rows;
}

/** "What to notice" for the batching chart, from its rows (a saturated sender). */
export function ioLessonBatchingNotice(rows: readonly IoLessonBatchRow[]): string {
  const series = (mode: string) => rows.filter((r) => r.suppression === mode).sort((a, b) => a.batchSize - b.batchSize);
  const none = series("none"), flags = series("flags"), idx = series("event-idx");
  if (none.length === 0 || idx.length === 0) throw new ConfigError("rows", rows.length, "rows from ioLessonBatchingSweep with the modes none and event-idx");
  const [first, last] = [none[0]!, none[none.length - 1]!];
  const span = (s: readonly IoLessonBatchRow[]) => {
    const lo = Math.min(...s.map((r) => r.exitsPerRequest)), hi = Math.max(...s.map((r) => r.exitsPerRequest));
    return f(lo) === f(hi) ? `${f(lo)} exits per request at every batch size` : `${f(s[0]!.exitsPerRequest)} to ${f(s[s.length - 1]!.exitsPerRequest)} exits per request`;
  };
  return (
    `**What to notice** (a saturated sender: the guest always has requests waiting): without suppression, batches of ` +
    `${first.batchSize} cost ${f(first.exitsPerRequest)} exits per request (per request: ${f(first.kicksPerRequest)} kick, ` +
    `${f(first.interruptsPerRequest)} interrupt, each interrupt followed by an EOI exit); batches of ` +
    `${last.batchSize} bring it to ${f(last.exitsPerRequest)}. ` +
    (flags.length ? `With \`flags\` the busy host turns kicks off: ${span(flags)}. ` : "") +
    `With \`event-idx\` it asks only for the kick it needs: ${span(idx)}. ` +
    `**vhost** moves the virtio back end from the QEMU process into the host kernel (Linux \`drivers/vhost/\`): no switch to ` +
    `user space, and, as a copy of the linux-kvm.org vhost page puts it, "up to four system calls per packet" fewer ` +
    `(C7, reported by a secondary source). Compare its CPU cost in section 3.`
  );
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
export function ioLessonPathComparison(options: IoLessonRunOptions = {}): IoLessonPathRow[] {
  const { seed, requestBytes } = runOptions(options);
  const rows = IO_LESSON_VARIANTS.map((v) => {
    const sat = backlogRun(v, seed, requestBytes);
    const steady = steadyRun(v, seed, {}, requestBytes);
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

/**
 * The two runs behind section 3, as markdown: which run each number comes from (a saturated
 * backlog for throughput; a steady stream for latency, exits and cycles), with its parameters.
 */
export function ioLessonRunsDescription(options: IoLessonRunOptions = {}): string {
  const { seed, requestBytes } = runOptions(options);
  const capacity = Math.min(...IO_LESSON_VARIANTS.map((v) => backlogRun(v, seed, requestBytes).throughputRps));
  return (
    `**Two runs per path** (one VM, one ${f(defaultIoCosts.linkGbps)} Gbit/s NIC, ${f(requestBytes)}-byte requests, seed ${seed}):\n` +
    `- **saturated**: a backlog of ${f(IO_LESSON_REQUESTS)} requests, sent as fast as the path allows → the *throughput* chart;\n` +
    `- **steady stream**: ${f(IO_LESSON_REQUESTS)} requests arriving at random (Poisson), ${f(IO_LESSON_STEADY_RPS)} per second on ` +
    `average (${f((100 * IO_LESSON_STEADY_RPS) / capacity)} % of the slowest path's capacity), so queues stay short and most ` +
    `requests travel on their own → the *latency*, *VM exits* and *CPU cycles* per request.`
  );
}

/** A caption for the comparison table that names its parameters and runs. */
export function ioLessonRunsCaption(options: IoLessonRunOptions = {}): string {
  const { requestBytes } = runOptions(options);
  return `One VM, one ${f(defaultIoCosts.linkGbps)} Gbit/s NIC, ${f(requestBytes)}-byte requests (simulated): throughput from the saturated run, the rest from the steady stream`;
}

/** One bar segment of the exits-by-cause chart. */
export type IoLessonExitCauseRow = {
  /** Variant label. */
  path: string;
  /** Exit cause: mmio, pio, virtio-notify, interrupt, eoi. */
  cause: string;
  /** Exits of that cause per request on the steady stream. */
  exitsPerRequest: number;
};

const EXIT_CAUSE_ORDER = ["mmio", "pio", "virtio-notify", "interrupt", "eoi"];

/** Exits per request by cause for every variant on the steady stream (causes no path has are left out). */
export function ioLessonExitCauses(options: IoLessonRunOptions = {}): IoLessonExitCauseRow[] {
  const { seed, requestBytes } = runOptions(options);
  const runs = IO_LESSON_VARIANTS.map((v) => ({ path: v.label, r: steadyRun(v, seed, {}, requestBytes) }));
  const seen = new Set(runs.flatMap(({ r }) => Object.entries(r.exitsPerRequestByCause).filter(([, n]) => (n ?? 0) > 0).map(([c]) => c)));
  const causes = [...EXIT_CAUSE_ORDER.filter((c) => seen.has(c)), ...[...seen].filter((c) => !EXIT_CAUSE_ORDER.includes(c)).sort()];
  return runs.flatMap(({ path, r }) => causes.map((cause) => ({ path, cause, exitsPerRequest: r.exitsPerRequestByCause[cause as keyof typeof r.exitsPerRequestByCause] ?? 0 })));
}

/**
 * "What to notice" for the exits chart: the steady stream's exits by kind, then the same paths in
 * the saturated run, where queued requests share kicks and interrupts, and whether the two runs
 * rank the paths the same way. A ranking of exits per request means something only with its run.
 */
export function ioLessonExitRunsNotice(rows: readonly IoLessonExitCauseRow[], options: IoLessonRunOptions = {}): string {
  const { seed, requestBytes } = runOptions(options);
  const paths = [...new Set(rows.map((r) => r.path))];
  const steady = paths.map((path) => ({ label: path, value: rows.filter((r) => r.path === path).reduce((s, r) => s + r.exitsPerRequest, 0) }));
  const irqOf = (path: string) => rows.filter((r) => r.path === path && (r.cause === "interrupt" || r.cause === "eoi")).reduce((s, r) => s + r.exitsPerRequest, 0);
  const sat = paths.map((path) => ({ label: path, value: backlogRun(variantByLabel(path), seed, requestBytes).exitsPerRequest }));
  const vio = backlogRun(variantByLabel("virtio"), seed, requestBytes);
  const order = (xs: typeof steady) => [...xs].sort((a, b) => b.value - a.value).map((x) => x.label).join();
  const withIrq = steady.filter((s) => s.value > 0 && irqOf(s.label) > 0).map((s) => `${f(irqOf(s.label))} of ${s.label}'s ${f(s.value)}`);
  const listed = withIrq.length > 1 ? `${withIrq.slice(0, -1).join(", ")} and ${withIrq[withIrq.length - 1]}` : withIrq.join("");
  return (
    `**What to notice:** these exits come from the **steady stream**. On it, interrupts and their EOIs make up ${listed || "none"} ` +
    `exits per request. The **saturated** run of the throughput chart counts differently: with a backlog, ` +
    `virtio kicks ${f(vio.doorbellsPerRequest)} times and takes ${f(vio.interruptsPerRequest)} interrupts per request, because queued ` +
    `requests share them. Ranked by exits per request, most first:\n` +
    `- steady stream: ${ranking(steady, "down")};\n` +
    `- saturated run: ${ranking(sat, "down")}.\n\n` +
    (order(steady) === order(sat) ? `The two runs rank the paths the same way, with different counts.` : `The two runs rank the paths **differently**.`) +
    ` So "which path exits most" needs its run named: notebook 01's hook measured a saturated run.`
  );
}

/** "What to notice" for the comparison charts, with the numbers from `rows`; says which run each number comes from. */
export function ioLessonPathSummary(rows: readonly IoLessonPathRow[]): string {
  const emu = rowOf(rows, "emulated"), pt = rowOf(rows, "passthrough"), posted = rowOf(rows, "passthrough + posted"), bare = rowOf(rows, "bare-metal");
  const sameThroughput = Math.abs(posted.throughputGbps - pt.throughputGbps) <= 0.02 * posted.throughputGbps;
  const over = 100 * (posted.meanLatencyUs / bare.meanLatencyUs - 1);
  return (
    `**What to notice.** *Throughput* (saturated run), lowest first: ${ranking(rows.map((r) => ({ label: r.path, value: r.throughputGbps })), "up", " Gbit/s")}; ` +
    `the emulated e1000 gets ${f(emu.percentOfBareMetal)} % of bare metal, passthrough ${f(pt.percentOfBareMetal)} %. ` +
    `*Steady stream*: the emulated e1000 costs ${f(emu.exitsPerRequest)} exits and ${f(emu.cyclesPerRequest)} CPU cycles per request, and its mean ` +
    `latency is ${f(emu.meanLatencyUs / bare.meanLatencyUs)}× bare metal's (${f(emu.meanLatencyUs)} µs vs ${f(bare.meanLatencyUs)} µs). ` +
    `Passthrough answers in ${f(pt.meanLatencyUs)} µs with exiting interrupts and ${f(posted.meanLatencyUs)} µs with posted (exit-less) ones, ` +
    `${f(Math.abs(over))} % ${over >= 0 ? "above" : "below"} bare metal. ` +
    (sameThroughput
      ? `Posted interrupts barely change passthrough's throughput here (${f(pt.throughputGbps)} vs ${f(posted.throughputGbps)} Gbit/s): the vCPU ` +
        `has time to spare, so the interrupt exits cost latency and CPU cycles (${f(pt.cyclesPerRequest)} vs ${f(posted.cyclesPerRequest)} per request) instead.`
      : `Posted interrupts take passthrough's throughput from ${f(pt.throughputGbps)} to ${f(posted.throughputGbps)} Gbit/s and its CPU cost from ` +
        `${f(pt.cyclesPerRequest)} to ${f(posted.cyclesPerRequest)} cycles per request.`)
  );
}

/**
 * The story's "slight latency", checked: mean latency of every path over bare metal's (steady
 * stream), and which paths stay within 10 % of it, which are twice it or more.
 */
export function ioLessonSlightLatencyVerdict(rows: readonly IoLessonPathRow[]): string {
  const bare = rowOf(rows, "bare-metal").meanLatencyUs;
  const ratios = rows.filter((r) => r.path !== "bare-metal").map((r) => ({ path: r.path, x: r.meanLatencyUs / bare }));
  const group = (test: (x: number) => boolean) => ratios.filter((r) => test(r.x)).map((r) => r.path);
  const slight = group((x) => x <= 1.1), between = group((x) => x > 1.1 && x < 2), far = group((x) => x >= 2);
  const say = (names: string[], what: string) => (names.length ? `${what}: ${names.join(", ")}. ` : "");
  return (
    `**"Slight latency", measured.** Mean latency on the steady stream, × bare metal: ` +
    `${ratios.map((r) => `${r.path} ${f(r.x)}×`).join(", ")}. ` +
    (slight.length ? say(slight, "Within 10 % of bare metal, *slight* by any standard") : "No virtualized path stays within 10 % of bare metal here. ") +
    say(between, "Between 1.1× and 2×") +
    say(far, "Twice bare metal or more, not slight at all")
  ).trim();
}

/**
 * "What to notice" under the io-paths playground, from the same (cached) rows it draws: whether
 * every path keeps up with the offered load, and the spread of latency and exits.
 */
export function ioLessonPlaygroundNotice(params: IoPathsParams): string {
  const rows = ioPathsRows(params);
  const offered = (params.offeredLoadKrps * 1000 * params.requestBytes * 8 * params.vmCount) / 1e9;
  // The paths that keep up all carry the same (random) arrivals; a path carrying clearly less has fallen behind.
  const best = Math.max(...rows.map((r) => r.throughputGbps));
  const behind = rows.filter((r) => r.throughputGbps < 0.95 * best);
  const byLatency = [...rows].sort((a, b) => a.meanLatencyUs - b.meanLatencyUs);
  const byExits = [...rows].sort((a, b) => a.exitsPerRequest - b.exitsPerRequest);
  const lo = byLatency[0]!, hi = byLatency[byLatency.length - 1]!;
  return (
    `**What to notice** (${f(params.requestBytes)}-byte requests, ${f(params.offeredLoadKrps)}k requests/s offered per VM, ` +
    `${params.vmCount} VM${params.vmCount > 1 ? "s" : ""}: ${f(offered)} Gbit/s offered in all): ` +
    (behind.length === 0
      ? `every path carries the same ${f(best)} Gbit/s, so throughput does not separate the paths at this load; latency and exits do. `
      : `${behind.map((r) => `${r.path} carries only ${f(r.throughputGbps)} Gbit/s`).join(", ")} (the others ${f(best)}): past its capacity ` +
        `a path falls behind, requests queue and its latency climbs. `) +
    `Mean latency runs from ${f(lo.meanLatencyUs)} µs (${lo.path}) to ${f(hi.meanLatencyUs)} µs (${hi.path}); exits per request from ` +
    `${f(byExits[0]!.exitsPerRequest)} (${byExits[0]!.path}) to ${f(byExits[byExits.length - 1]!.exitsPerRequest)} (${byExits[byExits.length - 1]!.path}). ` +
    `Arrivals here are random (Poisson) at the offered load, as in the steady stream above, not a backlog.`
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

/** "What to notice" for the IOTLB table, from its rows (smallest and largest IOTLB). */
export function ioLessonIotlbNotice(rows: readonly IoLessonIotlbRow[]): string {
  if (rows.length === 0) throw new ConfigError("rows", rows, "rows from ioLessonIotlbReach");
  const sorted = [...rows].sort((a, b) => a.iotlbEntries - b.iotlbEntries);
  const [small, big] = [sorted[0]!, sorted[sorted.length - 1]!];
  const reaches = big.percentOfBareMetal >= 99.5;
  return (
    `**What to notice:** with ${f(small.iotlbEntries)} IOTLB entries ${f(small.iotlbHitPercent)} % of DMAs hit and the VM gets ` +
    `${f(small.percentOfBareMetal)} % of bare-metal throughput; with ${f(big.iotlbEntries)} entries ${f(big.iotlbHitPercent)} % hit and it ` +
    `gets ${f(big.percentOfBareMetal)} %${reaches ? ", as good as bare metal" : ""}. ` +
    `Real systems also map guest memory with large IOMMU pages, for the same reason as large pages in the CPU's MMU.`
  );
}

/**
 * How each figure of docs/virtualization-figures.md was checked, for the figures cited by the
 * cost constants and the lessons: "V" in the primary source, "V2" seen only in a secondary source
 * quoting it, "D" derived, "R" recalled (not to be cited). Figures with mixed parts take the
 * weakest tag of the part the code or a lesson uses.
 */
export const FIGURE_CHECKS: Readonly<Record<string, "V" | "V2" | "D" | "R">> = Object.freeze({
  A1: "V", A4: "V2", A8: "D", A9: "V", A12: "V", A16: "V",
  B1: "V", B2: "V", B3: "V", B4: "V", B5: "V", B6: "V2", B7: "V", B8: "V", B10: "V2", B11: "V2", B12: "V2", B13: "V",
  C1: "V", C2: "V", C3: "V", C4: "V2", C5: "V", C6: "V", C7: "V2", C8: "V", C9: "V2", C10: "V",
  D1: "V", D2: "V", D4: "V", D5: "V2", D10: "V",
});

function howChecked(source: string): string {
  const ids = [...source.matchAll(/\[([A-D]\d{1,2})\]/g)].map((m) => m[1]!);
  if (ids.length === 0) return /^Assumption/.test(source) ? "assumption of the model" : "—";
  const levels: string[] = ids.map((id) => FIGURE_CHECKS[id] ?? "?");
  if (levels.includes("R") || levels.includes("?")) return "not checked: do not cite";
  if (levels.includes("V2")) return "reported by a secondary source (V2)";
  return levels.includes("D") || /derived/i.test(source) ? "derived from checked figures" : "checked in the primary source";
}

/** Cost constants with their values, cited sources and how far each cited figure was checked, for a table. */
export function ioLessonCostSources(names: readonly (keyof IoCosts)[] = Object.keys(defaultIoCosts) as (keyof IoCosts)[]): { constant: string; value: number; source: string; checked: string }[] {
  return names.map((name) => {
    if (!(name in defaultIoCosts)) throw new ConfigError("names", name, `IoCosts names: ${Object.keys(defaultIoCosts).join(", ")}`);
    return { constant: name, value: defaultIoCosts[name], source: ioCostSources[name], checked: howChecked(ioCostSources[name]) };
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
      "mean latency (µs, steady)": r.meanLatencyUs,
      "exits / request (steady)": r.exitsPerRequest,
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
  const tail = rows.some((r) => r.percentile === "p99.9") ? "p99.9" : "p99";
  const hasMedian = rows.some((r) => r.percentile === "p50");
  const gap = (path: string) => at(path, tail) - at(path, "p50");
  return (
    `**What to notice** (steady stream): at the ${tail} tail an emulated NIC takes ${f(at("emulated", tail))} µs, virtio ${f(at("virtio", tail))} µs, ` +
    `vhost ${f(at("vhost", tail))} µs, passthrough with posted interrupts ${f(at("passthrough + posted", tail))} µs and bare metal ` +
    `${f(at("bare-metal", tail))} µs. ` +
    (hasMedian
      ? `From the median to the tail, latency grows by ${f(gap("emulated"))} µs on the emulated NIC, ${f(gap("vhost"))} µs on vhost and ` +
        `${f(gap("bare-metal"))} µs on bare metal: requests that arrive close together queue behind each other's exits and the shared back end. `
      : "") +
    `For a trading system that difference, on every request all day, is the whole business.`
  );
}
