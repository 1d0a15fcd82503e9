// Exercises of notebooks 01–03: seeded problems are deterministic and right; checkers accept a
// correct answer and reject typical wrong ones with feedback that does not give the answer away.
import { describe, expect, it } from "vitest";
import { inspect } from "node:util";
import { ExerciseCheckError } from "../../../src/course/shared/lesson-check";
import { feedback } from "../helpers";
import { X86_64_4LEVEL, OSTEP_TWO_LEVEL } from "../../../src/memory/layout";
import { Tlb } from "../../../src/mmu/tlb";
import { ConfigError } from "../../../src/core/errors";
import { addressSplitProblem, checkNestedWalkRefs, checkNestedWalkRefsOnMachines, checkSplitAddress, nestedWalkProblem, ostepArrayTlbExample, replayLruTlb, tlbReplayProblem, walkLength } from "../../../src/course/03-mmu-virtualization";
import { nestedWalkOrder } from "../../../src/course/03-mmu-virtualization/nested-walk";
import { walkReads } from "../../../src/experiments/walk-reads";
import type { AddressSplit } from "../../../src/course/03-mmu-virtualization";

const correctSplit = (address: number, indexBits: number[], offsetBits: number): AddressSplit => {
  const offset = address % 2 ** offsetBits;
  let rest = Math.floor(address / 2 ** offsetBits);
  const indices: number[] = [];
  for (let d = indexBits.length - 1; d >= 0; d--) {
    indices.unshift(rest % 2 ** indexBits[d]!);
    rest = Math.floor(rest / 2 ** indexBits[d]!);
  }
  return { indices, offset };
};

// The references are private (they answer the exercises); these are the textbook rules, checked
// against the layouts and real walks below and accepted by the checkers.
const splitAddressIn = (layout: { levels: number; splitVirtualAddress(a: number): { vpn: number; offset: number }; indexAt(vpn: number, level: number): number }, address: number) => {
  const { vpn, offset } = layout.splitVirtualAddress(address);
  return { indices: Array.from({ length: layout.levels }, (_, d) => layout.indexAt(vpn, layout.levels - d)), offset };
};
const nestedWalkReferences = (g: number, h: number, gp = 4096, hp = 4096) => {
  const n = walkLength(g, gp, "guestLevels");
  return h === 0 ? n : (n + 1) * (walkLength(h, hp, "hostLevels") + 1) - 1;
};

describe("address split (notebook 03)", () => {
  it("splits the x86-64 example address by the SDM's 9+9+9+9+12 rule", () => {
    // 0x7f12_3456_789a: PML4 = bits 39..47, ..., offset = bits 0..11
    const a = 0x7f123456789a;
    expect(splitAddressIn(X86_64_4LEVEL, a)).toEqual({
      indices: [Math.floor(a / 2 ** 39) % 512, Math.floor(a / 2 ** 30) % 512, Math.floor(a / 2 ** 21) % 512, Math.floor(a / 2 ** 12) % 512],
      offset: 0x89a,
    });
    expect(splitAddressIn(OSTEP_TWO_LEVEL, 0x611c)).toEqual({ indices: [0x18, 0x08], offset: 0x1c });
  });

  it("gives the same problem for the same seed and a different one for another seed", () => {
    expect(addressSplitProblem(5)).toEqual(addressSplitProblem(5));
    expect(addressSplitProblem(5).questions).not.toEqual(addressSplitProblem(6).questions);
    expect(addressSplitProblem(1).answers[0]).toHaveProperty("PML4 (L4)");
    expect(() => addressSplitProblem(1, { layout: "nope" })).toThrow(/layout: got "nope"; allowed: one of/);
  });

  it("accepts a correct splitAddress and explains wrong ones without the answer", () => {
    expect(checkSplitAddress(correctSplit).cases).toBeGreaterThan(100);
    const bitOps = (a: number, bits: number[], off: number): AddressSplit => {
      const indices: number[] = [];
      let shift = off;
      for (let d = bits.length - 1; d >= 0; d--) {
        indices.unshift((a >>> shift) & (2 ** bits[d]! - 1));
        shift += bits[d]!;
      }
      return { indices, offset: a & (2 ** off - 1) };
    };
    expect(feedback(() => checkSplitAddress(bitOps))).toMatch(/indices\[\d\].*bits \d+\.\.\d+ of the address.*32-bit integers/);
    const reversed = (a: number, b: number[], o: number) => {
      const s = correctSplit(a, b, o);
      return { indices: s.indices.reverse(), offset: s.offset };
    };
    expect(feedback(() => checkSplitAddress(reversed))).toMatch(/leaf-first order.*Input: address 0x/);
    expect(feedback(() => checkSplitAddress(() => { throw new Error("not implemented"); }))).toMatch(/still throws "not implemented"/);
    expect(feedback(() => checkSplitAddress((a, b, o) => ({ indices: correctSplit(a, b, o).indices, offset: 0 })))).toMatch(/lowest \d+ bits/);
  });
});

