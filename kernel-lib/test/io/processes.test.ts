// Regression tests of the I/O run as processes (guest-driver.ts, backend.ts, device.ts,
// completion.ts over run-state.ts). When runIo was split into processes a fast-check property
// test compared 1,500 random configurations field by field with the old single closure (commit
// "io: runIo as processes ..."); these pinned results keep that behaviour from drifting
// unnoticed. A deliberate model change updates them, and says so in its commit.
import { describe, expect, it } from "vitest";
import { runIo } from "../../src/io/run";
import type { IoRunConfig } from "../../src/io/config";

// config → [durationNs, exits, interrupts, doorbells, mean latency µs, CPU cycles per request]
const PINNED: readonly [IoRunConfig, readonly number[]][] = [
  [{"path":"emulated","seed":3,"vmCount":2,"requestsPerVm":300,"offeredLoadRps":150000}, [2405069.2199211926,1610,202,600,205.02387157133714,31453.34]],
  [{"path":"emulated","seed":4,"emulatedDevice":"lance","deviceModelIn":"kernel","arrivals":"backlog","requestsPerVm":200}, [2520666.6666666665,1800,100,200,1272.8866666666668,45685]],
  [{"path":"virtio","seed":5,"vmCount":3,"requestsPerVm":300,"requestBytes":512,"offeredLoadRps":300000,"notificationSuppression":"flags"}, [2836279.743662845,274,135,4,1040.0939109173428,12767.43]],
  [{"path":"vhost","seed":6,"arrivals":"backlog","requestsPerVm":400,"batchSize":8,"descriptorsPerRequest":2}, [837262.2666666647,20,9,2,515.2502663333345,8233.835]],
  [{"path":"passthrough","seed":7,"vmCount":2,"requestsPerVm":300,"requestBytes":16384,"crossVmDmaAttempts":3}, [8120247.639621748,1200,600,590,2509.0575968867565,9752.666666666666]],
  [{"path":"passthrough","seed":8,"interrupts":"posted","arrivals":"backlog","requestsPerVm":400,"requestBytes":64}, [326100.2666666669,0,8,13,185.11574666666704,2436.5]],
  [{"path":"bare-metal","seed":9,"requestsPerVm":300,"offeredLoadRps":50000}, [5471988.427430969,0,300,299,3.656156701731252,4099.333333333333]],
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
