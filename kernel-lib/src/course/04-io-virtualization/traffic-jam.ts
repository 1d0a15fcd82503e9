/**
 * Notebook 04, section 1 (the traffic jam): several VMs sharing one device through one path.
 * The chaos of devices programmed directly by the VMs is shared with notebook 06
 * (shared/io-runs.ts `directAccessChaos`).
 */
import { ConfigError, requireInt } from "../../core/errors";
import type { IoPath } from "../../io/config";
import { measureIo } from "../../experiments/io-runs";

/** One row of the traffic-jam table: several VMs on one device. */
export type JamRow = {
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
export function trafficJam(options: { path?: IoPath; vmCounts?: readonly number[]; seed?: number; offeredLoadRpsPerVm?: number; requestsPerVm?: number } = {}): JamRow[] {
  const vmCounts = options.vmCounts ?? [1, 2, 4, 8];
  if (!Array.isArray(vmCounts) || vmCounts.length === 0) throw new ConfigError("vmCounts", vmCounts, "a non-empty array of VM counts from 1 to 64");
  return vmCounts.map((vms, i) => {
    requireInt(`vmCounts[${i}]`, vms, 1, 64);
    const r = measureIo({
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
