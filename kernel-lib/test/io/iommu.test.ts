import { describe, expect, it } from "vitest";
import { Iommu, ioCrossVmDma } from "../../src/io/iommu";
import { runIo } from "../../src/io/run";
import { defaultIoCosts } from "../../src/costs/io";

describe("IOMMU isolation", () => {
  it("blocks a DMA from VM 0's device into VM 1's memory and reports it as a fault", () => {
    const report = ioCrossVmDma();
    expect(report.ownBuffer).toMatchObject({ blocked: false, touchedMemoryOf: 0, isolationViolated: false });
    expect(report.crossVm.blocked).toBe(true);
    expect(report.crossVm.isolationViolated).toBe(false);
    expect(report.crossVm.fault).toMatchObject({ deviceId: "vf0", deviceOwnerVm: 0, access: "write", reason: "not-mapped" });
  });

  it("without an IOMMU the same DMA lands in VM 1's memory", () => {
    const report = ioCrossVmDma({ iommu: false });
    expect(report.crossVm).toMatchObject({ blocked: false, touchedMemoryOf: 1, isolationViolated: true, fault: null });
  });

  it("reports blocked cross-VM DMA during a passthrough run, and violations when the IOMMU is off", () => {
    const on = runIo({ path: "passthrough", vmCount: 2, requestsPerVm: 200, crossVmDmaAttempts: 5 });
    expect(on.isolation).toMatchObject({ iommuEnabled: true, crossVmDmaAttempts: 5, blocked: 5, isolationViolations: 0 });
    expect(on.isolation!.faults).toHaveLength(5);
    expect(on.iommu!.faults).toBe(5);
    expect(on.requestsCompleted).toBe(400); // the guests' own traffic is unaffected
    const off = runIo({ path: "passthrough", vmCount: 2, requestsPerVm: 200, crossVmDmaAttempts: 5, iommu: false });
    expect(off.isolation).toMatchObject({ iommuEnabled: false, blocked: 0, isolationViolations: 5 });
    expect(off.isolation!.firstAttempt!.touchedMemoryOf).toBe(1);
  });

  it("translates within a domain, caches in the IOTLB, and checks write permission", () => {
    const iommu = new Iommu(defaultIoCosts);
    iommu.attach("nic", 3);
    iommu.map("nic", 0, 0x40000000, 8192, true);
    iommu.map("nic", 8192, 0x50000000, 4096, false);
    const first = iommu.translate("nic", 0x1010, 16, "write");
    expect(first).toMatchObject({ ok: true, hostPhysicalAddress: 0x40001010, iotlbHit: false, costNs: defaultIoCosts.iommuWalkNs });
    expect(iommu.translate("nic", 0x1020, 16, "read")).toMatchObject({ ok: true, iotlbHit: true, costNs: defaultIoCosts.iotlbHitNs });
    expect(iommu.translate("nic", 8192, 4, "read")).toMatchObject({ ok: true, hostPhysicalAddress: 0x50000000 });
    const ro = iommu.translate("nic", 8192, 4, "write");
    expect(ro.ok).toBe(false);
    if (!ro.ok) expect(ro.fault.reason).toBe("read-only");
    const none = iommu.translate("other", 0, 4, "read");
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.fault.reason).toBe("no-domain");
    expect(iommu.stats).toMatchObject({ translations: 5, faults: 2 });
  });

  it("maps aligned ranges with large pages (one IOTLB entry per 2 MiB) and the rest with 4 KiB pages", () => {
    const iommu = new Iommu({ ...defaultIoCosts, iotlbEntries: 4 });
    iommu.attach("vf", 0);
    iommu.map("vf", 0, 0x4000_0000, 4 * 1024 * 1024);
    iommu.map("vf", 4 * 1024 * 1024, 0x5000_1000, 8192);
    // 64 buffers of 16 KiB in the first 2 MiB page: one walk, then hits, despite a 4-entry IOTLB.
    let walks = 0;
    for (let i = 0; i < 64; i++) {
      const t = iommu.translate("vf", i * 16384, 16384, "read");
      expect(t.ok).toBe(true);
      if (t.ok) walks += t.walks;
    }
    expect(walks).toBe(1);
    // A DMA across the large mapping's end into the 4 KiB one: a lookup per page of each.
    const across = iommu.translate("vf", 4 * 1024 * 1024 - 100, 200, "read");
    expect(across).toMatchObject({ ok: true, hostPhysicalAddress: 0x4000_0000 + 4 * 1024 * 1024 - 100 });
    if (across.ok) expect(across.walks).toBe(2);
    expect(iommu.translate("vf", 4 * 1024 * 1024 + 8192, 4, "read").ok).toBe(false);
    // With 4 KiB IOMMU pages (VFIO's disable_hugepages) the same buffers need a walk each.
    const small = new Iommu({ ...defaultIoCosts, iotlbEntries: 4, iommuPageBytes: 4096 });
    small.attach("vf", 0);
    small.map("vf", 0, 0x4000_0000, 4 * 1024 * 1024);
    let smallWalks = 0;
    for (let i = 0; i < 64; i++) {
      const t = small.translate("vf", i * 16384, 16384, "read");
      if (t.ok) smallWalks += t.walks;
    }
    expect(smallWalks).toBe(256);
  });
});
