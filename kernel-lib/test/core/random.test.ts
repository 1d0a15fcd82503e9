import { describe, expect, it } from "vitest";
import { Random } from "../../src/core/random";

describe("Random", () => {
  it("repeats the same sequence for the same seed and differs for another", () => {
    const a = new Random(42), b = new Random(42), c = new Random(43);
    const seqA = Array.from({ length: 100 }, () => a.nextUint32());
    const seqB = Array.from({ length: 100 }, () => b.nextUint32());
    const seqC = Array.from({ length: 100 }, () => c.nextUint32());
    expect(seqA).toEqual(seqB);
    expect(seqA).not.toEqual(seqC);
  });

  it("draws integers in range with a roughly uniform spread", () => {
    const r = new Random(7);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) counts[r.int(10)]++;
    for (const n of counts) expect(Math.abs(n - 10_000)).toBeLessThan(500);
    expect(Math.min(...Array.from({ length: 1000 }, () => r.int(3)))).toBe(0);
  });

  it("gives exponential draws with the requested mean", () => {
    const r = new Random(1);
    let sum = 0;
    for (let i = 0; i < 200_000; i++) sum += r.exponential(5);
    expect(sum / 200_000).toBeCloseTo(5, 1);
  });
});
