// The claims notebooks 01–03 make, checked on the simulator runs that produce their numbers.
import { describe, expect, it } from "vitest";
import { addressChainRows, addressChainSummary, cloudHookNumbers, cloudHookIoFigure } from "../../src/lessons/introduction";
import { chaosDemo, isolationDemo, memoryCostsNote, serverWhatIf, shadowSheetDemo, shadowSyncOverhead } from "../../src/lessons/memory-virtualization";
import { ctoWhatIf, largePageWalks, nativeWalkDemo, nestedWalkDemo, pageWalkNotice, tlbHitRateSweep, tlbSizeNotice } from "../../src/lessons/mmu-virtualization";
import { MEMORY_COSTS_DEFAULT, memoryCostModel } from "../../src/costs/memory";
import { pageWalkReads } from "../../src/playgrounds/page-walk";
import { tlbSizeRows } from "../../src/playgrounds/tlb-size";
import { nestedWalkOrder, nestedWalkReferences } from "../../src/exercises/walk";
import { splitAddressIn } from "../../src/exercises/translation";
import { X86_64_4LEVEL } from "../../src/memory/layout";
import { Machine } from "../../src/hypervisor/machine";

describe("notebook 01", () => {
  it("hook: a nested TLB miss reads more entries than a native one; emulated I/O exits most and is slowest", () => {
    const h = cloudHookNumbers();
    expect(h.walkReads.native).toBe(4);
    expect(h.walkReads.shadow).toBe(4);
    expect(h.walkReads.nested).toBe(24);
    const by = Object.fromEntries(h.io.map((r) => [r.path, r]));
    expect(by.emulated!.exitsPerRequest).toBeGreaterThan(by.virtio!.exitsPerRequest);
    expect(by.emulated!.throughputRps).toBeLessThan(by.virtio!.throughputRps);
    expect(by.passthrough!.throughputRps).toBeLessThanOrEqual(by["bare-metal"]!.throughputRps);
    expect(cloudHookIoFigure(h).data[0]!.y).toHaveLength(4);
  });

  it("tiny hypervisor: the same guest addresses in two VMs land in different host frames", () => {
    const host = new Machine({ mode: "nested", hostMemoryBytes: 64 * 2 ** 20 });
    const a = host.createVm({ name: "A", memoryBytes: 8 * 2 ** 20 });
    const b = host.createVm({ name: "B", memoryBytes: 8 * 2 ** 20 });
    a.kernel.createProcess(1);
    b.kernel.createProcess(1);
    expect(host.writeString(a, 1, 0x400000, "AAAA") + host.writeString(b, 1, 0x400000, "BBBB")).toBe(0);
    const rows = addressChainRows(host, [a, b], 1, 0x400000);
    expect(rows[0]!["guest-physical"]).toBe(rows[1]!["guest-physical"]);
    expect(rows[0]!["host-physical"]).not.toBe(rows[1]!["host-physical"]);
    expect(rows.map((r) => r["bytes there"])).toEqual(['"AAAA"', '"BBBB"']);
    expect(addressChainSummary(rows)).toMatch(/\*\*same\*\* guest-physical.*\*\*different\*\* host/);
  });
});

describe("notebook 02", () => {
  it("chaos: without isolation the second VM's write lands on the first VM's data", () => {
    const c = chaosDemo();
    expect(c.sameHostAddress).toBe(true);
    expect(c.recordsReadsBack).toBe("SIGNALS");
  });

  it("isolation: different host frames, and a cross-VM attempt is a modeled fault in both modes", () => {
    const d = isolationDemo();
    expect(d.sameHostAddress).toBe(false);
    for (const a of d.attempts) {
      expect(a.event).toBe("isolation-fault");
      expect(a.recordsReadsBack).toBe("PAYROLL");
    }
    expect(d.attempts.find((a) => a.mode === "nested")!.vmExits).toHaveProperty("ept-violation");
  });

  it("shadow sheet: the shadow entry is the guest entry composed with the hypervisor's map", () => {
    const s = shadowSheetDemo();
    expect(s.shadowFrame).toBe(s.hostFrame);
    expect(s.exits["guest-pt-write"]).toBeGreaterThan(0);
  });

  it("the shadow-table exercise's claim: one guest PTE rewrite costs 1 VM exit under shadow paging, 0 under nested", () => {
    for (const [mode, expected] of [["shadow", 1], ["nested", 0]] as const) {
      const m = new Machine({ mode, hostMemoryBytes: 64 * 2 ** 20 });
      const vm = m.createVm({ memoryBytes: 8 * 2 ** 20 });
      vm.kernel.createProcess(1);
      m.writeString(vm, 1, 0x400000, "x");
      const before = m.totals().vmExits;
      vm.kernel.process(1).table.map(0x400, 7); // the guest points its page at another of its frames
      expect(m.totals().vmExits - before).toBe(expected);
    }
  });

  it("sync overhead: shadow paging's cost grows with page-table writes, nested stays flat, and they cross", () => {
    const r = shadowSyncOverhead({ accesses: 6000, rates: [0, 10, 40] });
    const series = (m: string) => r.rows.filter((x) => x.mode.startsWith(m)).map((x) => x["cycles per access"]);
    const shadow = series("shadow"), nested = series("nested"), native = series("bare");
    expect(shadow[0]).toBeCloseTo(native[0]!, 0); // static table: native-length walks
    expect(nested[0]).toBeGreaterThan(shadow[0]!);
    expect(shadow[2]).toBeGreaterThan(nested[2]!);
    expect(shadow[2]).toBeGreaterThan(shadow[1]!);
    expect(Math.abs(nested[2]! - nested[0]!)).toBeLessThan(0.2 * nested[0]!);
    const exits = r.exitRows.filter((x) => x.mode.startsWith("nested")).map((x) => x["VM exits per 1,000 accesses"]);
    expect(exits.every((e) => e === 0)).toBe(true);
    expect(r.summary).toMatch(/Shadow paging becomes the more expensive one/);
  });

  it("server what-if: shadow wins the static TLB-bound database, nested wins the fork-heavy server", () => {
    const r = serverWhatIf({ accesses: 6000 });
    const cost = (w: string, m: string) => r.rows.find((x) => x.workload === w && x.mode.startsWith(m))!["cycles per access"];
    expect(cost("in-memory database", "shadow")).toBeLessThan(cost("in-memory database", "nested"));
    expect(cost("web server, fork per request", "nested")).toBeLessThan(cost("web server, fork per request", "shadow"));
  });
});

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

describe("cost-model note (notebooks 02, 03)", () => {
  it("states the constants of the cost model it is given, not typed numbers", () => {
    expect(memoryCostsNote()).toContain(`**${MEMORY_COSTS_DEFAULT.accessCycles} cycle${MEMORY_COSTS_DEFAULT.accessCycles === 1 ? "" : "s"}** per access`);
    const other = memoryCostsNote(memoryCostModel({ accessCycles: 3, vmExitRoundTripCycles: 1500 }));
    expect(other).toContain("**3 cycles** per access");
    expect(other).toContain("**1,500 cycles**");
    expect(shadowSyncOverhead({ accesses: 2000, rates: [0, 40] }).summary).toContain(`VM exit round trip ${MEMORY_COSTS_DEFAULT.vmExitRoundTripCycles.toLocaleString("en-US")} cycles`);
  });
});
