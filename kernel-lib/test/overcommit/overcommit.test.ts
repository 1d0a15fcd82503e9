import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError, OvercommitHost, TraceBuilder, adjustedSharesPerPage, hotColdWorkload, idlePageCost, pageHash, pickVictim, planReclaim, type OvercommitVm } from "../../src";

const PAGE = 4096;
const FIRST = 0x100;

/** A host with `vms` VMs, each with `pages` pages of process 0 mapped at FIRST and filled from `fill(vmIndex, page)`. */
function hostWith(vms: number, pages: number, fill: (vm: number, page: number) => Uint8Array | null, options: { capacityPages?: number; memoryPages?: number } = {}) {
  const host = new OvercommitHost({ capacityPages: options.capacityPages ?? 4096 });
  const list: OvercommitVm[] = [];
  for (let v = 0; v < vms; v++) {
    const ov = host.addVm({ name: `vm${v + 1}`, memoryPages: options.memoryPages ?? 256 });
    const trace = new TraceBuilder(PAGE, 0).premapRange(0, FIRST, pages).build("pages", 1);
    host.prepare(ov, trace);
    const p = ov.vm.kernel.process(0);
    for (let i = 0; i < pages; i++) host.guestWritePage(ov.vm, p.table.lookup(FIRST + i).frame, fill(v, i));
    list.push(ov);
  }
  return { host, vms: list };
}

function identical(_vm: number, page: number): Uint8Array {
  const b = new Uint8Array(PAGE);
  b[100] = page + 1;
  b[4000] = 7;
  return b;
}

describe("content-based page sharing", () => {
  it("merges identical pages of several VMs into one read-only frame each, and a write breaks the sharing by copy-on-write through an EPT write-protect violation", () => {
    const { host, vms } = hostWith(3, 4, identical);
    const used = host.usedPages;
    expect(host.scan(1000)).toBe(12);
    expect(host.sharing.frames).toBe(4);
    expect(host.sharing.mappings).toBe(12);
    expect(host.usedPages).toBe(used - 8);
    const m = host.machine;
    const before = m.exits.count("ept-violation");
    const r = m.access(vms[1]!.vm, 0, FIRST * PAGE + 100, { write: true, value: 99 });
    expect(r.ok).toBe(true);
    expect(r.vmExits["ept-violation"]).toBe(1);
    expect(m.exits.count("ept-violation")).toBe(before + 1);
    expect(host.sharing.cowBreaks).toBe(1);
    expect(host.isShared(vms[1]!.vm, r.hostFrame - vms[1]!.vm.firstHostFrame)).toBe(false);
    expect(m.access(vms[0]!.vm, 0, FIRST * PAGE + 100).value).toBe(1);
    expect(m.access(vms[2]!.vm, 0, FIRST * PAGE + 100).value).toBe(1);
    expect(m.access(vms[1]!.vm, 0, FIRST * PAGE + 100).value).toBe(99);
    expect(host.usedPages).toBe(used - 7);
  });

  it("property: under random writes, reads and scans across VMs with identical pages, no VM ever sees another VM's write, and host memory stays within its size", () => {
    const op = fc.record({ vm: fc.nat(2), page: fc.nat(3), offset: fc.constantFrom(0, 100, 4000, 4095), value: fc.integer({ min: 0, max: 255 }), kind: fc.constantFrom("write", "read", "read", "scan") });
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
        const { host, vms } = hostWith(3, 4, identical);
        const model = vms.map(() => Array.from({ length: 4 }, (_, i) => identical(0, i)));
        host.scan(1000);
        for (const o of ops) {
          const vm = vms[o.vm]!.vm;
          const addr = (FIRST + o.page) * PAGE + o.offset;
          if (o.kind === "scan") host.scan(6);
          else if (o.kind === "write") {
            expect(host.machine.access(vm, 0, addr, { write: true, value: o.value }).ok).toBe(true);
            model[o.vm]![o.page]![o.offset] = o.value;
          } else expect(host.machine.access(vm, 0, addr).value).toBe(model[o.vm]![o.page]![o.offset]);
          expect(host.usedPages).toBeLessThanOrEqual(host.capacityPages);
        }
        for (let v = 0; v < 3; v++) for (let p = 0; p < 4; p++) for (const off of [0, 100, 4000, 4095]) {
          expect(host.machine.access(vms[v]!.vm, 0, (FIRST + p) * PAGE + off).value).toBe(model[v]![p]![off]);
        }
      }),
      { numRuns: 40 },
    );
  });

  it("a scanner running at a rate during the workloads merges zero pages the programs have not written yet and breaks them as they write (copy-on-write faults counted)", () => {
    const host = new OvercommitHost({ capacityPages: 2048 });
    const work = [0, 1].map((i) => {
      const vm = host.addVm({ name: `vm${i}`, memoryPages: 512 });
      const trace = hotColdWorkload({ accesses: 3000, hotPages: 20, coldPages: 300, hotFraction: 0.5, writeFraction: 0.5, seed: i + 1 });
      host.machine.prepare(trace, vm.vm); // fresh anonymous pages: all zeros until written
      return { vm, trace };
    });
    const r = host.run(work, { sliceAccesses: 100, scanPagesPerTick: 50 });
    expect(host.sharing.merges).toBeGreaterThan(0);
    expect(r.cowBreaks).toBeGreaterThan(0);
    expect(r.cowBreaks).toBe(host.sharing.cowBreaks);
    expect(r.eptViolations).toBeGreaterThanOrEqual(r.cowBreaks);
  });

  it("with dirty logging on (PML or write protection), a write to a shared page still breaks the sharing and is logged", () => {
    for (const method of ["pml", "write-protect"] as const) {
      const { host, vms } = hostWith(2, 3, identical);
      host.scan(100);
      const vm = vms[0]!.vm;
      host.machine.startDirtyLog(vm, method);
      const p = vm.kernel.process(0);
      const g = p.table.lookup(FIRST + 1).frame;
      expect(host.isShared(vm, g)).toBe(true);
      expect(host.machine.access(vm, 0, (FIRST + 1) * PAGE + 100, { write: true, value: 42 }).ok).toBe(true);
      vm.kernel.memory.writeEntry(p.table.lookup(FIRST + 2).frame, 8, 1, 5, 0); // a guest-kernel store into another shared page
      expect(host.sharing.cowBreaks).toBe(2);
      expect(host.machine.collectDirtyLog(vm)).toEqual(expect.arrayContaining([g, p.table.lookup(FIRST + 2).frame]));
      expect(host.machine.access(vms[1]!.vm, 0, (FIRST + 1) * PAGE + 100).value).toBe(2);
      expect(host.machine.access(vms[1]!.vm, 0, (FIRST + 2) * PAGE + 8).value).toBe(0);
      expect(host.machine.access(vm, 0, (FIRST + 2) * PAGE + 8).value).toBe(5);
    }
  });

  it("hashes: the zero page and an unwritten page hash alike; different pages usually differ", () => {
    expect(pageHash(null)).toBe(pageHash(new Uint8Array(PAGE)));
    expect(pageHash(identical(0, 1))).not.toBe(pageHash(identical(0, 2)));
  });
});

