/**
 * Notebook 04, section 2c (passthrough and the IOMMU): a device's DMA aimed at another VM's
 * memory with and without an IOMMU, and the IOTLB's reach.
 */
import { ConfigError, requireInt } from "../../core/errors";
import { formatNumber as f } from "../../core/format";
import { ioCrossVmDma } from "../../io/iommu";
import { measureIo } from "../../experiments/io-runs";
import { backlogRun, IO_REQUESTS, variantByLabel } from "../shared/io-runs";

/** The cross-VM DMA demonstration as two table rows (IOMMU on, off). */
export function crossVmDma(): { iommu: "on" | "off"; "own buffer": string; "write aimed at VM 1": string; outcome: string; detail: string }[] {
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

/** One row of the IOTLB-reach table. */
export type IotlbRow = {
  /** Size of the IOMMU pages that map guest memory, KiB (VFIO maps 2 MiB pages where it can). */
  iommuPageKiB: number;
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
 * interrupts, saturated, for several IOTLB sizes and IOMMU page sizes: with 4 KiB pages the
 * device's buffers span more pages than a small IOTLB holds and DMAs pay I/O page walks; 2 MiB
 * pages (Linux VFIO's default, figure C14) give the same IOTLB a 512× larger reach.
 */
export function iotlbReach(options: { seed?: number; iotlbEntries?: readonly number[] } = {}): IotlbRow[] {
  const seed = options.seed ?? 1;
  const bare = backlogRun(variantByLabel("bare-metal"), seed).throughputGbps;
  const sizes = options.iotlbEntries ?? [16, 64, 256];
  if (!Array.isArray(sizes) || sizes.length === 0) throw new ConfigError("iotlbEntries", sizes, "a non-empty array of IOTLB sizes from 1 to 1,048,576");
  sizes.forEach((entries, i) => requireInt(`iotlbEntries[${i}]`, entries, 1, 1 << 20));
  // Every IOTLB size with 4 KiB IOMMU pages, then the smallest with 2 MiB pages.
  const runs = [...sizes.map((entries) => [4, entries] as const), [2048, Math.min(...sizes)] as const];
  return runs.map(([pageKiB, entries]) => {
    const r = measureIo({
      path: "passthrough", interrupts: "posted", seed, arrivals: "backlog", requestsPerVm: IO_REQUESTS,
      costs: { iotlbEntries: entries, iommuPageBytes: pageKiB * 1024 },
    });
    const stats = r.iommu!;
    return {
      iommuPageKiB: pageKiB,
      iotlbEntries: entries,
      iotlbHitPercent: stats.translations === 0 ? 0 : (100 * stats.iotlbHits) / stats.translations,
      throughputGbps: r.throughputGbps,
      percentOfBareMetal: (100 * r.throughputGbps) / bare,
    };
  });
}

/** "What to notice" for the IOTLB table, from its rows: 4 KiB pages, smallest and largest IOTLB, then large pages. */
export function iotlbNotice(rows: readonly IotlbRow[]): string {
  if (rows.length === 0) throw new ConfigError("rows", rows, "rows from iotlbReach");
  const smallPages = Math.min(...rows.map((r) => r.iommuPageKiB));
  const sorted = rows.filter((r) => r.iommuPageKiB === smallPages).sort((a, b) => a.iotlbEntries - b.iotlbEntries);
  const [small, big] = [sorted[0]!, sorted[sorted.length - 1]!];
  const reaches = big.percentOfBareMetal >= 99.5;
  const large = rows.filter((r) => r.iommuPageKiB > smallPages).sort((a, b) => a.iotlbEntries - b.iotlbEntries)[0];
  const largeText = large
    ? ` Mapped with ${f(large.iommuPageKiB / 1024)} MiB IOMMU pages instead, as Linux's VFIO does by default, even ${f(large.iotlbEntries)} ` +
      `entries hit ${f(large.iotlbHitPercent)} % of DMAs (${f(large.percentOfBareMetal)} % of bare metal): the same reach fix as large pages in the CPU's TLB.`
    : "";
  return (
    `**What to notice:** with ${f(smallPages)} KiB IOMMU pages and ${f(small.iotlbEntries)} IOTLB entries ${f(small.iotlbHitPercent)} % of DMAs hit and the VM gets ` +
    `${f(small.percentOfBareMetal)} % of bare-metal throughput; with ${f(big.iotlbEntries)} entries ${f(big.iotlbHitPercent)} % hit and it ` +
    `gets ${f(big.percentOfBareMetal)} %${reaches ? ", as good as bare metal" : ""}.` + largeText
  );
}
