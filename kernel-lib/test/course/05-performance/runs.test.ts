// Lesson helpers of notebook 05: the directions the notebook's prose states, checked on the rows
// the notebook shows (shadow wins static TLB-miss-heavy work, nested wins churn, a crossover
// exists, large pages shorten nested walks and raise TLB reach).
import { describe, expect, it } from "vitest";
import { pageWalkReads } from "../../../src/experiments/walk-reads";
import { expectQuotes } from "../helpers";
import { ConfigError } from "../../../src/core/errors";
import { formatNumber } from "../../../src/display/bundle";
import { MEMORY_COSTS_DEFAULT, exitCycles } from "../../../src/costs/memory";
import { churnRows, tlbSizeRows } from "../../../src/playgrounds";
import { churnPlaygroundNotice, churnSweep, churnTrace, costModelNotice, crossover, crossoverComparison, crossoverNotice, ioCycles, ioCyclesNotice, largePages, largePagesNotice, pageWalkNotice, summary, summaryFigure, summaryNotice, tlbPlaygroundNotice, tlbReachNotice, winners, winnersNotice, workloadComparison, workloadList, workloads } from "../../../src/course/05-performance";
import { TRANSLATION_SHARE, wholeProgramSlowdown } from "../../../src/course/shared/whole-program";

describe("notebook 05 lesson helpers", () => {
  const workloads = workloadComparison({ seed: 2 });
  const at = (w: string, m: string) => workloads.find((r) => r.workload === w && r.mode === m)!;

  it("shadow wins static TLB-miss-heavy work; nested wins fork/exec and mmap churn", () => {
    expect(at("random 1024 pages", "shadow").cyclesPerAccess).toBeLessThan(at("random 1024 pages", "nested").cyclesPerAccess);
    expect(at("fork/exec", "nested").cyclesPerAccess).toBeLessThan(at("fork/exec", "shadow").cyclesPerAccess);
    expect(at("mmap/munmap", "nested").cyclesPerAccess).toBeLessThan(at("mmap/munmap", "shadow").cyclesPerAccess);
    expect(at("fork/exec", "shadow").vmExitsPerThousand).toBeGreaterThan(at("fork/exec", "nested").vmExitsPerThousand);
    expect(at("random 1024 pages", "native").overheadPercent).toBe(0);
    // One line per workload, quoting the winner's and the loser's cost.
    const lines = winners(workloads).split("\n");
    expect(lines).toHaveLength(new Set(workloads.map((r) => r.workload)).size);
    const fe = lines.find((l) => l.includes("fork/exec"))!;
    expectQuotes(fe, at("fork/exec", "nested").cyclesPerAccess, at("fork/exec", "shadow").cyclesPerAccess);
    expect(fe.indexOf(formatNumber(at("fork/exec", "nested").cyclesPerAccess))).toBeLessThan(fe.indexOf(formatNumber(at("fork/exec", "shadow").cyclesPerAccess)));
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
    expect((fig.data[0]!.text as string[])[0]).toBe(`${formatNumber(Number(fig.data[0]!.x![0]))}×`);
  });
});