describe("host swapping", () => {
  it("swap-in restores each page's contents: pages swapped out read back byte for byte", () => {
    const fill = (vm: number, page: number) => {
      const b = new Uint8Array(PAGE);
      for (let i = 0; i < PAGE; i += 512) b[i] = (vm * 50 + page * 3 + i / 512) & 255;
      return b;
    };
    const { host, vms } = hostWith(2, 20, fill);
    const swapped = host.hostSwapOut(40);
    expect(swapped).toBeGreaterThanOrEqual(30);
    expect(host.swap.pages).toBe(swapped);
    for (let v = 0; v < 2; v++) for (let p = 0; p < 20; p++) for (let i = 0; i < PAGE; i += 512) {
      expect(host.machine.access(vms[v]!.vm, 0, (FIRST + p) * PAGE + i).value).toBe((v * 50 + p * 3 + i / 512) & 255);
    }
    expect(host.swap.swapIns).toBeGreaterThan(0);
    expect(host.swap.pages).toBe(swapped - host.swap.swapIns);
  });

  it("property: with host memory below what the workloads touch, used host pages never exceed its size, and every access completes", () => {
    fc.assert(
      fc.property(fc.integer({ min: 120, max: 400 }), fc.integer({ min: 1, max: 1000 }), (capacity, seed) => {
        const host = new OvercommitHost({ capacityPages: capacity, seed });
        const work = [0, 1].map((i) => {
          const vm = host.addVm({ name: `vm${i}`, memoryPages: 256 });
          const trace = hotColdWorkload({ accesses: 600, hotPages: 16, coldPages: 180, seed: seed + i });
          host.prepare(vm, trace);
          return { vm, trace };
        });
        const r = host.run(work, { sliceAccesses: 50 });
        expect(r.accesses).toBe(1200);
        expect(host.peakUsedPages).toBeLessThanOrEqual(capacity);
        expect(host.machine.isolationFaults + host.machine.protectionFaults).toBe(0);
      }),
      { numRuns: 15 },
    );
  });

  it("a guest fork's copy-on-write copies a page the host had swapped out from its real contents (read back first)", () => {
    const fill = (_vm: number, page: number) => {
      const b = new Uint8Array(PAGE);
      b[0] = page + 10;
      b[2000] = page + 20;
      return b;
    };
    const { host, vms } = hostWith(1, 16, fill, { capacityPages: 40 });
    const vm = vms[0]!.vm;
    host.hostSwapOut(100);
    expect(host.swap.pages).toBeGreaterThan(10);
    vm.kernel.fork(vm.kernel.process(0), 1);
    for (let p = 0; p < 16; p++) {
      const w = host.machine.access(vm, 1, (FIRST + p) * PAGE + 2000, { write: true, value: 200 + p });
      expect(w.ok).toBe(true);
      expect(host.machine.access(vm, 1, (FIRST + p) * PAGE).value).toBe(p + 10);
      expect(host.machine.access(vm, 0, (FIRST + p) * PAGE + 2000).value).toBe(p + 20);
      expect(host.machine.access(vm, 1, (FIRST + p) * PAGE + 2000).value).toBe(200 + p);
      expect(host.usedPages).toBeLessThanOrEqual(40);
    }
    expect(vm.kernel.cowFaults).toBe(16);
  });

  it("a host too small for even the guests' page tables (which are never swapped) says so", () => {
    const host = new OvercommitHost({ capacityPages: 16 });
    const prepareAll = () => {
      for (let i = 0; i < 6; i++) host.prepare(host.addVm({ memoryPages: 256 }), hotColdWorkload({ accesses: 0, hotPages: 1, coldPages: 1 }));
    };
    expect(prepareAll).toThrow(/capacityPages.*enough host memory/);
  });
});

