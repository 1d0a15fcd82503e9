import { describe, expect, it } from "vitest";
import { compareMemoryModes, forkExecWorkload, sweepMemoryExperiment, uniformWorkload } from "../../src";

describe("experiments API", () => {
  it("compareMemoryModes returns tidy rows with overhead vs native", () => {
    const rows = compareMemoryModes(uniformWorkload({ pages: 500, accesses: 20_000, seed: 2 }), { parameter: "pages", value: 500 });
    expect(rows.map((r) => r.mode)).toEqual(["native", "shadow", "nested"]);
    expect(rows[0]!.overheadVsNative).toBe(0);
    for (const r of rows) {
      expect(r).toMatchObject({ parameter: "pages", value: 500, accesses: 20_000 });
      expect(r.tlbHitRate).toBeGreaterThanOrEqual(0);
      expect(typeof r.cycles).toBe("number");
    }
    expect(rows[2]!.walkRefsPerWalk).toBeCloseTo(24, 0);
    expect(rows[1]!.overheadVsNative).toBeGreaterThan(0);
  });

  it("sweeps a parameter: churn makes shadow paging pay in exits", () => {
    const rows = sweepMemoryExperiment({
      parameter: "cycles",
      values: [2, 8],
      workload: (cycles) => forkExecWorkload({ cycles, seed: 1 }),
      modes: ["shadow", "nested"],
    });
    expect(rows).toHaveLength(4);
    const shadow8 = rows.find((r) => r.mode === "shadow" && r.value === 8)!;
    const shadow2 = rows.find((r) => r.mode === "shadow" && r.value === 2)!;
    expect(shadow8.vmExits).toBeGreaterThan(shadow2.vmExits);
    expect(shadow8.vmExitsByCause["guest-pt-write"]).toBeGreaterThan(0);
    expect(Number.isNaN(shadow8.overheadVsNative)).toBe(true);
    expect(() => sweepMemoryExperiment({ parameter: "x", values: [], workload: () => uniformWorkload({ pages: 1, accesses: 1 }) })).toThrow(/values/);
  });
});
