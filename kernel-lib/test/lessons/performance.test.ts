// Lesson helpers of notebook 05: the directions the notebook's prose states, checked on the rows
// the notebook shows (shadow wins static TLB-miss-heavy work, nested wins churn, a crossover
// exists, large pages shorten nested walks and raise TLB reach).
import { describe, expect, it } from "vitest";
import {
  perfLessonChurnSweep, perfLessonChurnTrace, perfLessonCrossover, perfLessonIoCycles, perfLessonLargePages,
  perfLessonSummary, perfLessonSummaryFigure, perfLessonWinners, perfLessonWorkloadComparison,
} from "../../src/lessons/performance";
import { ConfigError } from "../../src/core/errors";

describe("notebook 05 lesson helpers", () => {
  const workloads = perfLessonWorkloadComparison({ seed: 2 });
  const at = (w: string, m: string) => workloads.find((r) => r.workload === w && r.mode === m)!;

  it("shadow wins static TLB-miss-heavy work; nested wins fork/exec and mmap churn", () => {
    expect(at("random 1024 pages", "shadow").cyclesPerAccess).toBeLessThan(at("random 1024 pages", "nested").cyclesPerAccess);
    expect(at("fork/exec", "nested").cyclesPerAccess).toBeLessThan(at("fork/exec", "shadow").cyclesPerAccess);
    expect(at("mmap/munmap", "nested").cyclesPerAccess).toBeLessThan(at("mmap/munmap", "shadow").cyclesPerAccess);
    expect(at("fork/exec", "shadow").vmExitsPerThousand).toBeGreaterThan(at("fork/exec", "nested").vmExitsPerThousand);
    expect(at("random 1024 pages", "native").overheadPercent).toBe(0);
    expect(perfLessonWinners(workloads)).toMatch(/fork\/exec\*\*: nested wins/);
  });

  it("the churn sweep has a crossover: shadow climbs with PTE writes, nested stays flat", () => {
    const rows = perfLessonChurnSweep({ periods: [0, 200, 20], seed: 3 });
    const shadow = rows.filter((r) => r.mode === "shadow");
    const nested = rows.filter((r) => r.mode === "nested");
    expect(shadow[0]!.pteWritesPerThousand).toBe(0);
    expect(shadow[2]!.cyclesPerAccess).toBeGreaterThan(shadow[0]!.cyclesPerAccess);
    expect(Math.abs(nested[2]!.cyclesPerAccess - nested[0]!.cyclesPerAccess)).toBeLessThan(0.05 * nested[0]!.cyclesPerAccess);
    const cross = perfLessonCrossover(rows)!;
    expect(cross.pteWritesPerThousand).toBeGreaterThan(shadow[0]!.pteWritesPerThousand);
    expect(cross.pteWritesPerThousand).toBeLessThan(shadow[2]!.pteWritesPerThousand);
    expect(() => perfLessonChurnSweep({ periods: [] })).toThrow(ConfigError);
    expect(() => perfLessonChurnTrace(-1)).toThrow(/period/);
  });

  it("large pages: host 2 MiB pages shorten nested walks; guest 2 MiB pages raise TLB reach and hits", () => {
    const rows = perfLessonLargePages({ seed: 1 });
    const r = (c: string) => rows.find((x) => x.configuration === c)!;
    expect(r("nested, guest 4 KiB / host 2 MiB").walkReferences).toBeLessThan(r("nested, guest 4 KiB / host 4 KiB").walkReferences);
    expect(r("nested, guest 2 MiB / host 2 MiB").tlbReachKiB).toBe(512 * r("nested, guest 4 KiB / host 4 KiB").tlbReachKiB);
    expect(r("nested, guest 2 MiB / host 2 MiB").tlbHitPercent).toBeGreaterThan(r("nested, guest 4 KiB / host 4 KiB").tlbHitPercent);
    expect(r("native, 4 KiB pages").walkReferences).toBeLessThan(r("nested, guest 4 KiB / host 4 KiB").walkReferences);
  });

  it("I/O cycles: the guest's own work is the same on every path; virtualization adds on top", () => {
    const rows = perfLessonIoCycles({ seed: 1 });
    const total = (p: string) => rows.filter((r) => r.path === p).reduce((s, r) => s + r.cyclesPerRequest, 0);
    expect(total("emulated")).toBeGreaterThan(total("vhost"));
    expect(total("vhost")).toBeGreaterThan(total("bare-metal"));
    expect(rows.find((r) => r.path === "bare-metal" && r.category === "world switches (exits)")!.cyclesPerRequest).toBe(0);
  });

  it("the summary puts memory and I/O side by side and labels each bar", () => {
    const rows = perfLessonSummary({ seed: 2, workloadRows: workloads });
    expect(new Set(rows.map((r) => r.area))).toEqual(new Set(["memory", "I/O"]));
    const s = (x: string) => rows.find((r) => r.scenario === x)!.slowdown;
    expect(s("shadow, fork/exec")).toBeGreaterThan(s("nested, fork/exec"));
    expect(s("emulated")).toBeGreaterThan(s("passthrough + posted"));
    const fig = perfLessonSummaryFigure(rows);
    expect(fig.data.every((t) => t.type === "bar")).toBe(true);
    expect(String((fig.data[0]!.text as string[])[0])).toMatch(/×$/);
  });
});
