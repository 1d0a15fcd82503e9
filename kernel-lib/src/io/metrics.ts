/**
 * What a run reports, and the statistics helpers behind it (percentiles, latency CDF rows).
 */
import { ConfigError } from "../core/errors";
import type { VmExitCause, VmExitTally } from "../hypervisor/vm-exit";
import type { IoPath, IoResolvedConfig } from "./config";
import type { IommuFault, IommuStats, IoDmaOutcome } from "./iommu";
import type { VirtqueueLayout, VirtqueueStats } from "./virtqueue";

/** Latency statistics of the completed requests, in µs (arrival to completion seen by the guest). */
export interface IoLatencySummary {
  /** Mean latency. */
  readonly meanUs: number;
  /** Median. */
  readonly p50Us: number;
  /** 90th percentile. */
  readonly p90Us: number;
  /** 99th percentile: the tail a latency-sensitive user (a trading system) cares about. */
  readonly p99Us: number;
  /** 99.9th percentile. */
  readonly p999Us: number;
  /** Largest latency seen. */
  readonly maxUs: number;
}

/** CPU cycles per completed request, split by where they went (see meter.ts). */
export interface IoCyclesPerRequest {
  /** Guest (or bare-metal OS) work. */
  readonly guest: number;
  /** World switches (VM exit + entry, user-space switches). */
  readonly exit: number;
  /** Hypervisor and host work: exit handling, device emulation, back end, host stack, injection. */
  readonly deviceModel: number;
  /** CPU copies of payload. */
  readonly copy: number;
  /** Sum of the four. */
  readonly total: number;
}

/** One resource of the run: who used it and how busy it was. */
export interface IoResourceUse {
  /** What it is, e.g. "vCPU of VM 0", "physical link", "IOMMU". */
  readonly resource: string;
  /** "cpu" (a vCPU or host thread), "device" (the link) or "iommu". */
  readonly kind: "cpu" | "device" | "iommu";
  /** How many VMs' requests went through it. */
  readonly usedByVms: number;
  /** True when more than one VM used it: the contention the hypervisor arbitrates. */
  readonly shared: boolean;
  /** Busy time / run time (0..1); for the IOMMU, translations per request instead. */
  readonly utilization: number;
}

/** One request's life, when `traceRequests` is on. */
export interface IoRequestRecord {
  /** Request id (VM v's k-th request is v · requestsPerVm + k). */
  readonly id: number;
  /** The VM that sent it. */
  readonly vm: number;
  /** Arrival time in ns, or null if it had not arrived when the run stopped. */
  readonly arrivalNs: number | null;
  /** Completion time in ns, or null if not completed. */
  readonly completionNs: number | null;
  /** Where it ended up. */
  readonly state: IoRequestState;
}

/** Where a request is: not yet arrived, waiting in the guest, at the device side, or done. */
export type IoRequestState = "not-arrived" | "queued-in-guest" | "in-flight" | "completed";

/** What happened to DMA isolation during a passthrough run. */
export interface IoIsolationReport {
  /** Was the IOMMU on? */
  readonly iommuEnabled: boolean;
  /** Cross-VM DMA writes attempted (config.crossVmDmaAttempts). */
  readonly crossVmDmaAttempts: number;
  /** How many the IOMMU blocked. */
  readonly blocked: number;
  /** How many landed in memory that was not the device owner's. */
  readonly isolationViolations: number;
  /** The IOMMU's fault log (blocked DMAs). */
  readonly faults: readonly IommuFault[];
  /** The first cross-VM attempt's outcome, for a notebook to show; null if none. */
  readonly firstAttempt: IoDmaOutcome | null;
}

