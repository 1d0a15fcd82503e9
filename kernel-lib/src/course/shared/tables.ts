/**
 * Readable column headers for the lesson tables of notebooks 04–06.
 *
 * The helpers return rows with camelCase keys (easy to use in code and charts: `r.p99LatencyUs`);
 * a table for students should say "p99 latency (µs)". `lessonTable` renames the known keys and
 * leaves any other key as it is.
 */
import type { Row } from "../../charts/builders";
import { TRANSLATION_SHARE } from "./whole-program";

/** Header text for the row keys the lesson helpers use, with units. */
export const LESSON_COLUMN_LABELS: Readonly<Record<string, string>> = Object.freeze({
  vms: "VMs",
  path: "path",
  perVmThroughputGbps: "per-VM throughput (Gbit/s)",
  totalThroughputGbps: "total throughput (Gbit/s)",
  throughputGbps: "throughput (Gbit/s)",
  percentOfBareMetal: "% of bare metal",
  meanLatencyUs: "mean latency (µs)",
  p50LatencyUs: "p50 latency (µs)",
  p99LatencyUs: "p99 latency (µs)",
  backendBusyPercent: "back end busy (%)",
  linkBusyPercent: "link busy (%)",
  exitsPerRequest: "VM exits / request",
  cyclesPerRequest: "CPU cycles / request",
  iommuPageKiB: "IOMMU page (KiB)",
  iotlbEntries: "IOTLB entries",
  iotlbHitPercent: "IOTLB hits (%)",
  iommu: "IOMMU",
  rogueWrites: "rogue DMA writes",
  landedInOtherVm: "landed in VM 1",
  blocked: "blocked",
  requestsCompleted: "requests completed",
  workload: "workload",
  mode: "mode",
  cyclesPerAccess: "cycles / access",
  overheadPercent: "overhead vs native (%)",
  slowdown: "cost (× no virtualization)",
  wholeProgram: `whole program (×, translation ${TRANSLATION_SHARE.value * 100} % of its time)`,
  tlbPageKiB: "TLB entry covers (KiB)",
  vmExitsPerThousand: "VM exits / 1000 accesses",
  walkReferences: "memory reads / walk",
  tlbHitPercent: "TLB hits (%)",
  tlbReachKiB: "TLB reach (KiB)",
  shadowPaging: "shadow model",
  costs: "exit costs",
  b6Slowdown: "B6 measured (× native)",
});

/** Rows with their keys renamed by LESSON_COLUMN_LABELS (unknown keys kept), for showTable. */
export function lessonTable(rows: readonly Row[]): Record<string, unknown>[] {
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(row)) out[LESSON_COLUMN_LABELS[key] ?? key] = value;
    return out;
  });
}
