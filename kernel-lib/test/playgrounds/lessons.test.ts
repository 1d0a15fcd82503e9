// The lesson playgrounds show what the lessons claim, from the simulator (no numbers typed in).
import { describe, expect, it } from "vitest";
import { runPlayground } from "../../src/playgrounds";
import { tlbSizeRows } from "../../src/playgrounds";
import { pageWalkReads } from "../../src/experiments/walk-reads";
import { churnRows, churnTrace } from "../../src/playgrounds";
import { ioPathsRows } from "../../src/playgrounds";

const byMode = <T extends { mode: string }>(rows: readonly T[]) => Object.fromEntries(rows.map((r) => [r.mode, r])) as Record<"native" | "shadow" | "nested", T>;

describe("tlb-size", () => {
  it("hit rate grows with TLB entries and reaches 100 % once the working set fits", () => {
    const rates = [16, 64, 256, 1024].map((tlbEntries) => byMode(tlbSizeRows({ tlbEntries, workingSetPages: 1024, hostPageKiB: 4 })).native.tlbHitRate);
    for (let i = 1; i < rates.length; i++) expect(rates[i]!).toBeGreaterThan(rates[i - 1]!);
    expect(byMode(tlbSizeRows({ tlbEntries: 2048, workingSetPages: 1024, hostPageKiB: 4 })).native.tlbHitRate).toBeGreaterThan(0.95);
  });

  it("a miss costs a native-length walk under shadow paging and a 2D walk under nested paging; 2 MiB host pages help nested", () => {
    const r = byMode(tlbSizeRows({ tlbEntries: 64, workingSetPages: 1024, hostPageKiB: 4 }));
    expect(r.shadow.walkRefsPerAccess).toBeCloseTo(r.native.walkRefsPerAccess, 6);
    const w = pageWalkReads(4, 4, 4, 4);
    expect(r.nested.walkRefsPerAccess / r.native.walkRefsPerAccess).toBeCloseTo((w.nestedGuest + w.nestedHost) / w.native, 0);
    expect(r.nested.cyclesPerAccess).toBeGreaterThan(r.shadow.cyclesPerAccess);
    const big = byMode(tlbSizeRows({ tlbEntries: 64, workingSetPages: 1024, hostPageKiB: 2048 }));
    expect(big.nested.cyclesPerAccess).toBeLessThan(r.nested.cyclesPerAccess);
  });
});

describe("page-table-churn", () => {
  it("builds the fork/exec trace it describes", () => {
    const t = churnTrace(64, 5);
    expect(t.accesses).toBe(10_000 + 5 * 200);
  });

  it("static and TLB-hungry: shadow beats nested; heavy churn: nested beats shadow", () => {
    const calm = byMode(churnRows({ forkExecPer10k: 0, workingSetPages: 1024, hostPageKiB: 4 }));
    expect(calm.shadow.slowdown).toBeLessThan(calm.nested.slowdown);
    const churn = byMode(churnRows({ forkExecPer10k: 10, workingSetPages: 1024, hostPageKiB: 4 }));
    expect(churn.nested.slowdown).toBeLessThan(churn.shadow.slowdown);
    expect(churn.shadow.vmExitsPer1k).toBeGreaterThan(10 * churn.nested.vmExitsPer1k);
  });
});

describe("io-paths", () => {
  it("exits per request order emulated > virtio > passthrough > bare metal; latency the same order", () => {
    const r = Object.fromEntries(ioPathsRows({ requestBytes: 1500, offeredLoadKrps: 100, vmCount: 1 }).map((x) => [x.path, x]));
    expect(r.emulated!.exitsPerRequest).toBeGreaterThan(r.virtio!.exitsPerRequest);
    expect(r.virtio!.exitsPerRequest).toBeGreaterThan(r.passthrough!.exitsPerRequest);
    expect(r["bare-metal"]!.exitsPerRequest).toBe(0);
    expect(r.emulated!.meanLatencyUs).toBeGreaterThan(r.virtio!.meanLatencyUs);
    expect(r.virtio!.meanLatencyUs).toBeGreaterThan(r.passthrough!.meanLatencyUs);
  });

  it("the chart has a throughput and a latency panel, one bar per path", () => {
    const f = runPlayground("io-paths", { requestBytes: 9000 });
    expect(f.data).toHaveLength(2);
    expect(f.data[0]!.x!.map((label) => String(label).split("<br>")[0])).toEqual(["emulated", "virtio", "vhost", "passthrough", "bare-metal"]);
    expect(String(f.data[0]!.x![0])).toMatch(/^emulated<br>\d+\.\d exits\/req$/);
    expect(f.data[1]!.yaxis).toBe("y2");
  });
});
