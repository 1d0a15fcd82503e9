// Reads of one TLB miss from real walks (experiments/walk-reads.ts), on the page-walk playground's
// whole slider grid: the rules its notices state. The counts themselves are proved in test/mmu/.
import { describe, expect, it } from "vitest";
import { pageWalkReads, walkReads } from "../../src/experiments/walk-reads";

describe("pageWalkReads on the slider grid", () => {
  it("shadow walks a native-length table with the smaller page; nested reads (n+1)(m+1)-1 for the walk lengths it took", () => {
    for (const g of [4, 5]) for (const h of [4, 5]) for (const gp of [4, 2048, 1048576]) for (const hp of [4, 2048, 1048576]) {
      const w = pageWalkReads(g, h, gp, hp);
      expect(w.shadow).toBe(gp <= hp ? w.native : walkReads("native", g, h, hp, hp).total);
      const m = w.nestedHost / (w.nestedGuest + 1);
      expect(Number.isInteger(m)).toBe(true);
      expect(w.nestedGuest + w.nestedHost).toBe((w.nestedGuest + 1) * (m + 1) - 1);
    }
  });
});
