// Lesson helpers of notebook 05: the directions the notebook's prose states, checked on the rows
// the notebook shows (shadow wins static TLB-miss-heavy work, nested wins churn, a crossover
// exists, large pages shorten nested walks and raise TLB reach).
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/core/errors";
import { formatNumber } from "../../../src/display/bundle";
import { MEMORY_COSTS_DEFAULT, exitCycles } from "../../../src/costs/memory";
import { churnRows } from "../../../src/playgrounds/page-table-churn";
import { tlbSizeRows } from "../../../src/playgrounds/tlb-size";
import { churnPlaygroundNotice, churnSweep, churnTrace, costModelNotice, crossover, crossoverComparison, crossoverNotice, ioCycles, ioCyclesNotice, largePages, largePagesNotice, pageWalkNotice, summary, summaryFigure, tlbPlaygroundNotice, tlbReachNotice, winners, winnersNotice, workloadComparison, workloadList, workloads } from "../../../src/course/05-performance";

describe("notebook 05 lesson helpers", () => {
  const workloads = workloadComparison({ seed: 2 });
  const at = (w: string, m: string) => workloads.find((r) => r.workload === w && r.mode === m)!;

  it("shadow wins static TLB-miss-heavy work; nested wins fork/exec and mmap churn", () => {
    expect(at("random 1024 pages", "shadow").cyclesPerAccess).toBeLessThan(at("random 1024 pages", "nested").cyclesPerAccess);
    expect(at("fork/exec", "nested").cyclesPerAccess).toBeLessThan(at("fork/exec", "shadow").cyclesPerAccess);
    expect(at("mmap/munmap", "nested").cyclesPerAccess).toBeLessThan(at("mmap/munmap", "shadow").cyclesPerAccess);
    expect(at("fork/exec", "shadow").vmExitsPerThousand).toBeGreaterThan(at("fork/exec", "nested").vmExitsPerThousand);
    expect(at("random 1024 pages", "native").overheadPercent).toBe(0);
    expect(winners(workloads)).toMatch(/fork\/exec\*\*: nested wins/);
  });

  it("the churn sweep has a crossover: shadow climbs with PTE writes, nested stays flat", () => {
    const rows = churnSweep({ periods: [0, 200, 20], seed: 3 });
    const shadow = rows.filter((r) => r.mode === "shadow");
    const nested = rows.filter((r) => r.mode === "nested");
    expect(shadow[0]!.pteWritesPerThousand).toBe(0);
    expect(shadow[2]!.cyclesPerAccess).toBeGreaterThan(shadow[0]!.cyclesPerAccess);
    expect(Math.abs(nested[2]!.cyclesPerAccess - nested[0]!.cyclesPerAccess)).toBeLessThan(0.05 * nested[0]!.cyclesPerAccess);
    const cross = crossover(rows)!;
    expect(cross.pteWritesPerThousand).toBeGreaterThan(shadow[0]!.pteWritesPerThousand);
    expect(cross.pteWritesPerThousand).toBeLessThan(shadow[2]!.pteWritesPerThousand);
    expect(() => churnSweep({ periods: [] })).toThrow(ConfigError);
    expect(() => churnTrace(-1)).toThrow(/period/);
  });

  it("large pages: host 2 MiB pages shorten nested walks; guest 2 MiB pages raise TLB reach and hits", () => {
    const rows = largePages({ seed: 1 });
    const r = (c: string) => rows.find((x) => x.configuration === c)!;
    expect(r("nested, guest 4 KiB / host 2 MiB").walkReferences).toBeLessThan(r("nested, guest 4 KiB / host 4 KiB").walkReferences);
    expect(r("nested, guest 2 MiB / host 2 MiB").tlbReachKiB).toBe(512 * r("nested, guest 4 KiB / host 4 KiB").tlbReachKiB);
    expect(r("nested, guest 2 MiB / host 2 MiB").tlbHitPercent).toBeGreaterThan(r("nested, guest 4 KiB / host 4 KiB").tlbHitPercent);
    expect(r("native, 4 KiB pages").walkReferences).toBeLessThan(r("nested, guest 4 KiB / host 4 KiB").walkReferences);
  });

  it("I/O cycles: the guest's own work is the same on every path; virtualization adds on top", () => {
    const rows = ioCycles({ seed: 1 });
    const total = (p: string) => rows.filter((r) => r.path === p).reduce((s, r) => s + r.cyclesPerRequest, 0);
    expect(total("emulated")).toBeGreaterThan(total("vhost"));
    expect(total("vhost")).toBeGreaterThan(total("bare-metal"));
    expect(rows.find((r) => r.path === "bare-metal" && r.category === "world switches (exits)")!.cyclesPerRequest).toBe(0);
  });

  it("the summary puts memory and I/O side by side and labels each bar", () => {
    const rows = summary({ seed: 2, workloadRows: workloads });
    expect(new Set(rows.map((r) => r.area))).toEqual(new Set(["memory", "I/O"]));
    const s = (x: string) => rows.find((r) => r.scenario === x)!.slowdown;
    expect(s("shadow, fork/exec")).toBeGreaterThan(s("nested, fork/exec"));
    expect(s("emulated")).toBeGreaterThan(s("passthrough + posted"));
    const fig = summaryFigure(rows);
    expect(fig.data.every((t) => t.type === "bar")).toBe(true);
    expect(String((fig.data[0]!.text as string[])[0])).toMatch(/×$/);
  });
});

