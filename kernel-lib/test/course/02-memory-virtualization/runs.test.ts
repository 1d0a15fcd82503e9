// The claims notebook 02 makes, checked on the simulator runs that produce its numbers.
import { describe, expect, it } from "vitest";
import { expectQuotes } from "../helpers";
import { MEMORY_COSTS_DEFAULT, memoryCostModel } from "../../../src/costs/memory";
import { Machine } from "../../../src/hypervisor/machine";
import { chaosDemo, isolationDemo, memoryCostsNote, serverWhatIf, shadowSheetDemo, shadowSyncOverhead } from "../../../src/course/02-memory-virtualization";

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
    // The summary quotes the sweep's own numbers, and where the lines cross.
    const shadowRows = r.rows.filter((x) => x.mode.startsWith("shadow"));
    const crossing = shadowRows.findIndex((x, i) => x["cycles per access"] > nested[i]!);
    expect(crossing).toBeGreaterThan(0);
    expectQuotes(r.summary, `**${shadowRows[crossing]!["guest PTE writes per 1,000 accesses"]}**`, native[0]!, shadow[2]!, nested[2]!);
  });

  it("server what-if: shadow wins the static TLB-bound database, nested wins the fork-heavy server", () => {
    const r = serverWhatIf({ accesses: 6000 });
    const cost = (w: string, m: string) => r.rows.find((x) => x.workload === w && x.mode.startsWith(m))!["cycles per access"];
    expect(cost("in-memory database", "shadow")).toBeLessThan(cost("in-memory database", "nested"));
    expect(cost("web server, fork per request", "nested")).toBeLessThan(cost("web server, fork per request", "shadow"));
  });
});

describe("cost-model note (notebooks 02, 03)", () => {
  it("states the constants of the cost model it is given, not typed numbers", () => {
    const d = MEMORY_COSTS_DEFAULT;
    expectQuotes(memoryCostsNote(), `**${d.accessCycles} cycle`, `**${d.walkRefCycles} cycle`, `**${d.vmExitRoundTripCycles.toLocaleString("en-US")} cycles**`);
    expectQuotes(memoryCostsNote(memoryCostModel({ accessCycles: 3, vmExitRoundTripCycles: 1500 })), "**3 cycles**", "**1,500 cycles**");
    expectQuotes(shadowSyncOverhead({ accesses: 2000, rates: [0, 40] }).summary, d.vmExitRoundTripCycles, d.walkRefCycles);
  });
});
