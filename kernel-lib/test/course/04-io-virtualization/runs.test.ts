// Lesson helpers of notebook 04: each claim the notebook's prose makes is checked here on the
// rows the notebook shows (orderings and directions, not hard-coded simulator outputs).
import { describe, expect, it } from "vitest";
import { backlogRun, variantByLabel } from "../../../src/course/shared/io-runs";
import { expectQuotes } from "../helpers";
import { defaultIoCosts } from "../../../src/costs/io";
import { ioPathsRows } from "../../../src/playgrounds";
import { ConfigError } from "../../../src/core/errors";
import { formatNumber } from "../../../src/display/bundle";
import { IO_REQUESTS, IO_REQUEST_BYTES, IO_STEADY_RPS, batchingNotice, batchingSweep, costSources, crossVmDma, directAccessChaos, emulatedExitsNotice, exitBreakdown, exitCauses, exitCostNotice, exitRunsNotice, iotlbNotice, iotlbReach, latencyPercentiles, pathComparison, pathSummary, playgroundNotice, registerAccesses, runsCaption, runsDescription, slightLatencyVerdict, tailSummary, tradeoffTable, trafficJam, virtqueueLayouts } from "../../../src/course/04-io-virtualization";

describe("notebook 04 lesson helpers", () => {
  it("traffic jam: more VMs on one network card fill the shared link, the tail grows and each VM gets less", () => {
    const jam = trafficJam({ vmCounts: [1, 16], seed: 4 });
    expect(jam.map((r) => r.vms)).toEqual([1, 16]);
    expect(jam[1]!.p99LatencyUs).toBeGreaterThan(2 * jam[0]!.p99LatencyUs);
    expect(jam[1]!.linkBusyPercent).toBeGreaterThan(95);
    expect(jam[1]!.linkBusyPercent).toBeGreaterThan(jam[0]!.linkBusyPercent);
    expect(jam[0]!.backendBusyPercent).toBeGreaterThan(0); // each VM's own back end, not the bottleneck
    expect(jam[1]!.perVmThroughputGbps).toBeLessThan(jam[0]!.perVmThroughputGbps);
    expect(() => trafficJam({ vmCounts: [] })).toThrow(ConfigError);
    expect(() => trafficJam({ vmCounts: [0] })).toThrow(/vmCounts\[0\]/);
  });

  it("direct access: without an IOMMU every rogue write lands in the other VM; with it none does", () => {
    const [off, on] = directAccessChaos({ rogueWrites: 20 });
    expect(off).toMatchObject({ iommu: "off", landedInOtherVm: 20, blocked: 0 });
    expect(on).toMatchObject({ iommu: "on", landedInOtherVm: 0, blocked: 20 });
    const dma = crossVmDma();
    expect(dma.find((r) => r.iommu === "on")!.outcome).toBe("blocked");
    expect(dma.find((r) => r.iommu === "off")!.outcome).toContain("VM 1");
  });

  it("emulated devices: the exits per request follow the register lists", () => {
    const regs = registerAccesses();
    expect(regs.map((r) => r.device)).toEqual(["e1000", "ide", "lance"]);
    const rows = exitBreakdown({ seed: 2 });
    const total = (d: string) => rows.filter((r) => r.device === d).reduce((s, r) => s + r.exitsPerRequest, 0);
    // IDE handles one command at a time: every request pays its 7 OUTs, the interrupt's 2 accesses, interrupt and EOI.
    expect(total("ide")).toBeCloseTo(11, 5);
    expect(rows.filter((r) => r.device === "e1000" && r.cause === "pio")[0]!.exitsPerRequest).toBe(0);
  });

  it("virtqueue layout follows the C8 formulas", () => {
    const [row] = virtqueueLayouts([256]);
    expect(row!["descriptor table (16·Q B)"]).toBe(16 * 256);
    expect(row!["available ring (6+2·Q B)"]).toBe(6 + 2 * 256);
    expect(row!["used ring (6+8·Q B)"]).toBe(6 + 8 * 256);
  });

  it("batching cuts exits without suppression; event-idx cuts them further", () => {
    const rows = batchingSweep({ batchSizes: [1, 64], seed: 3 });
    const at = (s: string, b: number) => rows.find((r) => r.suppression === s && r.batchSize === b)!.exitsPerRequest;
    expect(at("none", 64)).toBeLessThan(at("none", 1));
    expect(at("event-idx", 1)).toBeLessThan(at("none", 64));
  });

  it("path comparison: throughput (saturated) emulated < virtio < vhost < passthrough <= bare metal; exits (steady stream) the reverse", () => {
    const rows = pathComparison({ seed: 5 });
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
    const text = pathSummary(rows);
    expect(text).toContain(formatNumber(g("emulated").throughputGbps));
    expect(text).toContain(formatNumber(g("emulated").meanLatencyUs / g("bare-metal").meanLatencyUs));
    expect(tradeoffTable(rows)).toHaveLength(rows.length);
  });

  it("with 4 KiB IOMMU pages a bigger IOTLB raises the hit rate and passthrough throughput; 2 MiB pages fix the small one", () => {
    const [small, big, large] = iotlbReach({ iotlbEntries: [16, 256] });
    expect([small!.iommuPageKiB, big!.iommuPageKiB, large!.iommuPageKiB]).toEqual([4, 4, 2048]);
    expect(large!.iotlbEntries).toBe(16);
    expect(big!.iotlbHitPercent).toBeGreaterThan(small!.iotlbHitPercent);
    expect(big!.throughputGbps).toBeGreaterThan(small!.throughputGbps);
    expect(large!.iotlbHitPercent).toBeGreaterThan(big!.iotlbHitPercent);
    expect(large!.throughputGbps).toBeGreaterThanOrEqual(big!.throughputGbps);
    expect(() => iotlbReach({ iotlbEntries: [] })).toThrow(/iotlbEntries/);
  });

  it("latency percentiles: p50 <= p99 <= p99.9 per path, and the summary quotes the rows", () => {
    const rows = latencyPercentiles({ seed: 2 });
    for (const path of new Set(rows.map((r) => r.path))) {
      const v = rows.filter((r) => r.path === path).map((r) => r.latencyUs);
      expect(v[0]!).toBeLessThanOrEqual(v[1]!);
      expect(v[1]!).toBeLessThanOrEqual(v[2]!);
    }
    const emuTail = rows.find((r) => r.path === "emulated" && r.percentile === "p99.9")!.latencyUs;
    expect(tailSummary(rows)).toContain(formatNumber(emuTail));
    expect(() => latencyPercentiles({ variants: ["warp drive"] })).toThrow(/variant/);
  });

  it("cost sources name their citation", () => {
    const [row] = costSources(["vmExitCycles"]);
    expect(row!.source).toMatch(/B7/);
    expect(() => costSources(["nope" as never])).toThrow(ConfigError);
  });

  it("section 3 names its runs and their parameters; the default request size is the one the cells pass", () => {
    const text = runsDescription({ seed: 4, requestBytes: 1500 });
    // It names both runs and quotes their parameters.
    expectQuotes(text, "saturated", "steady stream", IO_STEADY_RPS, IO_REQUESTS, defaultIoCosts.linkGbps, 1500);
    expectQuotes(runsCaption({ requestBytes: 9000 }), 9000, defaultIoCosts.linkGbps);
    // Passing the default explicitly gives the very same rows (one cached run, prose and cell agree).
    expect(pathComparison({ seed: 4, requestBytes: IO_REQUEST_BYTES })).toEqual(pathComparison({ seed: 4 }));
    const small = pathComparison({ seed: 4, requestBytes: 64 });
    expect(small.find((r) => r.path === "bare-metal")!.throughputGbps).toBeLessThan(pathComparison({ seed: 4 }).find((r) => r.path === "bare-metal")!.throughputGbps);
    expect(() => pathComparison({ requestBytes: 0 })).toThrow(/requestBytes/);
  });

  it("exits by cause add up to the steady stream's exits; the notice compares both runs and ranks only what it computed", () => {
    const rows = pathComparison({ seed: 4 });
    const causes = exitCauses({ seed: 4 });
    for (const r of rows) {
      const sum = causes.filter((c) => c.path === r.path).reduce((s, c) => s + c.exitsPerRequest, 0);
      expect(sum).toBeCloseTo(r.exitsPerRequest, 9);
    }
    expect(causes.find((c) => c.path === "passthrough + posted" && c.exitsPerRequest > 0)).toBeUndefined();
    const notice = exitRunsNotice(causes, { seed: 4 });
    const saturatedEmulated = backlogRun(variantByLabel("emulated"), 4).exitsPerRequest;
    expectQuotes(notice, "steady stream", "saturated", `emulated ${formatNumber(rows.find((r) => r.path === "emulated")!.exitsPerRequest)}`, `emulated ${formatNumber(saturatedEmulated)}`);
  });

  it("the path summary ranks throughput from the rows and says which run each number is from", () => {
    const rows = pathComparison({ seed: 4 });
    const text = pathSummary(rows);
    const of = (p: string) => rows.find((r) => r.path === p)!;
    expectQuotes(text, of("emulated").percentOfBareMetal, of("passthrough").percentOfBareMetal, of("emulated").meanLatencyUs, of("passthrough + posted").meanLatencyUs);
    const sorted = [...rows].sort((a, b) => a.throughputGbps - b.throughputGbps).map((r) => r.path);
    const positions = sorted.map((p) => text.indexOf(`${p} ${formatNumber(rows.find((r) => r.path === p)!.throughputGbps)}`));
    for (let i = 1; i < positions.length; i++) expect(positions[i]!).toBeGreaterThan(positions[i - 1]!);
    const verdict = slightLatencyVerdict(rows);
    const bare = rows.find((r) => r.path === "bare-metal")!.meanLatencyUs;
    for (const r of rows.filter((x) => x.path !== "bare-metal")) expect(verdict).toContain(`${r.path} ${formatNumber(r.meanLatencyUs / bare)}×`);
    // A made-up set where every path is within 10 %: nothing is called "not slight".
    const close = rows.map((r) => ({ ...r, meanLatencyUs: bare * (r.path === "bare-metal" ? 1 : 1.05) }));
    const closeVerdict = slightLatencyVerdict(close);
    for (const r of close.filter((x) => x.path !== "bare-metal")) expectQuotes(closeVerdict, `${r.path} ${formatNumber(1.05)}×`);
    expect(closeVerdict).not.toBe(verdict);
  });

  it("emulated-exit notice: register exits and interrupt/EOI exits add up to each device's total", () => {
    const rows = exitBreakdown({ seed: 4 });
    const text = emulatedExitsNotice(rows);
    for (const d of ["e1000", "ide", "lance"]) {
      const of = (c: string) => rows.find((r) => r.device === d && r.cause === c)!.exitsPerRequest;
      expect(text).toContain(`${d} ${formatNumber(of("mmio") + of("pio"))}`);
      expect(text).toContain(`${d} ${formatNumber(of("interrupt") + of("eoi"))}`);
    }
    expect(exitCostNotice()).toContain(formatNumber(defaultIoCosts.vmExitCycles));
  });

  it("batching, IOTLB, tail and playground notices quote their rows", () => {
    const batching = batchingSweep({ batchSizes: [1, 64], seed: 4 });
    const b = batchingNotice(batching);
    const none = (size: number) => batching.find((r) => r.suppression === "none" && r.batchSize === size)!;
    expectQuotes(b, none(1).exitsPerRequest, none(64).exitsPerRequest, none(1).kicksPerRequest);
    const iotlb = iotlbReach({ seed: 4, iotlbEntries: [16, 256] });
    expectQuotes(iotlbNotice(iotlb), iotlb[0]!.iotlbHitPercent, iotlb[1]!.iotlbHitPercent, iotlb[0]!.percentOfBareMetal);
    const tails = latencyPercentiles({ seed: 4 });
    const gap = (p: string) => tails.find((r) => r.path === p && r.percentile === "p99.9")!.latencyUs - tails.find((r) => r.path === p && r.percentile === "p50")!.latencyUs;
    expect(tailSummary(tails)).toContain(formatNumber(gap("emulated")));
    const knobs = { requestBytes: 1500, offeredLoadKrps: 100, vmCount: 1 };
    const pg = ioPathsRows(knobs);
    const text = playgroundNotice(knobs);
    expect(text).toContain(formatNumber(Math.max(...pg.map((r) => r.meanLatencyUs))));
    // Past the emulated path's capacity the notice names it as falling behind.
    const busy = { requestBytes: 64, offeredLoadKrps: 400, vmCount: 8 };
    const emulated = ioPathsRows(busy).find((r) => r.path === "emulated")!;
    expect(emulated.throughputGbps).toBeLessThan(0.95 * Math.max(...ioPathsRows(busy).map((r) => r.throughputGbps)));
    expectQuotes(playgroundNotice(busy), `emulated carries only ${formatNumber(emulated.throughputGbps)}`);
  });

  it("cost sources say how far each cited figure was checked", () => {
    const rows = costSources(["vmExitCycles", "userSpaceSwitchCycles", "emulatedTransmitCycles", "cpuClockGhz"]);
    expect(rows.map((r) => r.checked)).toEqual([
      "checked in the primary source", "reported by a secondary source (V2)", "derived from checked figures", "assumption of the model",
    ]);
  });
});
