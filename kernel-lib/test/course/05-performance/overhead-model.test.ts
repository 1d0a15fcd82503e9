// Exercises of notebook 05: the predict problem's answers follow the model, and the crossover
// checker accepts the right formula and names the broken property for typical wrong ones.
import { describe, expect, it } from "vitest";
import { feedback } from "../helpers";
import { checkCrossover, crossoverPteWritesPerThousand, overheadPerThousand, predictProblem } from "../../../src/course/05-performance";
import { ExerciseCheckError } from "../../../src/course/shared/lesson-check";

describe("predictProblem (notebook 05)", () => {
  it("is deterministic per seed, hides answers in the questions, and reveals the model's winner", () => {
    expect(JSON.stringify(predictProblem(3))).toBe(JSON.stringify(predictProblem(3)));
    const p = predictProblem(9, { count: 4 });
    expect(p.questions.every((q) => q.winner === "?")).toBe(true);
    for (const a of p.answers) {
      const o = overheadPerThousand({
        tlbMissesPerThousand: Number(a["TLB misses / 1000"]),
        pteWritesPerThousand: Number(a["PTE writes / 1000"]),
        levels: Number(a.levels),
      });
      expect(a.winner).toBe(o.winner);
      expect(a["nested (cycles / 1000)"]).toBe(Math.round(o.nested));
    }
  });

  it("every seed's problem has both outcomes (shadow wins some programs, nested others)", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const winners = new Set(predictProblem(seed).answers.map((a) => a.winner));
      expect([...winners].sort(), `seed ${seed}`).toEqual(["nested", "shadow"]);
    }
    expect(predictProblem(5, { count: 1 }).answers).toHaveLength(1);
  });

  it("the model: shadow pays per write, nested per miss; at the crossover they are equal", () => {
    const m = 12;
    const x = crossoverPteWritesPerThousand(m, 4, 8, 2391);
    const o = overheadPerThousand({ tlbMissesPerThousand: m, pteWritesPerThousand: x, levels: 4, walkRefCycles: 8, exitCycles: 2391 });
    expect(o.shadow).toBeCloseTo(o.nested, 6);
    expect(overheadPerThousand({ tlbMissesPerThousand: m, pteWritesPerThousand: 0, levels: 4 }).winner).toBe("shadow");
    expect(overheadPerThousand({ tlbMissesPerThousand: 0, pteWritesPerThousand: 1, levels: 4 }).winner).toBe("nested");
  });
});

describe("checkCrossover (notebook 05, graded)", () => {
  const right = (m: number, n: number, r: number, e: number) => (m * ((n + 1) * (n + 1) - 1 - n) * r) / e;

  it("accepts the right formula", () => {
    expect(checkCrossover(right).message).toContain("crossover");
  });

  it("names the broken property, not the value", () => {
    // forgot that shadow also walks (uses 24 instead of 24 - 4)
    expect(feedback(() => checkCrossover((m, n, r, e) => (m * ((n + 1) * (n + 1) - 1) * r) / e))).toMatch(/walk lengths/);
    // exit cost multiplied instead of divided
    expect(feedback(() => checkCrossover((m, n, r, e) => (m * 20 * r * e) / 1e6))).toMatch(/halve when exitCycles doubles/);
    // ignores the misses
    expect(feedback(() => checkCrossover((_m, _n, r, e) => (20 * r) / e))).toMatch(/must be 0|double when the TLB misses double/);
    // hard-coded 4 levels
    expect(feedback(() => checkCrossover((m, _n, r, e) => (m * 20 * r) / e))).toMatch(/levels argument/);
    // returns a string
    expect(feedback(() => checkCrossover((() => "12") as never))).toMatch(/finite number/);
  });
});

describe("checkCrossover with a seed (hidden tests)", () => {
  it("adds seeded cases that a right answer passes and a hard-coded depth fails", () => {
    const right = (m: number, n: number, r: number, e: number) => (m * ((n + 1) * (n + 1) - 1 - n) * r) / e;
    expect(checkCrossover(right, 5).cases).toBeGreaterThan(checkCrossover(right).cases);
    expect(() => checkCrossover((m, _n, r, e) => (m * 20 * r) / e, 5)).toThrow(ExerciseCheckError);
  });
});