describe("balloon driver", () => {
  it("the guest gives free frames, then page cache, and pages out itself only when it must; the host frees the backing", () => {
    const host = new OvercommitHost({ capacityPages: 4096 });
    const ov = host.addVm({ memoryPages: 256, filePages: 100 });
    const trace = hotColdWorkload({ accesses: 0, hotPages: 8, coldPages: 92 });
    host.prepare(ov, trace);
    const cache = ov.guest.cachePages;
    expect(cache).toBeGreaterThan(0);
    const used = host.usedPages;
    ov.balloon.inflate(ov.vm.kernel.frames.freeFrames - ov.guest.reserveFrames);
    expect(ov.guest.cacheDropped).toBe(0);
    ov.balloon.inflate(cache);
    expect(ov.guest.cacheDropped).toBe(cache);
    expect(ov.guest.pagedOut).toBe(0);
    expect(host.usedPages).toBe(used - cache);
    ov.balloon.inflate(10, false);
    expect(ov.guest.pagedOut).toBe(0); // without page-out the guest has nothing more to give
    ov.balloon.inflate(10);
    expect(ov.guest.pagedOut).toBe(10);
    expect(ov.balloon.exits).toBeGreaterThan(0);
  });

  it("property: ballooned frames are never used by the guest until deflated (no process maps them, no cache holds them, the EPT does not back them)", () => {
    const step = fc.oneof(fc.record({ kind: fc.constant("inflate" as const), n: fc.integer({ min: 1, max: 80 }) }), fc.record({ kind: fc.constant("deflate" as const), n: fc.integer({ min: 1, max: 80 }) }), fc.record({ kind: fc.constant("run" as const), n: fc.integer({ min: 1, max: 400 }) }));
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 99 }), (steps, seed) => {
        const host = new OvercommitHost({ capacityPages: 2048, seed });
        const ov = host.addVm({ memoryPages: 256, filePages: 60 });
        const full = hotColdWorkload({ accesses: 4000, hotPages: 20, coldPages: 120, seed });
        host.prepare(ov, full);
        let at = 0;
        for (const s of steps) {
          if (s.kind === "inflate") ov.balloon.inflate(s.n);
          else if (s.kind === "deflate") ov.balloon.deflate(s.n);
          else {
            const n = Math.min(s.n, full.length - at);
            host.run([{ vm: ov, trace: { ...full, length: n, accesses: n, ops: full.ops.subarray(at, at + n), arg: full.arg.subarray(at, at + n), premap: [] } }]);
            at += n;
          }
          const held = new Set(ov.balloon.frames());
          ov.vm.kernel.process(0).table.forEachMapping((_vpn, frame) => expect(held.has(frame)).toBe(false));
          for (const g of held) {
            expect(ov.guest.inCache(g)).toBe(false);
            expect(ov.vm.hostMapped[g]).toBe(0);
            expect(ov.vm.tablePage[g]).toBe(0);
          }
        }
      }),
      { numRuns: 25 },
    );
  });

  it("rejects a negative or fractional request, naming it", () => {
    const host = new OvercommitHost({ capacityPages: 512 });
    const ov = host.addVm({ memoryPages: 256 });
    expect(() => ov.balloon.inflate(-1)).toThrow(ConfigError);
    expect(() => ov.balloon.inflate(1.5)).toThrow(/pages/);
    expect(() => host.shrinkTo(100, "squeeze" as never)).toThrow(/technique.*"balloon", "swap", "both"/);
    expect(() => new OvercommitHost({ capacityPages: 512, addressSpacePages: 600 }).addVm({ memoryPages: 1024 })).toThrow(/memoryPages.*addressSpacePages/);
  });
});

