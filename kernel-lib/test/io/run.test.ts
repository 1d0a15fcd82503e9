import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { runIo } from "../../src/io/run";
import { sweepIo } from "../../src/io/sweep";
import { IO_EMULATED_DEVICES, IO_PATHS, type IoRunConfig } from "../../src/io/config";
import { ioLatencyCdfRows, ioPercentile } from "../../src/io/metrics";
import { ConfigError } from "../../src/core/errors";
import { defaultIoCosts, ioCostSources, resolveIoCosts } from "../../src/costs/io";

describe("determinism", () => {
  it("gives byte-identical results for the same seed, and different ones for another seed", () => {
    for (const path of IO_PATHS) {
      const config: IoRunConfig = { path, seed: 42, requestsPerVm: 800, vmCount: 2, offeredLoadRps: 150_000, traceRequests: true };
      const a = JSON.stringify(runIo(config));
      const b = JSON.stringify(runIo(config));
      expect(a).toBe(b);
      expect(JSON.stringify(runIo({ ...config, seed: 43 }))).not.toBe(a);
    }
    const sweep = () => JSON.stringify(sweepIo({ parameter: "requestBytes", values: [64, 1500, 9000], base: { requestsPerVm: 300 } }));
    expect(sweep()).toBe(sweep());
  });
});

const configArbitrary = fc
  .record({
    path: fc.constantFrom(...IO_PATHS),
    seed: fc.integer({ min: 0, max: 1000 }),
    vmCount: fc.integer({ min: 1, max: 3 }),
    requestsPerVm: fc.integer({ min: 1, max: 150 }),
    requestBytes: fc.integer({ min: 1, max: 9000 }),
    offeredLoadRps: fc.double({ min: 1_000, max: 3_000_000, noNaN: true }),
    arrivals: fc.constantFrom("poisson" as const, "backlog" as const),
    batchSize: fc.integer({ min: 1, max: 64 }),
    ringLog2: fc.integer({ min: 0, max: 9 }),
    descriptorsPerRequest: fc.integer({ min: 1, max: 3 }),
    notificationSuppression: fc.constantFrom("none" as const, "flags" as const, "event-idx" as const),
    emulatedDevice: fc.constantFrom(...IO_EMULATED_DEVICES),
    interrupts: fc.constantFrom("exiting" as const, "posted" as const),
    maxTimeNs: fc.option(fc.double({ min: 0, max: 2_000_000, noNaN: true }), { nil: undefined }),
  })
  .map(({ ringLog2, descriptorsPerRequest, ...rest }): IoRunConfig => {
    const ringSize = 2 ** ringLog2;
    return { ...rest, ringSize, descriptorsPerRequest: Math.min(descriptorsPerRequest, ringSize), traceRequests: true };
  });

describe("conservation", () => {
  it("every request submitted is completed or still queued: none lost, none duplicated", () => {
    fc.assert(
      fc.property(configArbitrary, (config) => {
        const r = runIo(config);
        const log = r.requestLog!;
        const total = config.vmCount! * config.requestsPerVm!;
        expect(log.length).toBe(total);
        expect(new Set(log.map((x) => x.id)).size).toBe(total);
        const count = (state: string) => log.filter((x) => x.state === state).length;
        expect(r.requestsCompleted).toBe(count("completed"));
        expect(r.requestsQueuedInGuest).toBe(count("queued-in-guest"));
        expect(r.requestsInFlight).toBe(count("in-flight"));
        expect(r.requestsSubmitted).toBe(total - count("not-arrived"));
        expect(r.requestsSubmitted).toBe(r.requestsCompleted + r.requestsQueuedInGuest + r.requestsInFlight);
        // Each completion counted once, and after its arrival.
        expect(r.latenciesUs.length).toBe(r.requestsCompleted);
        for (const x of log) if (x.state === "completed") expect(x.completionNs!).toBeGreaterThanOrEqual(x.arrivalNs!);
        // Without a time limit nothing may be left behind (no lost wake-up, kick or interrupt).
        if (config.maxTimeNs === undefined) expect(r.requestsCompleted).toBe(total);
        if (r.virtqueue !== null) expect(r.virtqueue.stats.used).toBeLessThanOrEqual(r.virtqueue.stats.added);
      }),
      { numRuns: 250, seed: 20261125 },
    );
  });
});

