// The claims notebook 03 makes, checked on the simulator runs that produce its numbers.
import { describe, expect, it } from "vitest";
import { expectQuotes } from "../helpers";
import { tlbSizeRows } from "../../../src/playgrounds";
import { X86_64_4LEVEL } from "../../../src/memory/layout";
import { ctoWhatIf, largePageWalks, nativeWalkDemo, nestedWalkDemo, pageWalkNotice, tlbHitRateSweep, tlbSizeNotice } from "../../../src/course/03-mmu-virtualization";
import { nestedWalkOrder } from "../../../src/course/03-mmu-virtualization/nested-walk";
import { pageWalkReads } from "../../../src";

describe("notebook 03", () => {
  it("native walk: one entry per level, indices equal the address split, reaches the written byte", () => {
    const w = nativeWalkDemo();
    expect(w.walkRefs).toBe(4);
    const vpn = X86_64_4LEVEL.splitVirtualAddress(0x7f3a1c2d5e6f).vpn;
    expect(w.rows.map((r) => r.index)).toEqual([4, 3, 2, 1].map((level) => X86_64_4LEVEL.indexAt(vpn, level)));
    expect(w.physicalAddress % 4096).toBe(0x7f3a1c2d5e6f % 4096);
  });

  it("TLB sweep: hit rate falls as the working set grows and rises with TLB size", () => {
    const r = tlbHitRateSweep({ workingSets: [16, 1024], tlbEntries: [16, 256], accesses: 3000 });
    const hr = (e: number, ws: number) => r.rows.find((x) => x["TLB entries"] === `${e} entries` && x["working set (pages)"] === ws)!["hit rate (%)"];
    expect(hr(256, 16)).toBeGreaterThan(99);
    expect(hr(256, 1024)).toBeLessThan(hr(256, 16));
    expect(hr(16, 1024)).toBeLessThan(hr(256, 1024));
  });

  it("nested walk: the walker's references, in the exercise's hardware order", () => {
    const n = nestedWalkDemo();
    expect(n.walkRefs).toBe(n.steps.length);
    expect(n.guestReads + n.hostReads).toBe(n.walkRefs);
    expect(n.steps.map((s) => s.dimension)).toEqual(nestedWalkOrder(4, 4).map((r) => r.dimension));
    expect(n.figure.data.map((t) => t.type)).toEqual(["scatter", "scatter"]); // handouts ship scatter/bar/pie only
  });

  it("large pages: the table and its summary are the walker's counts (figure A8's values are proved in test/mmu/)", () => {
    const r = largePageWalks();
    const kib: Record<string, number> = { "4 KiB": 4, "2 MiB": 2048, "1 GiB": 1048576 };
    expect(r.rows).toHaveLength(9);
    for (const row of r.rows) {
      const w = pageWalkReads(4, 4, kib[row["guest page"]]!, kib[row["host page"]]!);
      expect([row["native walk"], row["shadow walk"], row["nested walk"]]).toEqual([w.native, w.shadow, w.nestedGuest + w.nestedHost]);
    }
    const nested = (g: string, h: string) => r.rows.find((x) => x["guest page"] === g && x["host page"] === h)!["nested walk"];
    expectQuotes(r.summary, ...[["4 KiB", "4 KiB"], ["2 MiB", "4 KiB"], ["2 MiB", "2 MiB"], ["1 GiB", "1 GiB"], ["1 GiB", "4 KiB"]].map(([g, h]) => `**${nested(g!, h!)}**`));
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
    // The summary names the setup whose worst ratio to bare metal (same pages) is smallest.
    const same = (s: string) => (s.includes("2 MiB") ? "bare metal + 2 MiB pages" : "bare metal");
    const worst = setups.filter((s) => !s.startsWith("bare")).map((s) => ({ s, x: Math.max(...["light", "gaming"].map((w) => cost(w, s) / cost(w, same(s)))) }));
    const best = worst.reduce((a, b) => (b.x < a.x ? b : a)).s;
    expectQuotes(r.summary, `**${best}**`);
    const colors = r.figure.data.map((t) => (t.marker as { color: string }).color);
    expect(new Set(colors).size).toBe(6);
  });

  it("playground notices: the numbers are the playgrounds' own, and the 'any slider value' rules hold on the whole slider grid", () => {
    const walk = pageWalkReads(4, 4, 2048, 2048);
    expectQuotes(pageWalkNotice({ guestLevels: 4, hostLevels: 4, guestPageKiB: 2048, hostPageKiB: 2048 }), `**${walk.native}**`, `**${walk.shadow}**`, `**${walk.nestedGuest + walk.nestedHost}**`);
    // The walk rules the notice states for every slider setting are proved on the whole grid in test/experiments/walk-reads.test.ts.
    const rows = tlbSizeRows({ tlbEntries: 64, workingSetPages: 1024, hostPageKiB: 4 });
    expectQuotes(tlbSizeNotice({ tlbEntries: 64, workingSetPages: 1024 }), ...rows.map((r) => `**${r.cyclesPerAccess.toFixed(1)}**`));
    for (const tlbEntries of [16, 256, 2048]) for (const workingSetPages of [16, 1024, 4096]) for (const hostPageKiB of [4, 2048]) {
      const [native, shadow, nested] = tlbSizeRows({ tlbEntries, workingSetPages, hostPageKiB });
      expect(shadow!.tlbHitRate).toBe(native!.tlbHitRate);
      expect(nested!.tlbHitRate).toBe(native!.tlbHitRate);
      expect(shadow!.cyclesPerAccess).toBeCloseTo(native!.cyclesPerAccess, 9);
      expect(nested!.cyclesPerAccess).toBeGreaterThanOrEqual(native!.cyclesPerAccess);
    }
  });
});