describe("double paging", () => {
  it("a page the host swapped out and the guest then pages out is read back from the host's swap first, and counted", () => {
    const host = new OvercommitHost({ capacityPages: 1024, seed: 3 });
    const ov = host.addVm({ memoryPages: 512 });
    host.prepare(ov, hotColdWorkload({ accesses: 0, hotPages: 10, coldPages: 480 }));
    ov.guest.ageAll();
    host.hostSwapOut(300);
    const ins = host.swap.swapIns;
    ov.balloon.inflate(100);
    const c = host.counters();
    expect(c.guestPagedOut).toBeGreaterThan(0);
    expect(c.doublePagingReads).toBeGreaterThan(0);
    expect(c.doublePagingReads).toBe(c.hostSwapIns - ins);
    expect(c.doublePagingReads).toBeLessThanOrEqual(c.guestPagedOut);
  });
});

describe("idle-memory tax (Waldspurger 2002, §5.2)", () => {
  it("computes ρ = S / (P (f + k (1 − f))) with k = 1 / (1 − τ)", () => {
    expect(idlePageCost(0.75)).toBe(4);
    expect(adjustedSharesPerPage(1000, 100, 0.5, 0.75)).toBeCloseTo(4);
    expect(adjustedSharesPerPage(1000, 100, 0.5, 0)).toBeCloseTo(10);
    expect(() => idlePageCost(1)).toThrow(/taxRate/);
  });

  it("property: with equal shares and pages, a tax makes the less active client give the first page and at least half of any request; ρ falls with idleness", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.05, max: 0.95, noNaN: true }), fc.integer({ min: 1, max: 50 }), (fa, fb, tau, pages) => {
        fc.pre(Math.abs(fa - fb) > 0.05);
        const clients = [{ shares: 1000, pages: 1000, activeFraction: fa }, { shares: 1000, pages: 1000, activeFraction: fb }];
        const plan = planReclaim(clients, pages, tau);
        const idler = fa < fb ? 0 : 1;
        expect(pickVictim(clients, tau)).toBe(idler);
        expect(plan[idler]).toBeGreaterThanOrEqual(plan[1 - idler]!);
        expect(plan[0]! + plan[1]!).toBe(pages);
        expect(adjustedSharesPerPage(1000, 1000, Math.min(fa, fb), tau)).toBeLessThan(adjustedSharesPerPage(1000, 1000, Math.max(fa, fb), tau));
      }),
    );
  });

  it("takes from the idle client first with a tax, evenly without one (equal shares and pages)", () => {
    const clients = [{ shares: 1000, pages: 500, activeFraction: 0.9 }, { shares: 1000, pages: 500, activeFraction: 0.1 }];
    expect(pickVictim(clients, 0.75)).toBe(1);
    expect(planReclaim(clients, 100, 0.75)).toEqual([0, 100]);
    const flat = planReclaim(clients, 100, 0);
    expect(flat[0]! + flat[1]!).toBe(100);
    expect(Math.abs(flat[0]! - flat[1]!)).toBeLessThanOrEqual(1);
  });

  it("on the host: the idle VM's sampled active fraction is lower, and the balloons reclaim from it first", () => {
    const host = new OvercommitHost({ capacityPages: 2048, taxRate: 0.75 });
    const busy = host.addVm({ name: "busy", memoryPages: 512 });
    const idle = host.addVm({ name: "idle", memoryPages: 512 });
    const tb = hotColdWorkload({ accesses: 8000, hotPages: 200, coldPages: 50, hotFraction: 0.99, seed: 1 });
    const ti = hotColdWorkload({ accesses: 50, hotPages: 4, coldPages: 246, hotFraction: 1, seed: 2 });
    host.prepare(busy, tb);
    host.prepare(idle, ti);
    host.startIdleSample(60);
    host.run([{ vm: busy, trace: tb }, { vm: idle, trace: ti }]);
    host.endIdleSample();
    expect(idle.activeFraction).toBeLessThan(busy.activeFraction);
    const b0 = busy.resident;
    const i0 = idle.resident;
    host.balloonReclaim(100);
    expect(i0 - idle.resident).toBeGreaterThanOrEqual(100);
    expect(b0 - busy.resident).toBe(0);
  });
});

