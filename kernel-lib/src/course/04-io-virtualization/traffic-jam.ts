/**
 * Notebook 04, section 1 (the traffic jam): several VMs sharing one physical network card. Each
 * VM has its own device back end in the hypervisor (a QEMU I/O thread per device, as KVM runs
 * them), so the road they all share is the card's link: past its capacity, requests queue.
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
  /** How busy the busiest VM's own host back end was, % of the run (0 on paths without one). */
  backendBusyPercent: number;
  /** How busy the shared physical link was, %. */
  linkBusyPercent: number;
};

/**
 * The traffic jam: `vmCounts` VMs share one network card through `path`; each VM offers
 * `offeredLoadRpsPerVm` requests/s (default 70,000 of 1,500 bytes, about 0.8 Gbit/s: a 10 Gbit/s
 * link carries a dozen such VMs, not sixteen).
 */
export function trafficJam(options: { path?: IoPath; vmCounts?: readonly number[]; seed?: number; offeredLoadRpsPerVm?: number; requestsPerVm?: number } = {}): JamRow[] {
  const vmCounts = options.vmCounts ?? [1, 4, 8, 16];
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
    const link = r.resources.find((x) => x.resource === "physical link");
    const backEnds = r.resources.filter((x) => x.kind === "cpu" && !x.resource.startsWith("vCPU"));
    return {
      vms,
      perVmThroughputGbps: r.throughputGbps / vms,
      totalThroughputGbps: r.throughputGbps,
      meanLatencyUs: r.latency.meanUs,
      p99LatencyUs: r.latency.p99Us,
      backendBusyPercent: 100 * Math.max(0, ...backEnds.map((x) => x.utilization)),
      linkBusyPercent: link ? 100 * link.utilization : 0,
    };
  });
}
