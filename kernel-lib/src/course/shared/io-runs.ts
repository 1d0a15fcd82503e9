/**
 * The I/O runs lessons 04–06 share: the path variants they compare, and two runs per variant,
 * a steady stream (latency, exits, cycles) and a saturated backlog (throughput), both through
 * the result cache (experiments/io-runs.ts), so notebooks 04, 05 and 06 reuse the same runs.
 */
import { ConfigError, requireInt } from "../../core/errors";
import type { IoRunConfig } from "../../io/config";
import type { IoRunResult } from "../../io/metrics";
import { measureIo } from "../../experiments/io-runs";

/**
 * The steady stream the lesson uses for latency: Poisson arrivals at 50,000 requests/s per VM,
 * well below every path's capacity, so latency shows the path's own cost, not queueing.
 */
export const IO_STEADY_RPS = 50_000;

/** Requests per VM in the lesson's runs: enough for a stable 99.9th percentile, small enough to run in milliseconds. */
export const IO_REQUESTS = 2000;

/** Payload bytes per request in the lesson's runs unless a cell passes its own: an Ethernet frame. */
export const IO_REQUEST_BYTES = 1500;

/** The parameters a notebook cell passes to the lesson's runs (shown in the cell, so prose and cell agree). */
export interface RunOptions {
  /** Seed of the arrivals (default 1). */
  seed?: number;
  /** Payload bytes per request (default {@link IO_REQUEST_BYTES}). */
  requestBytes?: number;
}

/** The path variants the lesson compares, slowest first. */
export interface IoVariant {
  /** Label on the charts, e.g. "passthrough + posted". */
  readonly label: string;
  /** The configuration that makes it (without seed and load). */
  readonly config: Omit<IoRunConfig, "seed" | "offeredLoadRps" | "arrivals" | "requestsPerVm">;
}

/** Emulated e1000, virtio, vhost, passthrough (exiting interrupts), passthrough with posted interrupts, bare metal. */
export const IO_VARIANTS: readonly IoVariant[] = [
  { label: "emulated", config: { path: "emulated", emulatedDevice: "e1000" } },
  { label: "virtio", config: { path: "virtio" } },
  { label: "vhost", config: { path: "vhost" } },
  { label: "passthrough", config: { path: "passthrough" } },
  { label: "passthrough + posted", config: { path: "passthrough", interrupts: "posted" } },
  { label: "bare-metal", config: { path: "bare-metal" } },
];

/** The variant called `label`; a ConfigError lists the labels. */
export function variantByLabel(label: string): IoVariant {
  const v = IO_VARIANTS.find((x) => x.label === label);
  if (!v) throw new ConfigError("variant", label, `one of ${IO_VARIANTS.map((x) => JSON.stringify(x.label)).join(", ")}`);
  return v;
}

/** The steady-stream run of `variant` (cached). */
export function steadyRun(variant: IoVariant, seed: number, extra: Partial<IoRunConfig> = {}, requestBytes = IO_REQUEST_BYTES): IoRunResult {
  return measureIo({ ...variant.config, seed, requestBytes, offeredLoadRps: IO_STEADY_RPS, requestsPerVm: IO_REQUESTS, ...extra });
}

/** The saturated (backlogged) run of `variant` (cached). */
export function backlogRun(variant: IoVariant, seed: number, requestBytes = IO_REQUEST_BYTES): IoRunResult {
  return measureIo({ ...variant.config, seed, requestBytes, arrivals: "backlog", requestsPerVm: IO_REQUESTS });
}

/** The seed and request size of `options`, checked. */
export function runOptions(options: RunOptions): { seed: number; requestBytes: number } {
  return { seed: options.seed ?? 1, requestBytes: requireInt("requestBytes", options.requestBytes ?? IO_REQUEST_BYTES, 1, 1 << 24) };
}

/** Saturated throughput of one variant (a backlogged sender, cached), payload Gbit/s. */
export function saturatedThroughputGbps(label: string, seed = 1): number {
  return backlogRun(variantByLabel(label), seed).throughputGbps;
}

/** The lesson's steady-stream run of one variant (cached): what notebooks 04 and 05 chart. */
export function steadyRunOf(label: string, seed = 1): IoRunResult {
  return steadyRun(variantByLabel(label), seed);
}

/** One path variant measured for the comparison charts. */
export type PathRow = {
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

/** Every variant of IO_VARIANTS: saturated throughput, and latency/exits/cycles on the steady stream. */
export function pathComparison(options: RunOptions = {}): PathRow[] {
  const { seed, requestBytes } = runOptions(options);
  const rows = IO_VARIANTS.map((v) => {
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

/** What happens when VM 0's driver aims DMA writes at VM 1's memory, with and without an IOMMU. */
export type DmaChaosRow = {
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
export function directAccessChaos(options: { seed?: number; rogueWrites?: number } = {}): DmaChaosRow[] {
  const rogueWrites = requireInt("rogueWrites", options.rogueWrites ?? 100, 1, 100_000);
  return (["off", "on"] as const).map((iommu) => {
    const r = measureIo({
      path: "passthrough",
      vmCount: 2,
      seed: options.seed ?? 1,
      requestsPerVm: 500,
      offeredLoadRps: IO_STEADY_RPS,
      iommu: iommu === "on",
      crossVmDmaAttempts: rogueWrites,
    });
    const iso = r.isolation!;
    return { iommu, rogueWrites, landedInOtherVm: iso.isolationViolations, blocked: iso.blocked, requestsCompleted: r.requestsCompleted };
  });
}
