import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Machine, tlbTag, Tlb } from "../../src";

const MiB = 2 ** 20;

describe("shadow paging invalidates exactly what changed", () => {
  it("mapping one page into a fresh region keeps every unrelated TLB entry (issue 15)", () => {
    const m = new Machine({ mode: "shadow", tlb: { sets: 16, ways: 4 } });
    const vm = m.createVm({ memoryBytes: 64 * MiB });
    const p = vm.kernel.createProcess(0);
    const hot = Array.from({ length: 16 }, (_, i) => 0x10000 + i);
    for (const vpn of hot) m.access(vm, 0, vpn * 4096);
    const tag = tlbTag(vm.id, 0);
    for (const vpn of hot) expect(m.mmu.tlb.probe(vpn, tag)).toBeGreaterThanOrEqual(0);
    const flushedBefore = m.mmu.tlb.flushedEntries;
    const exitsBefore = m.exits.count("guest-pt-write");
    // A fresh 512 GiB region: new level-3, level-2 and level-1 tables, every write trapped.
    vm.kernel.mapPage(p, 0x7f0000000);
    expect(m.exits.count("guest-pt-write") - exitsBefore).toBe(4);
    expect(m.mmu.tlb.flushedEntries).toBe(flushedBefore);
    for (const vpn of hot) expect(m.mmu.tlb.probe(vpn, tag)).toBeGreaterThanOrEqual(0);
  });

  it("a changed upper-level entry drops the TLB entries of its range only", () => {
    const m = new Machine({ mode: "shadow", tlb: { sets: 16, ways: 4 } });
    const vm = m.createVm({ memoryBytes: 64 * MiB });
    const p = vm.kernel.createProcess(0);
    // Two 2 MiB regions (two leaf tables); the second is emptied, which clears its level-2 entry.
    for (let i = 0; i < 8; i++) m.access(vm, 0, (0x10000 + i) * 4096);
    m.access(vm, 0, 0x10200 * 4096);
    const tag = tlbTag(vm.id, 0);
    vm.kernel.unmapPage(p, 0x10200);
    for (let i = 0; i < 8; i++) expect(m.mmu.tlb.probe(0x10000 + i, tag)).toBeGreaterThanOrEqual(0);
    expect(m.mmu.tlb.probe(0x10200, tag)).toBe(-1);
  });

  it("Tlb.flushRange removes the overlapping entries of one tag, of any page size, and says how many", () => {
    const t = new Tlb({ sets: 4, ways: 4 });
    t.insert(10, 1, 100);
    t.insert(11, 1, 101);
    t.insert(11, 2, 201);
    t.insert(512 * 3 + 5, 1, 5000, 9); // a 2 MiB page covering 1536..2047
    expect(t.flushRange(0, 8, 1)).toBe(0);
    expect(t.flushRange(11, 1, 1)).toBe(1);
    expect(t.probe(11, 2)).toBe(201);
    expect(t.flushRange(2000, 1, 1)).toBe(1);
    expect(t.probe(1600, 1)).toBe(-1);
    expect(t.probe(10, 1)).toBe(100);
  });

  it("a changed mapping is never served stale: every access matches a reference translation of the guest's table", () => {
    const op = fc.tuple(fc.constantFrom("map", "unmap", "remap", "protect", "access", "access", "access", "switch", "fork", "exec"), fc.integer({ min: 0, max: 1500 }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 150 }), fc.constantFrom(4096, 2 * MiB), (ops, hostPageSizeBytes) => {
        const m = new Machine({ mode: "shadow", hostMemoryBytes: 2 ** 30, hostPageSizeBytes, tlb: { sets: 8, ways: 4 } });
        const vm = m.createVm({ memoryBytes: 64 * MiB });
        const k = vm.kernel;
        k.createProcess(0);
        k.switchTo(0);
        for (const [kind, n] of ops) {
          const p = k.current!;
          const vpn = 0x1000 + n * 5; // several leaf tables and two level-2 tables
          if (kind === "map") k.mapPage(p, vpn);
          else if (kind === "unmap") k.unmapPage(p, vpn);
          else if (kind === "remap") {
            k.unmapPage(p, vpn);
            k.mapPage(p, vpn);
          } else if (kind === "protect") p.table.protect(vpn, { writable: n % 2 === 0 });
          else if (kind === "switch") k.switchTo(n % 2);
          else if (kind === "fork") {
            if (p.pid === 0) {
              if (k.processes.has(1)) k.exit(1);
              k.fork(p, 1);
            }
          } else if (kind === "exec") k.exec(p);
          else {
            const r = m.access(vm, p.pid, vpn * 4096 + 3);
            expect(r.ok).toBe(true);
            // The reference: the guest's own table, looked up in software, through the memslot.
            expect(r.hostFrame).toBe(vm.hostFrameOf(p.table.lookup(vpn).frame));
          }
        }
      }),
      { numRuns: 60, seed: 21 },
    );
  });
});