describe("the summary: every configuration the lesson concludes on, and what it means for a whole program", () => {
  it("has the guest-and-host large-page case against native 4 KiB pages (the large-page notice's conclusion)", () => {
    const pages = largePages({ seed: 1 });
    const rows = summary({ seed: 1, pageRows: pages });
    const both = rows.find((r) => r.scenario === "nested + 2 MiB guest and host pages")!;
    const cycles = (c: string) => pages.find((p) => p.configuration === c)!.cyclesPerAccess;
    expect(both.slowdown).toBeCloseTo(cycles("nested, guest 2 MiB / host 2 MiB") / cycles("native, 4 KiB pages"), 12);
    expect(both.slowdown).toBeLessThan(1); // large pages in both stages beat native with small pages
    expect(both.buys).toContain(formatNumber(cycles("nested, guest 2 MiB / host 2 MiB")));
    expect(both.buys).toContain(formatNumber(cycles("native, 4 KiB pages")));
    const fig = summaryFigure(rows);
    expect(fig.data.flatMap((t) => t.y as string[])).toContain("nested + 2 MiB guest and host pages");
    // A bar on a log axis starts at the left edge: the line at 1× says where "no extra cost" is.
    expect(fig.layout.shapes).toEqual([expect.objectContaining({ type: "line", x0: 1, x1: 1 })]);
  });

  it("whole program: Amdahl's law with translation at the cited share of the time (A16); I/O rows per request", () => {
    expect(TRANSLATION_SHARE.value).toBe(0.1);
    expect("figure" in TRANSLATION_SHARE.source && TRANSLATION_SHARE.source.figure).toEqual(["A16"]);
    expect(wholeProgramSlowdown(1)).toBe(1);
    expect(wholeProgramSlowdown(21, 0.1)).toBeCloseTo(3, 12);
    expect(() => wholeProgramSlowdown(2, 1.5)).toThrow(/share: got 1.5; allowed: a fraction from 0 to 1/);
    const rows = summary({ seed: 1 });
    for (const r of rows) {
      if (r.area === "memory") {
        expect(r.wholeProgram).toBeCloseTo(0.9 + 0.1 * r.slowdown, 12);
        if (r.slowdown > 1.01) expect(r.wholeProgram).toBeLessThan(r.slowdown);
      } else expect(r.wholeProgram).toBe(r.slowdown);
    }
    const notice = summaryNotice(rows);
    for (const r of rows.filter((x) => x.area === "memory" && Math.abs(x.slowdown - 1) > 0.005)) expect(notice).toContain(`${r.scenario} ${formatNumber(r.slowdown)}× → ${formatNumber(r.wholeProgram)}×`);
    const workloadsNotice = winnersNotice(workloadComparison({ seed: 1 }));
    expect(workloadsNotice).toMatch(/\*\*For a whole program:\*\*.*A16/);
  });
});

