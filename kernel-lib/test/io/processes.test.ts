// Regression tests of the I/O run as processes (guest-driver.ts, backend.ts, device.ts,
// completion.ts over run-state.ts). When runIo was split into processes a fast-check property
// test compared 1,500 random configurations field by field with the old single closure (commit
// "io: runIo as processes ..."); these pinned results keep that behaviour from drifting
// unnoticed. A deliberate model change updates them, and says so in its commit (last: issue 15,
// per-VM back ends, 2 MiB IOMMU pages, NIC interrupt moderation).
import { describe, expect, it } from "vitest";
import { runIo } from "../../src/io/run";
import type { IoRunConfig } from "../../src/io/config";

// config → [durationNs, exits, interrupts, doorbells, mean latency µs, CPU cycles per request]
const PINNED: readonly [IoRunConfig, readonly number[]][] = [
  [{"path":"emulated","seed":3,"vmCount":2,"requestsPerVm":300,"offeredLoadRps":150000}, [3373027.4873581994,2605,401,600,694.8767944014348,41435.92]],
  [{"path":"emulated","seed":4,"emulatedDevice":"lance","deviceModelIn":"kernel","arrivals":"backlog","requestsPerVm":200}, [3201200.0000000005,2400,200,200,1613.1533333333336,55893]],
  [{"path":"virtio","seed":5,"vmCount":3,"requestsPerVm":300,"requestBytes":512,"offeredLoadRps":300000,"notificationSuppression":"flags"}, [1055938.3869060334,492,230,32,49.74091642155552,13640.56]],
  [{"path":"vhost","seed":6,"arrivals":"backlog","requestsPerVm":400,"batchSize":8,"descriptorsPerRequest":2}, [837262.2666666647,20,9,2,515.2502663333345,8233.835]],
  [{"path":"passthrough","seed":7,"vmCount":2,"requestsPerVm":300,"requestBytes":16384,"crossVmDmaAttempts":3}, [7885147.639621744,1200,600,589,2390.176796915745,9752.333333333334]],
  [{"path":"passthrough","seed":8,"interrupts":"posted","arrivals":"backlog","requestsPerVm":400,"requestBytes":64}, [335003.7333333334,0,14,13,187.44398266666664,2459]],
  [{"path":"bare-metal","seed":9,"requestsPerVm":300,"offeredLoadRps":50000}, [5476332.7227576105,0,285,299,4.831854712423386,4024.3333333333335]],
];

describe("runIo's processes", () => {
  it("reproduce the pinned results of every path", () => {
    for (const [config, expected] of PINNED) {
      const r = runIo(config);
      const got = [
        r.durationNs,
        r.exitsTotal,
        Math.round(r.interruptsPerRequest * r.requestsCompleted),
        Math.round(r.doorbellsPerRequest * r.requestsCompleted),
        r.latency.meanUs,
        r.cyclesPerRequest.total,
      ];
      expect(got, JSON.stringify(config)).toEqual(expected);
      expect(r.requestsCompleted).toBe(config.vmCount === undefined ? config.requestsPerVm : config.vmCount * config.requestsPerVm!);
    }
  });

  it("block every rogue DMA of a passthrough run with the IOMMU on, and let them through with it off", () => {
    const on = runIo({ path: "passthrough", vmCount: 2, requestsPerVm: 50, crossVmDmaAttempts: 4 }).isolation!;
    expect([on.blocked, on.isolationViolations, on.faults.length]).toEqual([4, 0, 4]);
    expect(on.firstAttempt?.fault?.reason).toBe("not-mapped");
    const off = runIo({ path: "passthrough", vmCount: 2, requestsPerVm: 50, crossVmDmaAttempts: 4, iommu: false }).isolation!;
    expect([off.blocked, off.isolationViolations]).toEqual([0, 4]);
    expect(off.firstAttempt?.touchedMemoryOf).toBe(1);
  });
});
