// The claims notebook 03 makes, checked on the simulator runs that produce its numbers.
import { describe, expect, it } from "vitest";
import { tlbSizeRows } from "../../../src/playgrounds/tlb-size";
import { X86_64_4LEVEL } from "../../../src/memory/layout";
import { ctoWhatIf, largePageWalks, nativeWalkDemo, nestedWalkDemo, nestedWalkOrder, nestedWalkReferences, pageWalkNotice, splitAddressIn, tlbHitRateSweep, tlbSizeNotice } from "../../../src/course/03-mmu-virtualization";
import { pageWalkReads } from "../../../src";

describe("notebook 03", () => {
  it("native walk: one entry per level, indices equal the address split, reaches the written byte", () => {
    const w = nativeWalkDemo();
    expect(w.walkRefs).toBe(4);
    expect(w.rows.map((r) => r.index)).toEqual(splitAddressIn(X86_64_4LEVEL, 0x7f3a1c2d5e6f).indices);
    expect(w.physicalAddress % 4096).toBe(0x7f3a1c2d5e6f % 4096);
  });

  it("TLB sweep: hit rate falls as the working set grows and rises with TLB size", () => {
    const r = tlbHitRateSweep({ workingSets: [16, 1024], tlbEntries: [16, 256], accesses: 3000 });
    const hr = (e: number, ws: number) => r.rows.find((x) => x["TLB entries"] === `${e} entries` && x["working set (pages)"] === ws)!["hit rate (%)"];
    expect(hr(256, 16)).toBeGreaterThan(99);
    expect(hr(256, 1024)).toBeLessThan(hr(256, 16));
    expect(hr(16, 1024)).toBeLessThan(hr(256, 1024));
  });

  it("nested walk: 24 references in the exercise's hardware order, guest reads every fifth", () => {
    const n = nestedWalkDemo();
    expect(n.walkRefs).toBe(nestedWalkReferences(4, 4));
    expect(n.steps.map((s) => s.dimension)).toEqual(nestedWalkOrder(4, 4).map((r) => r.dimension));
    expect(n.figure.data.map((t) => t.type)).toEqual(["scatter", "scatter"]); // handouts ship scatter/bar/pie only
  });

  it("large pages: the nested counts of figure A8 from real walks", () => {
    const r = largePageWalks();
    const nested = (g: string, h: string) => r.rows.find((x) => x["guest page"] === g && x["host page"] === h)!["nested walk"];
    expect([nested("4 KiB", "4 KiB"), nested("2 MiB", "4 KiB"), nested("4 KiB", "2 MiB"), nested("2 MiB", "2 MiB"), nested("1 GiB", "1 GiB"), nested("1 GiB", "4 KiB")]).toEqual([24, 19, 19, 15, 8, 14]);
  });

  it("CTO what-if: shadow drowns in exits on the light apps; large pages make nested cheapest for the game", () => {
    const r = ctoWhatIf({ accesses: 6000 });
    const cost = (w: string, s: string) => r.rows.find((x) => x.workload.startsWith(w) && x.setup === s)!["cycles per access"];
    expect(cost("light", "shadow paging")).toBeGreaterThan(cost("light", "nested paging (EPT/NPT)"));
    expect(cost("gaming", "shadow paging")).toBeLessThan(cost("gaming", "nested paging (EPT/NPT)"));
    expect(cost("gaming", "nested + 2 MiB pages")).toBeLessThan(cost("gaming", "shadow paging"));
    for (const t of r.figure.data) expect(t.type).toBe("bar");
  });

  it("CTO what-if: every virtualized setup has a bare-metal bar with the same pages, and the fair comparison favours nested + 2 MiB", () => {
    const r = ctoWhatIf({ accesses: 6000 });
    const setups = [...new Set(r.rows.map((x) => x.setup))];
    expect(setups).toEqual(["bare metal", "bare metal + 2 MiB pages", "shadow paging", "shadow + 2 MiB pages", "nested paging (EPT/NPT)", "nested + 2 MiB pages"]);
    const cost = (w: string, s: string) => r.rows.find((x) => x.workload.startsWith(w) && x.setup === s)!["cycles per access"];
    // Large pages help bare metal as much as the VMs: no virtualized setup beats bare metal with the same pages.
    for (const w of ["light", "gaming"]) {
      for (const [virt, bare] of [["shadow paging", "bare metal"], ["nested paging (EPT/NPT)", "bare metal"], ["shadow + 2 MiB pages", "bare metal + 2 MiB pages"], ["nested + 2 MiB pages", "bare metal + 2 MiB pages"]]) {
        expect(cost(w, virt!)).toBeGreaterThanOrEqual(cost(w, bare!));
      }
    }
    expect(cost("gaming", "bare metal + 2 MiB pages")).toBeLessThan(cost("gaming", "bare metal"));
    expect(cost("light", "shadow + 2 MiB pages")).toBeGreaterThan(cost("light", "nested + 2 MiB pages"));
    expect(r.summary).toMatch(/closest to bare metal on both: \*\*nested \+ 2 MiB pages\*\*/);
    const colors = r.figure.data.map((t) => (t.marker as { color: string }).color);
    expect(new Set(colors).size).toBe(6);
  });

  it("playground notices: the numbers are the playgrounds' own, and the 'any slider value' rules hold on the whole slider grid", () => {
    const walk = pageWalkReads(4, 4, 2048, 2048);
    expect(pageWalkNotice({ guestLevels: 4, hostLevels: 4, guestPageKiB: 2048, hostPageKiB: 2048 })).toContain(`= **${walk.nestedGuest + walk.nestedHost}**`);
    for (const g of [4, 5]) for (const h of [4, 5]) for (const gp of [4, 2048, 1048576]) for (const hp of [4, 2048, 1048576]) {
      const w = pageWalkReads(g, h, gp, hp);
      // shadow = a native walk with the smaller page: bare metal's length unless the guest page is the larger one
      expect(w.shadow).toBe(gp <= hp ? w.native : pageWalkReads(g, h, hp, hp).native);
      const m = w.nestedHost / (w.nestedGuest + 1);
      expect(Number.isInteger(m)).toBe(true);
      expect(w.nestedGuest + w.nestedHost).toBe((w.nestedGuest + 1) * (m + 1) - 1);
    }
    const rows = tlbSizeRows({ tlbEntries: 64, workingSetPages: 1024, hostPageKiB: 4 });
    expect(tlbSizeNotice({ tlbEntries: 64, workingSetPages: 1024 })).toContain(`**${rows[2]!.cyclesPerAccess.toFixed(1)}** under nested paging`);
    for (const tlbEntries of [16, 256, 2048]) for (const workingSetPages of [16, 1024, 4096]) for (const hostPageKiB of [4, 2048]) {
      const [native, shadow, nested] = tlbSizeRows({ tlbEntries, workingSetPages, hostPageKiB });
      expect(shadow!.tlbHitRate).toBe(native!.tlbHitRate);
      expect(nested!.tlbHitRate).toBe(native!.tlbHitRate);
      expect(shadow!.cyclesPerAccess).toBeCloseTo(native!.cyclesPerAccess, 9);
      expect(nested!.cyclesPerAccess).toBeGreaterThanOrEqual(native!.cyclesPerAccess);
    }
  });
});
