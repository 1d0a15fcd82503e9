// The usage examples of src/io/DESIGN.md, run as tests so the documentation cannot drift.
import { describe, expect, it } from "vitest";
import { runIo } from "../../src/io/run";
import { sweepIo } from "../../src/io/sweep";
import { ioCrossVmDma } from "../../src/io/iommu";
import { ioLatencyCdfRows } from "../../src/io/metrics";

describe("DESIGN.md usage examples", () => {
  it("one run, a load sweep, the cross-VM DMA and a batch sweep", () => {
    const r = runIo({ path: "virtio", offeredLoadRps: 200_000, seed: 7 });
    expect(r.summary).toMatch(/^virtio: 2000\/2000 requests of 1500 B/);
    expect(r.exitsPerRequestByCause["virtio-notify"]).toBeGreaterThan(0);
    expect(Object.keys(r.cyclesPerRequest)).toEqual(["guest", "exit", "deviceModel", "copy", "total"]);

    const rows = sweepIo({ parameter: "loadFraction", values: [0.2, 0.5, 0.8, 0.95], base: { requestsPerVm: 1000 } });
    expect(rows).toHaveLength(5 * 4);
    expect(Object.keys(rows[0]!)).toEqual(expect.arrayContaining(["path", "value", "throughputRps", "p50LatencyUs", "p99LatencyUs", "exitsPerRequest", "cyclesPerRequest"]));

    const dma = ioCrossVmDma();
    expect(dma.crossVm.blocked).toBe(true);
    expect(dma.crossVm.fault!.reason).toBe("not-mapped");

    const batch = sweepIo({
      paths: ["virtio"],
      parameter: "batchSize",
      values: [1, 4, 16, 64],
      base: { arrivals: "backlog", notificationSuppression: "none", requestsPerVm: 1000 },
    });
    expect(batch[3]!.exitsPerRequest).toBeLessThan(batch[0]!.exitsPerRequest);

    expect(ioLatencyCdfRows([r]).length).toBe(14);
  });

  it("with 4 KiB IOMMU pages a bigger IOTLB raises the hit rate and passthrough throughput; 2 MiB pages (VFIO's default, C14) need neither", () => {
    const run = (iotlbEntries: number, iommuPageBytes: number) =>
      runIo({ path: "passthrough", interrupts: "posted", arrivals: "backlog", requestsPerVm: 2000, costs: { iotlbEntries, iommuPageBytes } });
    const small = run(16, 4096), big = run(512, 4096);
    expect(big.iommu!.iotlbHits).toBeGreaterThan(small.iommu!.iotlbHits);
    expect(big.throughputRps).toBeGreaterThan(small.throughputRps);
    const large = run(16, 2 * 1024 * 1024);
    expect(large.iommu!.iotlbMisses).toBe(1); // one 2 MiB page holds every buffer of the ring
    expect(large.throughputRps).toBeGreaterThanOrEqual(big.throughputRps);
  });
});