describe("bad configurations", () => {
  const expectConfigError = (config: unknown, field: string, allowedPart: string) => {
    let error: unknown;
    try {
      runIo(config as IoRunConfig);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe(field);
    expect((error as ConfigError).allowed).toContain(allowedPart);
  };

  it("name the field and what is allowed", () => {
    expectConfigError({ path: "virtio", ringSize: 0 }, "ringSize", "power of two from 1 to 32768");
    expectConfigError({ path: "virtio", ringSize: 300 }, "ringSize", "power of two");
    expectConfigError({ path: "virtio", ringSize: 65536 }, "ringSize", "power of two");
    expectConfigError({ path: "virtio", offeredLoadRps: -5 }, "offeredLoadRps", "positive");
    expectConfigError({ path: "virtio", offeredLoadRps: 0 }, "offeredLoadRps", "positive");
    expectConfigError({ path: "warp-drive" }, "path", '"emulated", "virtio", "vhost", "passthrough", "bare-metal"');
    expectConfigError({ path: "emulated", emulatedDevice: "rtl8139" }, "emulatedDevice", '"e1000", "ide", "lance"');
    expectConfigError({ path: "virtio", notificationSuppression: "maybe" }, "notificationSuppression", '"event-idx"');
    expectConfigError({ path: "virtio", batchSize: 0 }, "batchSize", "integer from 1");
    expectConfigError({ path: "virtio", requestBytes: -1 }, "requestBytes", "integer from 1");
    expectConfigError({ path: "virtio", ringSize: 4, descriptorsPerRequest: 8 }, "descriptorsPerRequest", "from 1 to 4");
    expectConfigError({ path: "virtio", costs: { vmExitCycles: -1 } }, "costs.vmExitCycles", "at least 0");
    expectConfigError({ path: "virtio", costs: { linkGbps: 0 } }, "costs.linkGbps", "above 0");
    expectConfigError({ path: "virtio", costs: { vmExitCyles: 5 } }, "costs.vmExitCyles", "IoCosts names");
    expectConfigError({ path: "virtio", ringsize: 8 }, "ringsize", "known option");
    expectConfigError({ path: "virtio", crossVmDmaAttempts: 2 }, "crossVmDmaAttempts", "passthrough");
    expect(() => sweepIo({ parameter: "colour" as never, values: [1] })).toThrow(ConfigError);
    expect(() => sweepIo({ parameter: "batchSize", values: [] })).toThrow(ConfigError);
  });
});

describe("costs", () => {
  it("cites a source (or says assumption) for every constant and applies overrides", () => {
    for (const name of Object.keys(defaultIoCosts)) {
      expect(ioCostSources[name as keyof typeof ioCostSources]).toMatch(/\[[BC]\d+\]|Assumption|IEEE/);
    }
    expect(resolveIoCosts({ vmExitCycles: 500 }).vmExitCycles).toBe(500);
    // Cheaper exits make the emulated path faster: the costs really drive the model.
    const base = runIo({ path: "emulated", arrivals: "backlog", requestsPerVm: 1000 });
    const cheap = runIo({ path: "emulated", arrivals: "backlog", requestsPerVm: 1000, costs: { vmExitCycles: 200, userSpaceSwitchCycles: 0 } });
    expect(cheap.throughputRps).toBeGreaterThan(base.throughputRps * 1.3);
    expect(base.config.costs.cpuClockGhz).toBe(3);
  });
});

describe("metrics", () => {
  it("reports percentiles by nearest rank, CDF rows, cycles that add up, and a summary line", () => {
    expect(ioPercentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(ioPercentile([5, 1, 3, 2, 4], 100)).toBe(5);
    expect(() => ioPercentile([1], 0)).toThrow(ConfigError);
    const r = runIo({ path: "vhost", requestsPerVm: 1000 });
    const c = r.cyclesPerRequest;
    expect(c.total).toBeCloseTo(c.guest + c.exit + c.deviceModel + c.copy, 6);
    expect(r.latency.p50Us).toBeLessThanOrEqual(r.latency.p99Us);
    expect(r.exitTally.total).toBe(r.exitsTotal);
    const rows = ioLatencyCdfRows([r], [50, 99]);
    expect(rows).toEqual([
      { path: "vhost", percentile: 50, latencyUs: r.latency.p50Us },
      { path: "vhost", percentile: 99, latencyUs: r.latency.p99Us },
    ]);
    expect(r.summary).toMatch(/^vhost: 1000\/1000 requests/);
  });
});