describe("notebook 05 notices: every number is the rows', every direction is computed", () => {
  it("cost model, workload list and winners", () => {
    expect(costModelNotice()).toContain(`${formatNumber(exitCycles(MEMORY_COSTS_DEFAULT, "guest-pt-write"))} cycles`);
    const list = workloadList(2);
    expect(list.map((r) => r.workload)).toEqual(workloads(2).map((w) => w.label));
    const rows = workloadComparison({ seed: 2, workloads: ["random 1024 pages", "fork/exec"] });
    expect(winnersNotice(rows)).toMatch(/the winner flips/);
    expect(winnersNotice(rows.filter((r) => r.workload === "fork/exec"))).toMatch(/one mode wins every workload/);
  });

  it("crossover notice and the formula comparison say earlier/later from the numbers", () => {
    const churn = churnSweep({ periods: [0, 200, 20], seed: 3, pages: 1024 });
    const cross = crossover(churn)!;
    expect(crossoverNotice(churn)).toContain(formatNumber(cross.pteWritesPerThousand));
    expect(crossoverComparison(churn, cross.pteWritesPerThousand * 2, 900)).toMatch(/\*\*earlier\*\*/);
    expect(crossoverComparison(churn, cross.pteWritesPerThousand / 2, 900)).toMatch(/\*\*later\*\*/);
    expect(crossoverComparison(churn, cross.pteWritesPerThousand, 900)).toMatch(/about the same place/);
    expect(crossoverComparison(churn, 50, 900)).toMatch(/guest-pt-write/);
    expect(churn.find((r) => r.mode === "nested" && r.pteWritesPerThousand > 0)!.exitsPerThousandByCause["guest-pt-write"] ?? 0).toBe(0);
    // A smaller working set is passed through: more TLB hits.
    const small = churnSweep({ periods: [0, 200], seed: 3, pages: 32 });
    expect(small[0]!.tlbHitPercent).toBeGreaterThan(churn[0]!.tlbHitPercent);
  });

  it("TLB reach and large-page notices quote the rows and compare reach with the working set", () => {
    const rows = largePages({ seed: 1, pages: 4096 });
    const reach = tlbReachNotice(rows, 4096);
    expect(reach).toContain("512×");
    expect(reach).toMatch(/fits only with 2 MiB pages/);
    expect(tlbReachNotice(rows, 16)).toMatch(/fits even with small pages/);
    const n42 = rows.find((r) => r.configuration === "nested, guest 4 KiB / host 2 MiB")!;
    expect(largePagesNotice(rows)).toContain(`to ${formatNumber(n42.walkReferences)} memory reads`);
  });

  it("playground notices use the playgrounds' own rows", () => {
    const churn = churnRows({ forkExecPer10k: 5, workingSetPages: 1024, hostPageKiB: 4 });
    const text = churnPlaygroundNotice({ forkExecPer10k: 5, workingSetPages: 1024, hostPageKiB: 4 });
    expect(text).toContain(`${formatNumber(churn.find((r) => r.mode === "shadow")!.slowdown)}×`);
    expect(text).toMatch(/\*\*nested\*\* wins/);
    const tlb = tlbSizeRows({ tlbEntries: 64, workingSetPages: 1024, hostPageKiB: 4 });
    expect(tlbPlaygroundNotice({ tlbEntries: 64, workingSetPages: 1024, hostPageKiB: 4 })).toContain(formatNumber(tlb[2]!.cyclesPerAccess));
    const walk = pageWalkNotice({ guestLevels: 4, hostLevels: 4, guestPageKiB: 4, hostPageKiB: 2048 });
    expect(walk).toContain("but 19 under nested paging");
    expect(walk).toContain("reads 24");
  });

  it("I/O cycles notice and the summary figure's axis titles", () => {
    const rows = ioCycles({ seed: 1 });
    const text = ioCyclesNotice(rows);
    expect(text).toContain("passthrough + posted +0");
    const fig = summaryFigure(summary({ seed: 1 }));
    expect(fig.layout.yaxis!.title).toEqual({ text: "mechanism and workload" });
  });
});
