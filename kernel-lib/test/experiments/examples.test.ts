// The usage examples handed to notebook authors, kept as tests so they cannot drift.
import { describe, expect, it } from "vitest";
import { Machine, compareMemoryModes, forkExecWorkload, uniformWorkload } from "../../src";

describe("usage examples", () => {
  it("translate an address with its step list", () => {
    const m = new Machine({ mode: "nested" }); // 4-level guest table on a 4-level EPT
    const vm = m.createVm({ name: "Ava", memoryBytes: 64 * 2 ** 20 });
    const p = vm.kernel.createProcess();
    vm.kernel.mapPage(p, 0x7f000); // the guest kernel maps virtual page 0x7f000
    const r = m.access(vm, p.pid, 0x7f000123, { bypassTlb: true });
    const rows = r.steps.map((s) => ({ dim: s.dimension, level: s.level, table: s.tableAddress, index: s.index, entry: s.entryHex }));
    expect(r.walkRefs).toBe(24);
    expect(rows).toHaveLength(24);
    expect(rows[4]).toMatchObject({ dim: "guest", level: 4, index: 0 });
    expect(r.hostPhysicalAddress % 4096).toBe(0x123);
  });

  it("shadow vs nested on two workloads, as tidy rows", () => {
    const rows = [
      ...compareMemoryModes(uniformWorkload({ pages: 2000, accesses: 200_000, seed: 1 }), { parameter: "workload", value: "static, TLB-miss-heavy" }),
      ...compareMemoryModes(forkExecWorkload({ cycles: 30, seed: 1 }), { parameter: "workload", value: "fork/exec churn" }),
    ];
    const table = rows.map((r) => ({ workload: r.value, mode: r.mode, hit: r.tlbHitRate, walkRefs: r.walkRefs, exits: r.vmExits, overhead: r.overheadVsNative }));
    const o = (w: string, mode: string) => table.find((r) => r.workload === w && r.mode === mode)!.overhead;
    expect(o("static, TLB-miss-heavy", "shadow")).toBeLessThan(o("static, TLB-miss-heavy", "nested"));
    expect(o("fork/exec churn", "nested")).toBeLessThan(o("fork/exec churn", "shadow"));
  });

  it("no isolation: chaos", () => {
    const m = new Machine({ mode: "nested", isolation: false }); // guest-physical = host-physical
    const alex = m.createVm({ name: "Alex", memoryBytes: 16 * 2 ** 20 });
    const ava = m.createVm({ name: "Ava", memoryBytes: 16 * 2 ** 20 });
    alex.kernel.createProcess();
    ava.kernel.createProcess();
    m.writeString(alex, 0, 0x1000, "Alex: pay rent");
    m.writeString(ava, 0, 0x1000, "Ava: buy shoes");
    expect(m.readString(alex, 0, 0x1000, 14)).toBe("Ava: buy shoes"); // Alex's data is gone
  });

  it("isolation: reaching outside is a modeled fault", () => {
    const m = new Machine({ mode: "nested" });
    const alex = m.createVm({ name: "Alex", memoryBytes: 16 * 2 ** 20 });
    const p = alex.kernel.createProcess();
    alex.kernel.mapPage(p, 0x50, { frame: 1_000_000 }); // a guest-physical frame Alex was never given
    const r = m.access(alex, p.pid, 0x50 * 4096, { write: true, value: 42 });
    expect(r.ok).toBe(false);
    expect(r.event).toBe("isolation-fault");
    expect(r.vmExits["ept-violation"]).toBe(1);
    expect(m.isolationFaults).toBe(1);
  });
});