describe("notebook 05 notices: every number is the rows', every direction is computed", () => {
  it("cost model, workload list and winners", () => {
    const c = MEMORY_COSTS_DEFAULT;
    expectQuotes(costModelNotice(), exitCycles(c, "guest-pt-write"), exitCycles(c, "cr3-load"), exitCycles(c, "hidden-page-fault"), c.walkRefCycles, c.vmExitRoundTripCycles);
    const list = workloadList(2);
    expect(list.map((r) => r.workload)).toEqual(workloads(2).map((w) => w.label));
    const rows = workloadComparison({ seed: 2, workloads: ["random 1024 pages", "fork/exec"] });
    // Whether the winner flips is computed: the two-workload notice and the one-workload notice say different things.
    const both = winnersNotice(rows), one = winnersNotice(rows.filter((r) => r.workload === "fork/exec"));
    expect(both.split("\n\n")[1]).toBe(winners(rows));
    expect(both.split("\n\n")[2]).toMatch(/^\*\*For a whole program:\*\*/);
    expect(both.split("\n\n")[0]).not.toBe(one.split("\n\n")[0]);
  });

  it("crossover notice and the formula comparison say earlier/later from the numbers", () => {
    const churn = churnSweep({ periods: [0, 200, 20], seed: 3, pages: 1024 });
    const cross = crossover(churn)!;
    expect(crossoverNotice(churn)).toContain(formatNumber(cross.pteWritesPerThousand));
    // Earlier, later or the same: three predictions, three different verdicts, each quoting both crossings.
    const verdicts = [2, 0.5, 1].map((k) => crossoverComparison(churn, cross.pteWritesPerThousand * k, 900));
    verdicts.forEach((v, i) => expectQuotes(v, cross.pteWritesPerThousand * [2, 0.5, 1][i]!, cross.pteWritesPerThousand, 900));
    expect(new Set(verdicts.map((v) => v.split(". ")[1])).size).toBe(3);
    // The exits per write are listed by cause, from the shadow run.
    const s1 = churn.filter((r) => r.mode === "shadow").at(-1)!;
    expect(s1.exitsPerThousandByCause["guest-pt-write"]).toBeGreaterThan(0);
    expectQuotes(crossoverComparison(churn, 50, 900), "guest-pt-write");
    expect(churn.find((r) => r.mode === "nested" && r.pteWritesPerThousand > 0)!.exitsPerThousandByCause["guest-pt-write"] ?? 0).toBe(0);
    // A smaller working set is passed through: more TLB hits.
    const small = churnSweep({ periods: [0, 200], seed: 3, pages: 32 });
    expect(small[0]!.tlbHitPercent).toBeGreaterThan(churn[0]!.tlbHitPercent);
  });

  it("TLB reach and large-page notices quote the rows and compare reach with the working set", () => {
    const rows = largePages({ seed: 1, pages: 4096 });
    const reach = tlbReachNotice(rows, 4096);
    const small = rows.find((r) => r.configuration === "nested, guest 4 KiB / host 4 KiB")!, big = rows.find((r) => r.configuration === "nested, guest 2 MiB / host 2 MiB")!;
    expectQuotes(reach, small.tlbReachKiB, big.tlbReachKiB, `${formatNumber(big.tlbReachKiB / small.tlbReachKiB)}×`, 4096 * 4);
    // Whether the working set fits is computed from reach vs working set: 16 KiB fits in the small reach, 16 MiB only in the large one.
    expect(small.tlbReachKiB).toBeLessThan(4096 * 4);
    expect(big.tlbReachKiB).toBeGreaterThanOrEqual(4096 * 4);
    expect(tlbReachNotice(rows, 16)).not.toBe(reach.replace("16,384", "64"));
    const n42 = rows.find((r) => r.configuration === "nested, guest 4 KiB / host 2 MiB")!;
    const n44 = rows.find((r) => r.configuration === "nested, guest 4 KiB / host 4 KiB")!;
    expectQuotes(largePagesNotice(rows), n44.walkReferences, n42.walkReferences, n42.tlbHitPercent, n42.cyclesPerAccess);
  });

  it("playground notices use the playgrounds' own rows", () => {
    const churn = churnRows({ forkExecPer10k: 5, workingSetPages: 1024, hostPageKiB: 4 });
    const text = churnPlaygroundNotice({ forkExecPer10k: 5, workingSetPages: 1024, hostPageKiB: 4 });
    const [sh, ne] = [churn.find((r) => r.mode === "shadow")!, churn.find((r) => r.mode === "nested")!];
    expectQuotes(text, `${formatNumber(sh.slowdown)}×`, `${formatNumber(ne.slowdown)}×`, `**${sh.slowdown <= ne.slowdown ? "shadow" : "nested"}**`);
    const tlb = tlbSizeRows({ tlbEntries: 64, workingSetPages: 1024, hostPageKiB: 4 });
    expect(tlbPlaygroundNotice({ tlbEntries: 64, workingSetPages: 1024, hostPageKiB: 4 })).toContain(formatNumber(tlb[2]!.cyclesPerAccess));
    const walk = pageWalkNotice({ guestLevels: 4, hostLevels: 4, guestPageKiB: 4, hostPageKiB: 2048 });
    const [w, w4] = [pageWalkReads(4, 4, 4, 2048), pageWalkReads(4, 4, 4, 4)];
    expectQuotes(walk, w.native, w.shadow, w.nestedGuest + w.nestedHost, w4.nestedGuest + w4.nestedHost);
  });

  it("I/O cycles notice and the summary figure's axis titles", () => {
    const rows = ioCycles({ seed: 1 });
    const text = ioCyclesNotice(rows);
    const added = (p: string) => rows.filter((r) => r.path === p && r.category !== "guest work").reduce((s, r) => s + r.cyclesPerRequest, 0);
    expectQuotes(text, `passthrough + posted +${formatNumber(added("passthrough + posted"))}`, `emulated +${formatNumber(added("emulated"))}`);
    const fig = summaryFigure(summary({ seed: 1 }));
    expect(fig.layout.yaxis!.title).toEqual({ text: "mechanism and workload" });
  });
});
