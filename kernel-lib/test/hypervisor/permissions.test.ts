import { describe, expect, it } from "vitest";
import { Machine, PF_PRESENT, PF_USER, PF_WRITE, PML_ENTRIES, TraceBuilder, describePageFaultErrorCode, type MemoryVirtualizationMode } from "../../src";

const MiB = 2 ** 20;
const MODES: MemoryVirtualizationMode[] = ["native", "shadow", "nested"];

function machine(mode: MemoryVirtualizationMode) {
  const m = new Machine({ mode, hostMemoryBytes: 2 ** 30 });
  const vm = m.createVm({ memoryBytes: 64 * MiB });
  const p = vm.kernel.createProcess(0);
  return { m, vm, p, k: vm.kernel };
}

describe("page-fault error codes (Intel SDM Vol. 3A §4.7)", () => {
  it("a write to a read-only page that is not copy-on-write is a modeled protection fault with P=1 W/R=1 U/S=1, in every mode", () => {
    for (const mode of MODES) {
      const { m, vm, p, k } = machine(mode);
      k.mapPage(p, 0x500, { writable: false });
      expect(m.access(vm, 0, 0x500 * 4096).ok).toBe(true); // reading is allowed
      const r = m.access(vm, 0, 0x500 * 4096, { write: true, value: 9 });
      expect(r.ok).toBe(false);
      expect(r.event).toBe("protection-fault");
      expect(r.pageFaultErrorCode).toBe(PF_PRESENT | PF_WRITE | PF_USER);
      expect(describePageFaultErrorCode(r.pageFaultErrorCode)).toBe("P=1 (protection) W/R=1 (write) U/S=1 (user)");
      expect(m.protectionFaults).toBe(1);
      expect(m.access(vm, 0, 0x500 * 4096).value).toBe(0); // the write did not happen
    }
  });

  it("a missing page faults with P=0, and W/R says whether the access was a write", () => {
    for (const mode of MODES) {
      const { m, vm } = machine(mode);
      expect(m.access(vm, 0, 0x600 * 4096).pageFaultErrorCode).toBe(PF_USER);
      expect(m.access(vm, 0, 0x601 * 4096, { write: true, value: 1 }).pageFaultErrorCode).toBe(PF_WRITE | PF_USER);
    }
  });

  it("a bulk run counts refused writes and carries on", () => {
    const { m, vm, p, k } = machine("nested");
    k.switchTo(0);
    k.mapPage(p, 0x700, { writable: false });
    const out = new Float64Array(2);
    const s = m.run(new TraceBuilder().write(0x700).read(0x700).build("ro"), vm, { hostFramesOut: out });
    expect(s.protectionFaults).toBe(1);
    expect(out[0]).toBe(-1);
    expect(out[1]).toBeGreaterThan(0);
  });
});

describe("accessed and dirty bits set by the walker (SDM Vol. 3A §4.8; EPT A/D, Vol. 3C §29.3.5)", () => {
  it("a page the kernel allocates for a writable mapping starts dirty (Linux do_anonymous_page); a chosen frame starts clean", () => {
    const { p, k } = machine("native");
    k.mapPage(p, 0x880);
    expect(p.table.lookup(0x880).dirty).toBe(true);
    k.mapPage(p, 0x881, { frame: k.frames.allocate() });
    expect(p.table.lookup(0x881).dirty).toBe(false);
  });

  it("native: a read sets A in every entry of the walk, a write sets D in the leaf only", () => {
    const { m, vm, p, k } = machine("native");
    k.mapPage(p, 0x800, { dirty: false });
    m.access(vm, 0, 0x800 * 4096);
    const steps = p.table.walkSteps(0x800);
    for (const step of steps) expect(step.entryValue & 0x20).toBe(0x20);
    expect(p.table.lookup(0x800).dirty).toBe(false);
    m.access(vm, 0, 0x800 * 4096, { write: true, value: 3 });
    const after = p.table.walkSteps(0x800);
    expect(after[after.length - 1]!.entryValue & 0x40).toBe(0x40);
    for (const step of after.slice(0, -1)) expect(step.entryValue & 0x40).toBe(0);
  });

  it("the first write through a clean TLB entry walks again to set D; later writes hit", () => {
    const { m, vm, p, k } = machine("native");
    k.mapPage(p, 0x900, { dirty: false });
    m.access(vm, 0, 0x900 * 4096);
    const w1 = m.access(vm, 0, 0x900 * 4096, { write: true, value: 1 });
    expect(w1.walkRefs).toBe(4);
    const w2 = m.access(vm, 0, 0x900 * 4096, { write: true, value: 2 });
    expect(w2.tlbHit).toBe(true);
    expect(w2.walkRefs).toBe(0);
  });

  it("nested: the hardware sets the guest's A/D bits and the EPT A/D bits, with no VM exit; walks still read 24 entries", () => {
    const { m, vm, p, k } = machine("nested");
    k.mapPage(p, 0xa00, { dirty: false });
    const gfn = p.table.lookup(0xa00).frame;
    m.access(vm, 0, 0xa00 * 4096);
    // The hypervisor maps EPT leaves dirty; clear the page's and the root table's EPT A/D as PML logging does.
    vm.hostTable!.protect(gfn, { accessed: false, dirty: false });
    vm.hostTable!.protect(p.table.rootFrame, { accessed: false, dirty: false });
    const exits = m.exits.total;
    const r = m.access(vm, 0, 0xa00 * 4096 + 8, { write: true, value: 5, bypassTlb: true });
    expect(r.walkRefs).toBe(24);
    expect(m.exits.total).toBe(exits);
    expect(p.table.lookup(0xa00)).toMatchObject({ accessed: true, dirty: true });
    expect(vm.hostTable!.lookup(gfn)).toMatchObject({ accessed: true, dirty: true });
    // Guest page-table pages: accesses to them count as writes for EPT A/D.
    expect(vm.hostTable!.lookup(p.table.rootFrame)).toMatchObject({ accessed: true, dirty: true });
  });

  it("shadow: the shadow PTE stays read-only until the guest's D bit is set; the write fault sets it and makes the shadow PTE writable", () => {
    const { m, vm, p, k } = machine("shadow");
    k.mapPage(p, 0xb00, { dirty: false });
    m.access(vm, 0, 0xb00 * 4096); // hidden fault fills the shadow entry for a read
    const shadow = vm.shadow!.tableFor(0);
    expect(p.table.lookup(0xb00)).toMatchObject({ accessed: true, dirty: false });
    expect(shadow.lookup(0xb00).writable).toBe(false);
    const w = m.access(vm, 0, 0xb00 * 4096, { write: true, value: 7 });
    expect(w.vmExits["hidden-page-fault"]).toBe(1);
    expect(p.table.lookup(0xb00).dirty).toBe(true);
    expect(shadow.lookup(0xb00).writable).toBe(true);
    expect(m.access(vm, 0, 0xb00 * 4096, { write: true, value: 8 }).vmExits).toEqual({});
  });
});

