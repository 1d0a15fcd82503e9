/**
 * Exit-less interrupts (ELI, C3) in the model, at the kind of workload the paper measured.
 *
 * ELI's gains show only where interrupts cost the guest throughput: a guest whose one vCPU is
 * the bottleneck (netperf, Apache, memcached in the paper) and whose core takes interrupts at
 * the rate C3 reports even with coalescing (over 150K/s, the NIC's moderation in
 * costs.deviceInterruptIntervalNs). The model's workload: one VM, a saturating sender of
 * 512-byte packets (small enough that the vCPU, not the 10 Gbit/s link, limits bare metal),
 * one doorbell per packet as the paper's 2012 guest drivers rang it (no xmit_more batching).
 * The interrupt costs are the cited ones (B7, B10, B11): nothing here is fitted to the answer.
 */
import type { IoRunConfig } from "./config";
import { runIo } from "./run";

/** The workload of the ELI comparison (the path and interrupt delivery are set per run). */
export const IO_ELI_WORKLOAD: Omit<IoRunConfig, "path"> = Object.freeze({
  vmCount: 1,
  arrivals: "backlog",
  requestBytes: 512,
  batchSize: 1,
  requestsPerVm: 3000,
  seed: 11,
});

/** What the ELI paper reports (C3): its band for the speedup and for bare-metal shares. */
export const IO_ELI_PAPER = Object.freeze({
  /** Throughput and latency improvement of ELI over plain device assignment. */
  speedup: [1.3, 1.6] as const,
  /** ELI's share of bare-metal performance, percent. */
  eliPercentOfBareMetal: [97, 100] as const,
  /** Plain device assignment's share of bare metal, percent ([V2] in C3). */
  passthroughPercentOfBareMetal: [60, 65] as const,
});

/** The model's figures for the ELI comparison. */
export interface IoEliComparison {
  /** The workload run (IO_ELI_WORKLOAD with any overrides). */
  readonly workload: Omit<IoRunConfig, "path">;
  /** Bare-metal throughput, Gbit/s. */
  readonly bareMetalGbps: number;
  /** Passthrough with exiting interrupts (plain device assignment), Gbit/s. */
  readonly passthroughGbps: number;
  /** Passthrough with posted (exit-less) interrupts, Gbit/s. */
  readonly eliGbps: number;
  /** Plain passthrough as a percentage of bare metal. */
  readonly passthroughPercentOfBareMetal: number;
  /** ELI as a percentage of bare metal. */
  readonly eliPercentOfBareMetal: number;
  /** ELI throughput / plain passthrough throughput. */
  readonly eliSpeedup: number;
  /** Interrupts per second the plain passthrough guest's core takes. */
  readonly passthroughInterruptsPerSecond: number;
}

/** Runs bare metal, plain passthrough and ELI on the ELI workload (overridable) and compares them. */
export function ioEliComparison(overrides: Partial<Omit<IoRunConfig, "path">> = {}): IoEliComparison {
  const workload = { ...IO_ELI_WORKLOAD, ...overrides };
  const bare = runIo({ ...workload, path: "bare-metal" });
  const plain = runIo({ ...workload, path: "passthrough", interrupts: "exiting" });
  const eli = runIo({ ...workload, path: "passthrough", interrupts: "posted" });
  return {
    workload,
    bareMetalGbps: bare.throughputGbps,
    passthroughGbps: plain.throughputGbps,
    eliGbps: eli.throughputGbps,
    passthroughPercentOfBareMetal: (100 * plain.throughputGbps) / bare.throughputGbps,
    eliPercentOfBareMetal: (100 * eli.throughputGbps) / bare.throughputGbps,
    eliSpeedup: eli.throughputGbps / plain.throughputGbps,
    passthroughInterruptsPerSecond: plain.interruptsPerRequest * plain.throughputRps,
  };
}