describe("all techniques at once", () => {
  it("property: under random writes, reads, scans, host swapping and balloon inflation and deflation (the guest paging out and back in), every VM reads back exactly what it wrote, and host memory stays within its size", () => {
    const PAGES = 24;
    const offsets = [0, 1, 2048, 4095];
    const op = fc.oneof(
      { weight: 4, arbitrary: fc.record({ kind: fc.constant("write" as const), vm: fc.nat(1), page: fc.nat(PAGES - 1), off: fc.constantFrom(...offsets), value: fc.integer({ min: 0, max: 255 }) }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant("read" as const), vm: fc.nat(1), page: fc.nat(PAGES - 1), off: fc.constantFrom(...offsets) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("scan" as const), n: fc.integer({ min: 1, max: 40 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("swap" as const), n: fc.integer({ min: 1, max: 20 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("inflate" as const), vm: fc.nat(1), n: fc.integer({ min: 1, max: 70 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("deflate" as const), vm: fc.nat(1), n: fc.integer({ min: 1, max: 30 }) }) },
    );
    const seen = { merges: 0, cowBreaks: 0, hostSwapIns: 0, guestPagedOut: 0, guestPagedIn: 0, doublePagingReads: 0 };
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 50 }), fc.integer({ min: 1, max: 1000 }), (ops, seed) => {
        const host = new OvercommitHost({ capacityPages: 48, seed });
        const fill = (_vm: number, page: number) => {
          const b = new Uint8Array(PAGE);
          b[1] = page; // pages alike across VMs at first: sharing has work to do
          return b;
        };
        const vms: OvercommitVm[] = [];
        const model: Uint8Array[][] = [];
        for (let v = 0; v < 2; v++) {
          const ov = host.addVm({ name: `vm${v}`, memoryPages: 96 });
          const trace = new TraceBuilder(PAGE, 0).premapRange(0, FIRST, PAGES).build("pages", 1);
          host.prepare(ov, trace);
          const p = ov.vm.kernel.process(0);
          for (let i = 0; i < PAGES; i++) host.guestWritePage(ov.vm, p.table.lookup(FIRST + i).frame, fill(v, i));
          vms.push(ov);
          model.push(Array.from({ length: PAGES }, (_, i) => fill(v, i)));
        }
        for (const o of ops) {
          if (o.kind === "write") {
            expect(host.machine.access(vms[o.vm]!.vm, 0, (FIRST + o.page) * PAGE + o.off, { write: true, value: o.value }).ok).toBe(true);
            model[o.vm]![o.page]![o.off] = o.value;
          } else if (o.kind === "read") {
            expect(host.machine.access(vms[o.vm]!.vm, 0, (FIRST + o.page) * PAGE + o.off).value).toBe(model[o.vm]![o.page]![o.off]);
          } else if (o.kind === "scan") host.scan(o.n);
          else if (o.kind === "swap") host.hostSwapOut(o.n);
          else if (o.kind === "inflate") vms[o.vm]!.balloon.inflate(Math.min(o.n, 80 - vms[o.vm]!.balloon.size));
          else vms[o.vm]!.balloon.deflate(o.n);
          expect(host.usedPages).toBeLessThanOrEqual(host.capacityPages);
        }
        for (let v = 0; v < 2; v++) for (let p = 0; p < PAGES; p++) for (const off of offsets) {
          expect(host.machine.access(vms[v]!.vm, 0, (FIRST + p) * PAGE + off).value).toBe(model[v]![p]![off]);
        }
        expect(host.peakUsedPages).toBeLessThanOrEqual(48);
        const c = host.counters();
        for (const k of Object.keys(seen) as (keyof typeof seen)[]) seen[k] += c[k];
      }),
      { numRuns: 40, seed: 17 },
    );
    // The runs went through every path (fixed seed: the same runs every time).
    for (const [k, n] of Object.entries(seen)) expect(n, k).toBeGreaterThan(0);
  });
});