describe("copy-on-write fork in the guest kernel", () => {
  it("fork shares pages read-only; the first write faults and copies; the last sharer reuses its frame; in every mode", () => {
    for (const mode of MODES) {
      const { m, vm, p, k } = machine(mode);
      k.switchTo(0);
      m.writeString(vm, 0, 0xc00 * 4096, "parent");
      const child = k.fork(p, 1);
      const shared = m.access(vm, 1, 0xc00 * 4096).hostFrame;
      expect(shared).toBe(m.access(vm, 0, 0xc00 * 4096).hostFrame);
      expect(p.table.lookup(0xc00).writable).toBe(false);
      expect(child.table.lookup(0xc00).writable).toBe(false);
      const w = m.access(vm, 1, 0xc00 * 4096, { write: true, value: "C".charCodeAt(0) });
      expect(w.ok).toBe(true);
      expect(w.pageFaultErrorCode).toBe(PF_PRESENT | PF_WRITE | PF_USER);
      expect(k.cowFaults).toBe(1);
      expect(w.hostFrame).not.toBe(shared);
      expect(m.readString(vm, 1, 0xc00 * 4096, 6)).toBe("Carent");
      expect(m.readString(vm, 0, 0xc00 * 4096, 6)).toBe("parent");
      // The parent is now the page's only user: its write fault makes the page writable in place.
      const pw = m.access(vm, 0, 0xc00 * 4096, { write: true, value: "P".charCodeAt(0) });
      expect(k.cowFaults).toBe(2);
      expect(pw.hostFrame).toBe(shared);
      expect(m.readString(vm, 0, 0xc00 * 4096, 6)).toBe("Parent");
    }
  });
});

describe("dirty-page logging", () => {
  function premapped(mode: MemoryVirtualizationMode, pages: number) {
    const m = new Machine({ mode, hostMemoryBytes: 2 ** 30 });
    const vm = m.createVm({ memoryBytes: 64 * MiB });
    const b = new TraceBuilder();
    b.premapRange(0, 0x1000, pages);
    for (let i = 0; i < pages; i++) b.read(0x1000 + i);
    m.run(b.build("warm"), vm);
    const frames = Array.from({ length: pages }, (_, i) => vm.kernel.process(0).table.lookup(0x1000 + i).frame);
    return { m, vm, frames };
  }
  const writes = (vpns: number[]) => {
    const b = new TraceBuilder();
    for (const v of vpns) b.write(v).write(v);
    return b.build("writes");
  };

  for (const mode of ["shadow", "nested"] as const) {
    it(`${mode}, by write protection: one exit for the first write to each page per round, and exactly the written pages are reported`, () => {
      const { m, vm, frames } = premapped(mode, 8);
      m.startDirtyLog(vm, "write-protect");
      const s = m.run(writes([0x1000, 0x1003]), vm, { premap: false });
      const cause = mode === "nested" ? "ept-violation" : "hidden-page-fault";
      expect(s.vmExitsByCause[cause]).toBe(2);
      expect(m.collectDirtyLog(vm)).toEqual([frames[0]!, frames[3]!].sort((a, b) => a - b));
      const s2 = m.run(writes([0x1003]), vm, { premap: false });
      expect(s2.vmExitsByCause[cause]).toBe(1);
      expect(m.collectDirtyLog(vm)).toEqual([frames[3]!]);
    });
  }

  it("nested, with a PML-style log: no exit per page, one 'pml-full' exit per 512 logged pages", () => {
    const { m, vm, frames } = premapped("nested", 600);
    m.startDirtyLog(vm, "pml");
    const s = m.run(writes(frames.map((_, i) => 0x1000 + i)), vm, { premap: false });
    expect(s.vmExitsByCause["ept-violation"] ?? 0).toBe(0);
    expect(s.vmExitsByCause["pml-full"]).toBe(1);
    expect(vm.dirtyLog!.pmlEntries).toBeLessThan(PML_ENTRIES);
    const dirty = new Set(m.collectDirtyLog(vm));
    for (const f of frames) expect(dirty.has(f)).toBe(true);
  });

  it("PML needs nested paging; logging needs a hypervisor", () => {
    const shadow = new Machine({ mode: "shadow" });
    expect(() => shadow.startDirtyLog(shadow.createVm(), "pml")).toThrow(/write-protect/);
    const native = new Machine({ mode: "native" });
    expect(() => native.startDirtyLog(native.createVm())).toThrow(/mode/);
  });
});
