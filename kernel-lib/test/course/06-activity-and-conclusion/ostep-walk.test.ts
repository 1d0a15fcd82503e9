// Exercises of notebook 06: the OSTEP machine is well formed (its dump parses back to the same
// memory), the hand-translation problem's answers are the library's walk, and the walk checker
// accepts a correct walk and names the broken rule for typical wrong ones.
import { describe, expect, it } from "vitest";
import { feedback } from "../helpers";
import { parseOstepMemoryDump, solveOstepTranslation } from "../../../src/memory/ostep";
import { checkOstepWalk, mmuTranslationProblem, ostepMachine, walkReadsAndTlbSavings } from "../../../src/course/06-activity-and-conclusion";
import type { OstepWalkFn } from "../../../src/course/06-activity-and-conclusion";

const correct: OstepWalkFn = (readByte, pdbr, va) => {
  const pde = readByte(pdbr * 32 + ((va >> 10) & 31));
  if (!(pde & 0x80)) return null;
  const pte = readByte((pde & 0x7f) * 32 + ((va >> 5) & 31));
  if (!(pte & 0x80)) return null;
  return (pte & 0x7f) * 32 + (va & 31);
};

describe("OSTEP machine (notebook 06)", () => {
  it("prints a dump that parses back to the same memory, and maps the pages it lists", () => {
    const m = ostepMachine(11);
    const parsed = parseOstepMemoryDump(m.dump);
    for (let a = 0; a < 128 * 32; a += 7) expect(parsed.memory.readByte(a)).toBe(m.memory.readByte(a));
    expect(m.dump.split("\n")).toHaveLength(128);
    for (const vpn of m.mappedVpns) expect(solveOstepTranslation(m.memory, m.pdbr, vpn * 32).ok).toBe(true);
  });

  it("the problem mixes translations and faults, and its answers are the library's walk", () => {
    const p = mmuTranslationProblem(4, { count: 6 });
    expect(JSON.stringify(mmuTranslationProblem(4, { count: 6 }).answers)).toBe(JSON.stringify(p.answers));
    const kinds = new Set(p.answers.map((a) => String(a.answer).split(" ")[0]));
    expect(kinds).toEqual(new Set(["Translates", "Fault"]));
    p.virtualAddresses.forEach((va, i) => {
      expect(p.answers[i]!.answer).toBe(solveOstepTranslation(p.machine.memory, p.pdbr, va).answer);
      expect(p.questions[i]).not.toHaveProperty("answer");
    });
  });
});

describe("checkOstepWalk (notebook 06, graded)", () => {
  it("accepts a correct walk", () => {
    expect(checkOstepWalk(correct).cases).toBe(240);
  });

  it("names the broken rule for typical wrong walks", () => {
    const noValidCheck: OstepWalkFn = (rb, p, va) => {
      const pde = rb(p * 32 + ((va >> 10) & 31));
      const pte = rb((pde & 0x7f) * 32 + ((va >> 5) & 31));
      return (pte & 0x7f) * 32 + (va & 31);
    };
    expect(feedback(() => checkOstepWalk(noValidCheck))).toMatch(/valid bit/);
    const dropsOffset: OstepWalkFn = (rb, p, va) => {
      const r = correct(rb, p, va);
      return r === null ? null : r - (va & 31);
    };
    expect(feedback(() => checkOstepWalk(dropsOffset))).toMatch(/offset/);
    const swappedIndices: OstepWalkFn = (rb, p, va) => correct(rb, p, ((va >> 5) & 31) << 10 | ((va >> 10) & 31) << 5 | (va & 31));
    expect(feedback(() => checkOstepWalk(swappedIndices))).toMatch(/bits 14–10|PD index/);
    const keepsValidBit: OstepWalkFn = (rb, p, va) => {
      const pde = rb(p * 32 + ((va >> 10) & 31));
      if (!(pde & 0x80)) return null;
      const pte = rb(pde * 32 + ((va >> 5) & 31));
      return pte & 0x80 ? (pte & 0x7f) * 32 + (va & 31) : null;
    };
    expect(feedback(() => checkOstepWalk(keepsValidBit))).toMatch(/outside memory/);
    expect(feedback(() => checkOstepWalk(() => { throw new Error("not implemented"); }))).toMatch(/not implemented/);
  });

  it("counts the walk's reads and what a TLB saves", () => {
    const r = walkReadsAndTlbSavings(correct, { count: 100, tlbEntries: 4 });
    expect(r.pageTableReads).toBeGreaterThanOrEqual(100);
    expect(r.pageTableReads).toBeLessThanOrEqual(200);
    expect(r.walksSavedByTlb).toBeGreaterThan(0);
    expect(r.walksSavedByTlb).toBeLessThan(100);
    expect(walkReadsAndTlbSavings(correct, { count: 100, tlbEntries: 16 }).walksSavedByTlb).toBeGreaterThanOrEqual(r.walksSavedByTlb);
  });
});
