import { describe, expect, it } from "vitest";
import { Machine, bytesSource, simulateTrace } from "../../src";
// The bench's trace generator (plain JS, Node): the same records the C comparison runs on.
import { forEachMatmulRecord } from "../../bench/trace-gen.js";

/**
 * The bench compares the simulation loop with a plain C model (bench/tlb-model.c) and checks
 * that both count the same. A unit test cannot rely on a C compiler, so it pins the TypeScript
 * model's counts on the bench's trace instead: these are the numbers tlb-model.c printed for
 * the same 300,000 records (16 × 4 TLB, 4-level, no walk cache, every page premapped).
 */
describe("the bench's matmul trace", () => {
  const bytes = new Uint8Array(300_000 * 8);
  const view = new DataView(bytes.buffer);
  let n = 0;
  forEachMatmulRecord(300_000, (_kind: string, address: number) => {
    view.setUint32(n * 8, address >>> 0, true);
    view.setUint32(n * 8 + 4, Math.floor(address / 2 ** 32), true);
    n++;
  });

  for (const [mode, hits, misses, walkRefs] of [
    ["native", 266607, 33393, 133572],
    ["nested", 266607, 33393, 801432],
  ] as const) {
    it(`${mode}: the counts the C reference model gives`, () => {
      const m = new Machine({ mode, tlb: { sets: 16, ways: 4 }, walkCacheEntries: 0 });
      const { stats } = simulateTrace(m, m.createVm(), bytesSource("matmul", bytes), "raw64");
      expect([stats.accesses, stats.tlbHits, stats.tlbMisses, stats.walkRefs]).toEqual([300_000, hits, misses, walkRefs]);
    });
  }
});
