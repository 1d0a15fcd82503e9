// Lesson helpers of notebook 04: each claim the notebook's prose makes is checked here on the
// rows the notebook shows (orderings and directions, not hard-coded simulator outputs).
import { describe, expect, it } from "vitest";
import {
  ioLessonBatchingSweep, ioLessonCostSources, ioLessonCrossVmDma, ioLessonDirectAccessChaos, ioLessonExitBreakdown,
  ioLessonIotlbReach, ioLessonLatencyPercentiles, ioLessonPathComparison, ioLessonPathSummary, ioLessonRegisterAccesses,
  ioLessonTailSummary, ioLessonTradeoffTable, ioLessonTrafficJam, ioLessonVirtqueueLayouts,
} from "../../src/lessons/io-virtualization";
import { ConfigError } from "../../src/core/errors";
import { formatNumber } from "../../src/display/bundle";

describe("notebook 04 lesson helpers", () => {
  it("traffic jam: more VMs on one emulated device, longer tail and a busier back end", () => {
    const jam = ioLessonTrafficJam({ vmCounts: [1, 8], seed: 4 });
    expect(jam.map((r) => r.vms)).toEqual([1, 8]);
    expect(jam[1]!.p99LatencyUs).toBeGreaterThan(2 * jam[0]!.p99LatencyUs);
    expect(jam[1]!.backendBusyPercent).toBeGreaterThan(jam[0]!.backendBusyPercent);
    expect(jam[1]!.perVmThroughputGbps).toBeLessThanOrEqual(jam[0]!.perVmThroughputGbps);
    expect(() => ioLessonTrafficJam({ vmCounts: [] })).toThrow(ConfigError);
    expect(() => ioLessonTrafficJam({ vmCounts: [0] })).toThrow(/vmCounts\[0\]/);
  });

  it("direct access: without an IOMMU every rogue write lands in the other VM; with it none does", () => {
    const [off, on] = ioLessonDirectAccessChaos({ rogueWrites: 20 });
    expect(off).toMatchObject({ iommu: "off", landedInOtherVm: 20, blocked: 0 });
    expect(on).toMatchObject({ iommu: "on", landedInOtherVm: 0, blocked: 20 });
    const dma = ioLessonCrossVmDma();
    expect(dma.find((r) => r.iommu === "on")!.outcome).toBe("blocked");
    expect(dma.find((r) => r.iommu === "off")!.outcome).toContain("VM 1");
  });

  it("emulated devices: the exits per request follow the register lists", () => {
    const regs = ioLessonRegisterAccesses();
    expect(regs.map((r) => r.device)).toEqual(["e1000", "ide", "lance"]);
    const rows = ioLessonExitBreakdown({ seed: 2 });
    const total = (d: string) => rows.filter((r) => r.device === d).reduce((s, r) => s + r.exitsPerRequest, 0);
    // IDE handles one command at a time: every request pays its 7 OUTs, the interrupt's 2 accesses, interrupt and EOI.
    expect(total("ide")).toBeCloseTo(11, 5);
    expect(rows.filter((r) => r.device === "e1000" && r.cause === "pio")[0]!.exitsPerRequest).toBe(0);
  });

  it("virtqueue layout follows the C8 formulas", () => {
    const [row] = ioLessonVirtqueueLayouts([256]);
    expect(row!["descriptor table (16·Q B)"]).toBe(16 * 256);
    expect(row!["available ring (6+2·Q B)"]).toBe(6 + 2 * 256);
    expect(row!["used ring (6+8·Q B)"]).toBe(6 + 8 * 256);
  });

  it("batching cuts exits without suppression; event-idx cuts them further", () => {
    const rows = ioLessonBatchingSweep({ batchSizes: [1, 64], seed: 3 });
    const at = (s: string, b: number) => rows.find((r) => r.suppression === s && r.batchSize === b)!.exitsPerRequest;
    expect(at("none", 64)).toBeLessThan(at("none", 1));
    expect(at("event-idx", 1)).toBeLessThan(at("none", 64));
  });

  it("path comparison: throughput emulated < virtio < vhost < passthrough <= bare metal; exits the reverse", () => {
    const rows = ioLessonPathComparison({ seed: 5 });
    const g = (p: string) => rows.find((r) => r.path === p)!;
    const order = ["emulated", "virtio", "vhost", "passthrough", "bare-metal"];
    for (let i = 1; i < order.length; i++) {
      expect(g(order[i]!).throughputGbps).toBeGreaterThan(g(order[i - 1]!).throughputGbps);
      expect(g(order[i]!).exitsPerRequest).toBeLessThanOrEqual(g(order[i - 1]!).exitsPerRequest);
      expect(g(order[i]!).meanLatencyUs).toBeLessThan(g(order[i - 1]!).meanLatencyUs);
    }
    expect(g("passthrough + posted").exitsPerRequest).toBe(0);
    expect(g("passthrough + posted").meanLatencyUs).toBeLessThan(g("passthrough").meanLatencyUs);
    expect(g("bare-metal").percentOfBareMetal).toBe(100);
    const text = ioLessonPathSummary(rows);
    expect(text).toContain(formatNumber(g("emulated").throughputGbps));
    expect(text).toContain(formatNumber(g("emulated").meanLatencyUs / g("bare-metal").meanLatencyUs));
    expect(ioLessonTradeoffTable(rows)).toHaveLength(rows.length);
  });

  it("a bigger IOTLB raises the hit rate and passthrough throughput", () => {
    const [small, big] = ioLessonIotlbReach({ iotlbEntries: [16, 256] });
    expect(big!.iotlbHitPercent).toBeGreaterThan(small!.iotlbHitPercent);
    expect(big!.throughputGbps).toBeGreaterThan(small!.throughputGbps);
  });

  it("latency percentiles: p50 <= p99 <= p99.9 per path, and the summary quotes the rows", () => {
    const rows = ioLessonLatencyPercentiles({ seed: 2 });
    for (const path of new Set(rows.map((r) => r.path))) {
      const v = rows.filter((r) => r.path === path).map((r) => r.latencyUs);
      expect(v[0]!).toBeLessThanOrEqual(v[1]!);
      expect(v[1]!).toBeLessThanOrEqual(v[2]!);
    }
    const emuTail = rows.find((r) => r.path === "emulated" && r.percentile === "p99.9")!.latencyUs;
    expect(ioLessonTailSummary(rows)).toContain(formatNumber(emuTail));
    expect(() => ioLessonLatencyPercentiles({ variants: ["warp drive"] })).toThrow(/variant/);
  });

  it("cost sources name their citation", () => {
    const [row] = ioLessonCostSources(["vmExitCycles"]);
    expect(row!.source).toMatch(/B7/);
    expect(() => ioLessonCostSources(["nope" as never])).toThrow(ConfigError);
  });
});