describe("the feedback block a student reads", () => {
  const failure = (fn: () => unknown): ExerciseCheckError => {
    try {
      fn();
    } catch (e) {
      if (e instanceof ExerciseCheckError) return e;
      throw e;
    }
    throw new Error("the checker accepted a wrong answer");
  };

  it("is what console.error prints (as tslab does): exercise, input, what was wrong, hint; no stack, no path, no field dump", () => {
    const leafFirst = (a: number, b: number[], o: number) => {
      const s = correctSplit(a, b, o);
      return { indices: s.indices.reverse(), offset: s.offset };
    };
    const e = failure(() => checkSplitAddress(leafFirst));
    const printed = inspect(e);
    expect(printed.split("\n")[0]).toBe("✗ splitAddress is not right yet");
    expect(printed).toMatch(/\n  Input: address 0x[0-9a-f]+ with indexBits \[/);
    expect(printed).toMatch(/\n  What was wrong: indices\[0\] \(the root level\) is wrong/);
    expect(printed).toMatch(/\n  Hint: your indices are in leaf-first order/);
    expect(printed).not.toMatch(/^\s+at /m);
    expect(printed).not.toMatch(/dist\/|kernel-lib\/|\/work\/|exercise:|feedback:/);
    expect(e.stack).toBe(e.block());
    expect(e.message).toMatch(/^splitAddress: /); // one line for graders' summaries
  });

  it("matches the hint to the mistake for splitAddress: 32-bit operators, leaf-first, no offset shift, a level missing", () => {
    const split = (a: number, b: number[], o: number, change: (s: AddressSplit) => AddressSplit) => change(correctSplit(a, b, o));
    expect(failure(() => checkSplitAddress((a, b, o) => {
      const indices: number[] = [];
      let shift = o;
      for (let d = b.length - 1; d >= 0; d--) {
        indices.unshift((a >> shift) & (2 ** b[d]! - 1));
        shift += b[d]!;
      }
      return { indices, offset: a & (2 ** o - 1) };
    })).hint).toMatch(/32-bit integers/);
    expect(failure(() => checkSplitAddress((a, b, o) => split(a, b, o, (s) => ({ ...s, indices: s.indices.slice(1) })))).hint).toMatch(/one index is missing/);
    expect(failure(() => checkSplitAddress((a, b, o) => {
      const indices: number[] = [];
      let rest = a;
      for (let d = b.length - 1; d >= 0; d--) {
        indices.unshift(rest % 2 ** b[d]!);
        rest = Math.floor(rest / 2 ** b[d]!);
      }
      return { indices, offset: a % 2 ** o };
    })).hint).toMatch(/start above the offset/);
  });
});

describe("TLB replay (notebook 03)", () => {
  it("reproduces OSTEP's array example: 70% on the first pass, 100% on the second (figure D7)", () => {
    const ex = ostepArrayTlbExample();
    expect(ex.steps.map((s) => (s.hit ? "h" : "m")).join("")).toBe("mhhmhhhmhh");
    expect(ex.firstPassHitRate).toBeCloseTo(0.7);
    const two = ostepArrayTlbExample({ passes: 2 });
    expect(two.steps.slice(10).every((s) => s.hit)).toBe(true);
  });

  it("agrees with the simulator's TLB configured as one fully associative set", () => {
    const p = tlbReplayProblem(3, { accesses: 40, pages: 10, entries: 4 });
    const addresses = p.answers.map((r) => parseInt(String(r["virtual address"]), 16));
    const tlb = new Tlb({ sets: 1, ways: 4, pageShifts: [0] });
    const replay = replayLruTlb(addresses, 4, 4096);
    for (const step of replay) {
      const hit = tlb.lookup(step.vpn, 0) >= 0;
      if (!hit) tlb.insert(step.vpn, 0, step.vpn + 100);
      expect(hit).toBe(step.hit);
    }
    expect(p.stats).toMatch(/hit rate \d+%/);
    expect(tlbReplayProblem(3)).toEqual(tlbReplayProblem(3));
  });
});

describe("nested walk references (notebook 03)", () => {
  it("rejects a page size x86 has no leaf for; hostLevels 0 is a native walk", () => {
    expect(() => nestedWalkReferences(4, 4, 8192)).toThrow(ConfigError);
    expect(nestedWalkReferences(4, 0)).toBe(nestedWalkReferences(4, 0, 4096));
  });

  it("the reference answer agrees with real walks of tables in memory for every configuration (the counts themselves: test/mmu/)", () => {
    for (const g of [4, 5]) for (const h of [4, 5]) for (const gp of [4, 2048, 1048576]) for (const hp of [4, 2048, 1048576]) {
      expect(walkReads("nested", g, h, gp, hp).total).toBe(nestedWalkReferences(g, h, gp * 1024, hp * 1024));
      expect(walkReads("native", g, h, gp, hp).total).toBe(nestedWalkReferences(g, 0, gp * 1024));
    }
  });

  it("lists the references of a 4+4 walk in hardware order: a host walk before each guest read, then the data page's", () => {
    const order = nestedWalkOrder(4, 4);
    expect(order).toHaveLength(nestedWalkReferences(4, 4));
    expect(order.filter((r) => r.dimension === "guest").map((r) => r.order)).toEqual([5, 10, 15, 20]);
    expect(order.slice(20).every((r) => r.dimension === "host" && r.forGuestLevel === 0)).toBe(true);
  });

  it("checks nestedWalkRefs with feedback on the kind of mistake", () => {
    expect(checkNestedWalkRefs((g, h, gp, hp) => nestedWalkReferences(g, h, gp, hp)).cases).toBe(36);
    expect(feedback(() => checkNestedWalkRefs((g, h) => (g + 1) * (h + 1) - 1))).toMatch(/large pages are ignored/);
    expect(feedback(() => checkNestedWalkRefs((g, h) => g * h))).toMatch(/guest's own entry reads/);
    expect(feedback(() => checkNestedWalkRefs((g, h) => (g + 1) * (h + 1)))).toMatch(/final data access/);
    const msg = feedback(() => checkNestedWalkRefs((g, h) => (g + 1) * (h + 1)));
    expect(msg).not.toMatch(/\b24\b/); // the feedback does not state the right count
  });

  it("hidden test: checks nestedWalkRefs against seeded simulated machines, without giving the count away", () => {
    const right = (g: number, h: number, gp: number, hp: number) => nestedWalkReferences(g, h, gp, hp);
    expect(checkNestedWalkRefsOnMachines(right, { seed: 2027, machines: 6 }).cases).toBe(6);
    expect(checkNestedWalkRefsOnMachines(right, { seed: 8, machines: 3 }).cases).toBe(3);
    const plusOne = feedback(() => checkNestedWalkRefsOnMachines((g, h, gp, hp) => right(g, h, gp, hp) + 1, { seed: 2027, machines: 6 }));
    expect(plusOne).toMatch(/final data access.*simulated machine with a \d-level guest/);
    const noLarge = feedback(() => checkNestedWalkRefsOnMachines((g, h) => (g + 1) * (h + 1) - 1, { seed: 2027, machines: 6 }));
    expect(noLarge).toMatch(/large pages are ignored/);
    expect(feedback(() => checkNestedWalkRefsOnMachines(() => { throw new Error("not implemented"); }))).toMatch(/still throws "not implemented"/);
  });

  it("matches the hint to the mistake: one level off on either side", () => {
    const nested = (n: number, m: number) => (n + 1) * (m + 1) - 1;
    const len = (levels: number, bytes: number) => levels - (bytes === 2 ** 30 ? 2 : bytes === 2 ** 21 ? 1 : 0);
    expect(feedback(() => checkNestedWalkRefs((g, h, gp, hp) => nested(len(g, gp) - 1, len(h, hp))))).toMatch(/one guest level short/);
    expect(feedback(() => checkNestedWalkRefs((g, h, gp, hp) => nested(len(g, gp), len(h, hp) + 1)))).toMatch(/one host level too many/);
    expect(feedback(() => checkNestedWalkRefs((g, h, gp, hp) => nested(len(g, gp) + 1, len(h, hp) + 1)))).toMatch(/one level too many on both sides/);
  });

  it("makes seeded problems", () => {
    expect(nestedWalkProblem(9)).toEqual(nestedWalkProblem(9));
    expect(nestedWalkProblem(9).answers).toHaveLength(4);
  });
});
