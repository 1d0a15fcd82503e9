// TEMPORARY (issue 11): the process rewrite of runIo must give results identical to the old
// monolithic closure (legacy-run.ts) for every path, seed and option. Replaced by ordinary
// regression tests once the old implementation is deleted.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { runIo } from "../../src/io/run";
import { IO_EMULATED_DEVICES, IO_INTERRUPT_DELIVERIES, IO_PATHS, type IoRunConfig } from "../../src/io/config";
import { legacyRunIo } from "./legacy-run";

const configArbitrary = fc
  .record({
    path: fc.constantFrom(...IO_PATHS),
    seed: fc.integer({ min: 0, max: 1_000_000 }),
    vmCount: fc.integer({ min: 1, max: 8 }),
    requestsPerVm: fc.integer({ min: 1, max: 300 }),
    requestBytes: fc.integer({ min: 1, max: 65536 }),
    offeredLoadRps: fc.double({ min: 1_000, max: 3_000_000, noNaN: true }),
    arrivals: fc.constantFrom("poisson" as const, "backlog" as const),
    batchSize: fc.integer({ min: 1, max: 64 }),
    ringLog2: fc.integer({ min: 0, max: 10 }),
    descriptorsPerRequest: fc.integer({ min: 1, max: 3 }),
    notificationSuppression: fc.constantFrom("none" as const, "flags" as const, "event-idx" as const),
    emulatedDevice: fc.constantFrom(...IO_EMULATED_DEVICES),
    deviceModelIn: fc.constantFrom("user" as const, "kernel" as const),
    interrupts: fc.constantFrom(...IO_INTERRUPT_DELIVERIES),
    iommu: fc.boolean(),
    rogue: fc.integer({ min: 0, max: 5 }),
    iotlbEntries: fc.option(fc.integer({ min: 1, max: 512 }), { nil: undefined }),
    maxTimeNs: fc.option(fc.double({ min: 0, max: 2_000_000, noNaN: true }), { nil: undefined }),
    traceRequests: fc.boolean(),
  })
  .map(({ ringLog2, descriptorsPerRequest, rogue, iotlbEntries, ...rest }): IoRunConfig => {
    const ringSize = 2 ** ringLog2;
    const rogueAllowed = rest.path === "passthrough" && rest.vmCount >= 2;
    return {
      ...rest,
      ringSize,
      descriptorsPerRequest: Math.min(descriptorsPerRequest, ringSize),
      crossVmDmaAttempts: rogueAllowed ? rogue : 0,
      ...(iotlbEntries === undefined ? {} : { costs: { iotlbEntries } }),
    };
  });

describe("runIo as processes", () => {
  it("gives every field of the old implementation's result, for random paths, seeds and options", () => {
    let runs = 0;
    fc.assert(
      fc.property(configArbitrary, (config) => {
        const now = runIo(config);
        const before = legacyRunIo(config);
        expect(JSON.stringify(now)).toBe(JSON.stringify(before));
        expect(now).toEqual(before);
        expect(now.exitTally.byCause()).toEqual(before.exitTally.byCause());
        expect(now.exitTally.totalCycles).toBe(before.exitTally.totalCycles);
        runs++;
      }),
      { numRuns: 1500, seed: 20261205 },
    );
    expect(runs).toBe(1500);
  });
});