/** Everything one run measured. Plain data: JSON.stringify gives the same text for the same seed. */
export interface IoRunResult {
  /** The configuration actually used (defaults filled in, costs resolved). */
  readonly config: IoResolvedConfig;
  /** The path simulated. */
  readonly path: IoPath;
  /** Requests that arrived (were submitted by the guest's application). */
  readonly requestsSubmitted: number;
  /** Requests completed. */
  readonly requestsCompleted: number;
  /** Requests still waiting in the guest's queue when the run stopped. */
  readonly requestsQueuedInGuest: number;
  /** Requests posted to the device side but not completed when the run stopped. */
  readonly requestsInFlight: number;
  /** Simulated time the run covered, ns. */
  readonly durationNs: number;
  /** Completed requests per second of simulated time. */
  readonly throughputRps: number;
  /** Payload throughput in Gbit/s. */
  readonly throughputGbps: number;
  /** Latency statistics. */
  readonly latency: IoLatencySummary;
  /** Every completed request's latency in µs, in completion order (for percentile charts). */
  readonly latenciesUs: readonly number[];
  /** Exits in total and per completed request. */
  readonly exitsTotal: number;
  /** VM exits per completed request. */
  readonly exitsPerRequest: number;
  /** Exits per completed request, by cause. */
  readonly exitsPerRequestByCause: Partial<Record<VmExitCause, number>>;
  /** The shared VM-exit tally of the run (counts and cycles by cause). */
  readonly exitTally: VmExitTally;
  /** CPU cycles per completed request by category. */
  readonly cyclesPerRequest: IoCyclesPerRequest;
  /** Interrupts delivered to the guests, per completed request. */
  readonly interruptsPerRequest: number;
  /** Doorbells/kicks rung, per completed request. */
  readonly doorbellsPerRequest: number;
  /** Virtqueue layout and counters summed over the VMs (virtio paths), else null. */
  readonly virtqueue: { readonly layout: VirtqueueLayout; readonly stats: VirtqueueStats } | null;
  /** IOMMU counters (passthrough with IOMMU), else null. */
  readonly iommu: IommuStats | null;
  /** Isolation report (passthrough), else null. */
  readonly isolation: IoIsolationReport | null;
  /** The resources of the run and which were shared between VMs. */
  readonly resources: readonly IoResourceUse[];
  /** Names of the resources more than one VM used. */
  readonly sharedResources: readonly string[];
  /** Per-request log when `traceRequests` was on, else null. */
  readonly requestLog: readonly IoRequestRecord[] | null;
  /** One line of final statistics, OSTEP style. */
  readonly summary: string;
}

/**
 * The p-th percentile (0 < p ≤ 100) of `samples` by the nearest-rank method: the smallest
 * sample at or below which at least p% of the samples lie. 0 for an empty sample.
 */
export function ioPercentile(samples: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new ConfigError("percentile", p, "a number above 0 and at most 100");
  if (samples.length === 0) return 0;
  const sorted = Float64Array.from(samples).sort();
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Summarizes latencies given in µs. */
export function ioLatencySummary(latenciesUs: readonly number[]): IoLatencySummary {
  const n = latenciesUs.length;
  if (n === 0) return { meanUs: 0, p50Us: 0, p90Us: 0, p99Us: 0, p999Us: 0, maxUs: 0 };
  const sorted = Float64Array.from(latenciesUs).sort();
  const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * n) - 1)]!;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  return { meanUs: sum / n, p50Us: at(50), p90Us: at(90), p99Us: at(99), p999Us: at(99.9), maxUs: sorted[n - 1]! };
}

/** One point of a latency distribution chart. */
export interface IoLatencyCdfRow {
  /** The run's path. */
  readonly path: IoPath;
  /** Percentile (0–100]. */
  readonly percentile: number;
  /** Latency at that percentile, µs. */
  readonly latencyUs: number;
}

/**
 * Rows for a latency-percentile chart of one or more runs: for each run, the latency at each
 * of `percentiles` (default 1, 5, 10, …, 95, 99, 99.9). Chart with x = percentile,
 * y = latencyUs, color = path.
 */
export function ioLatencyCdfRows(
  results: readonly IoRunResult[],
  percentiles: readonly number[] = [1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.9],
): IoLatencyCdfRow[] {
  const rows: IoLatencyCdfRow[] = [];
  for (const result of results) {
    const sorted = Float64Array.from(result.latenciesUs).sort();
    for (const p of percentiles) {
      if (!(p > 0 && p <= 100)) throw new ConfigError("percentiles", p, "numbers above 0 and at most 100");
      const latencyUs = sorted.length === 0 ? 0 : sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
      rows.push({ path: result.path, percentile: p, latencyUs });
    }
  }
  return rows;
}
