import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  Machine,
  TraceBuilder,
  contextSwitchWorkload,
  forkExecWorkload,
  mmapChurnWorkload,
  uniformWorkload,
  type MemoryTrace,
  type MemoryVirtualizationMode,
} from "../../src";

const MiB = 2 ** 20;

/** A random trace over a few processes: accesses, maps, unmaps, switches, forks, execs, exits. */
const randomTrace = fc
  .array(
    fc.oneof(
      { weight: 30, arbitrary: fc.tuple(fc.constant("read"), fc.integer({ min: 0, max: 300 })) },
      { weight: 10, arbitrary: fc.tuple(fc.constant("write"), fc.integer({ min: 0, max: 300 })) },
      { weight: 2, arbitrary: fc.tuple(fc.constant("unmap"), fc.integer({ min: 0, max: 300 })) },
      { weight: 2, arbitrary: fc.tuple(fc.constant("map"), fc.integer({ min: 0, max: 300 })) },
      { weight: 2, arbitrary: fc.tuple(fc.constant("switch"), fc.integer({ min: 0, max: 2 })) },
      { weight: 1, arbitrary: fc.tuple(fc.constant("forkexec"), fc.integer({ min: 0, max: 1 })) },
    ),
    { minLength: 1, maxLength: 150 },
  )
  .map((cmds) => {
    const t = new TraceBuilder();
    t.premapRange(0, 0x4000, 40);
    for (const [k, v] of cmds) {
      const vpn = 0x4000 + (v as number) * 37; // spread over several leaf tables
      if (k === "read") t.read(vpn);
      else if (k === "write") t.write(vpn);
      else if (k === "unmap") t.unmap(vpn);
      else if (k === "map") t.map(vpn);
      else if (k === "switch") t.switchTo(v as number);
      else {
        t.fork(9);
        t.switchTo(9);
        if (v) t.exec();
        t.read(0x4000 + 3);
        t.switchTo(0);
        t.exit(9);
      }
    }
    return t.build("random");
  });

function runFrames(trace: MemoryTrace, mode: MemoryVirtualizationMode, hostPageSizeBytes = 4096): Float64Array {
  const m = new Machine({ mode, hostMemoryBytes: 2 ** 30, hostPageSizeBytes, tlb: { sets: 4, ways: 2 } });
  const vm = m.createVm({ memoryBytes: 64 * MiB });
  const out = new Float64Array(trace.length);
  m.run(trace, vm, { hostFramesOut: out });
  return out;
}

describe("machine: shadow and nested paging", () => {
  it("shadow, nested and native give the same GVA->HPA for every access of random workloads", () => {
    fc.assert(
      fc.property(randomTrace, fc.constantFrom(4096, 2 * MiB), (trace, hostPage) => {
        const shadow = runFrames(trace, "shadow", hostPage);
        const nested = runFrames(trace, "nested", hostPage);
        expect(Array.from(shadow)).toEqual(Array.from(nested));
        if (hostPage === 4096) expect(Array.from(runFrames(trace, "native"))).toEqual(Array.from(nested));
      }),
      { numRuns: 40, seed: 7 },
    );
  });

  it("no access of one VM ever touches another VM's host frames", () => {
    fc.assert(
      fc.property(randomTrace, randomTrace, fc.constantFrom<MemoryVirtualizationMode>("shadow", "nested"), (ta, tb, mode) => {
        const m = new Machine({ mode, hostMemoryBytes: 2 ** 30 });
        const a = m.createVm({ memoryBytes: 32 * MiB, name: "Alex" });
        const b = m.createVm({ memoryBytes: 32 * MiB, name: "Ava" });
        const oa = new Float64Array(ta.length);
        const ob = new Float64Array(tb.length);
        m.run(ta, a, { hostFramesOut: oa });
        m.run(tb, b, { hostFramesOut: ob });
        m.run(ta, a, { hostFramesOut: oa, premap: false });
        for (const f of oa) if (f >= 0) expect(a.ownsHostFrame(f) && !b.ownsHostFrame(f)).toBe(true);
        for (const f of ob) if (f >= 0) expect(b.ownsHostFrame(f) && !a.ownsHostFrame(f)).toBe(true);
      }),
      { numRuns: 25, seed: 11 },
    );
  });

  it("every hardware translation equals the guest's own table, through map/unmap/exit churn", () => {
    const op = fc.tuple(fc.constantFrom("map", "unmap", "access", "access", "access", "respawn"), fc.integer({ min: 0, max: 2000 }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), fc.constantFrom<MemoryVirtualizationMode>("native", "shadow", "nested"), (ops, mode) => {
        const m = new Machine({ mode, hostMemoryBytes: 2 ** 30, tlb: { sets: 1, ways: 1 } });
        const vm = m.createVm({ memoryBytes: 64 * MiB });
        const k = vm.kernel;
        let p = k.createProcess(0);
        for (const [kind, n] of ops) {
          const vpn = 0x1000 + n * 3;
          if (kind === "map") k.mapPage(p, vpn);
          else if (kind === "unmap") k.unmapPage(p, vpn);
          else if (kind === "respawn") {
            k.exit(p.pid);
            p = k.createProcess(0);
          } else {
            const r = m.access(vm, 0, vpn * 4096 + 5);
            const g = p.table.lookup(vpn);
            expect(r.ok).toBe(true);
            expect(r.hostFrame).toBe(vm.hostFrameOf(p.table.lookup(vpn).frame));
            expect(g.present).toBe(true); // an unmapped page was demand-faulted in
          }
        }
      }),
      { numRuns: 40, seed: 13 },
    );
  });

  it("the optional page-walk cache changes counts, never translations", () => {
    fc.assert(
      fc.property(randomTrace, fc.constantFrom<MemoryVirtualizationMode>("native", "shadow", "nested"), (trace, mode) => {
        const run = (walkCacheEntries: number) => {
          const m = new Machine({ mode, hostMemoryBytes: 2 ** 30, walkCacheEntries, tlb: { sets: 2, ways: 2 } });
          const out = new Float64Array(trace.length);
          const s = m.run(trace, m.createVm({ memoryBytes: 64 * MiB }), { hostFramesOut: out });
          return { out: Array.from(out), refs: s.walkRefs };
        };
        const off = run(0);
        const on = run(8);
        expect(on.out).toEqual(off.out);
        expect(on.refs).toBeLessThanOrEqual(off.refs);
      }),
      { numRuns: 30, seed: 5 },
    );
  });

  it("the simulator's walk memos change nothing: same translations and every count, memo on or off", () => {
    fc.assert(
      fc.property(randomTrace, fc.constantFrom<MemoryVirtualizationMode>("native", "shadow", "nested"), fc.constantFrom(4096, 2 * MiB), (trace, mode, hostPageSizeBytes) => {
        const run = (memo: boolean) => {
          const m = new Machine({ mode, memo, hostMemoryBytes: 2 ** 30, hostPageSizeBytes, tlb: { sets: 2, ways: 2 } });
          const vm = m.createVm({ memoryBytes: 64 * MiB });
          const out = new Float64Array(trace.length);
          const first = m.run(trace, vm, { hostFramesOut: out });
          // A second pass over the same trace hits the memos wherever memory did not change.
          const again = new Float64Array(trace.length);
          const second = m.run(trace, vm, { hostFramesOut: again, premap: false });
          const counts = (s: typeof first) => ({ ...s, seconds: 0 });
          return { out: [...out, ...again], first: counts(first), second: counts(second) };
        };
        const on = run(true);
        const off = run(false);
        expect(on.out).toEqual(off.out);
        expect(on.first).toEqual(off.first);
        expect(on.second).toEqual(off.second);
      }),
      { numRuns: 40, seed: 17 },
    );
  });

  it("a removed EPT mapping is seen by the next bulk run, not answered from a memo", () => {
    const m = new Machine({ mode: "nested" });
    const vm = m.createVm();
    const b = new TraceBuilder();
    b.premapPage(0, 0x400);
    b.read(0x400);
    const trace = b.build("one page");
    m.run(trace, vm);
    const gfn = vm.kernel.process(0).table.lookup(0x400).frame;
    // The hypervisor takes the guest frame back (as a balloon would) and flushes the TLB (INVEPT).
    vm.hostTable!.unmap(gfn);
    vm.hostMapped[gfn] = 0;
    m.mmu.tlb.flushAll();
    const s = m.run(trace, vm, { premap: false });
    expect(s.vmExitsByCause["ept-violation"]).toBe(1);
  });

  it("the same seed gives the same results", () => {
    const run = (seed: number) => {
      const m = new Machine({ mode: "shadow" });
      const vm = m.createVm();
      const a = m.run(forkExecWorkload({ cycles: 5, seed }), vm);
      const b = m.run(uniformWorkload({ pages: 500, accesses: 5000, seed }), vm);
      return [{ ...a, seconds: 0 }, { ...b, seconds: 0 }];
    };
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
  });

  it("shadow paging exits on guest PT writes, CR3 loads and hidden faults; nested does not", () => {
    const trace = forkExecWorkload({ cycles: 4, seed: 1 });
    const shadow = new Machine({ mode: "shadow" });
    const s = shadow.run(trace, shadow.createVm());
    expect(s.vmExitsByCause["guest-pt-write"]).toBeGreaterThan(0);
    expect(s.vmExitsByCause["cr3-load"]).toBeGreaterThan(0);
    expect(s.vmExitsByCause["hidden-page-fault"]).toBeGreaterThan(0);
    expect(s.vmExitsByCause["guest-page-fault"]).toBeGreaterThan(0);
    const nested = new Machine({ mode: "nested" });
    const n = nested.run(trace, nested.createVm());
    for (const c of ["guest-pt-write", "cr3-load", "hidden-page-fault", "guest-page-fault", "invlpg"] as const) {
      expect(n.vmExitsByCause[c] ?? 0).toBe(0);
    }
    expect(n.pageFaults).toBe(s.pageFaults);
    const native = new Machine({ mode: "native" });
    expect(native.run(trace, native.createVm()).vmExits).toBe(0);
  });
});

describe("qualitative results with the default cost model (DESIGN.md)", () => {
  it("shadow beats nested on TLB-miss-heavy work with a static page table", () => {
    const trace = uniformWorkload({ pages: 2000, accesses: 200_000, seed: 5 });
    const cycles = (mode: MemoryVirtualizationMode) => {
      const m = new Machine({ mode });
      return m.run(trace, m.createVm()).cycles;
    };
    const native = cycles("native");
    const shadow = cycles("shadow");
    const nested = cycles("nested");
    expect(native).toBeLessThan(shadow);
    expect(shadow).toBeLessThan(nested);
  });

  it("nested beats shadow under page-table churn (fork/exec)", () => {
    const trace = forkExecWorkload({ cycles: 30, seed: 5 });
    const cycles = (mode: MemoryVirtualizationMode) => {
      const m = new Machine({ mode });
      return m.run(trace, m.createVm()).cycles;
    };
    expect(cycles("native")).toBeLessThan(cycles("nested"));
    expect(cycles("nested")).toBeLessThan(cycles("shadow"));
  });

  it("nested beats shadow under mmap/munmap churn too", () => {
    const trace = mmapChurnWorkload({ cycles: 40, seed: 2 });
    const run = (mode: MemoryVirtualizationMode) => {
      const m = new Machine({ mode });
      return m.run(trace, m.createVm());
    };
    const shadow = run("shadow");
    const nested = run("nested");
    expect(nested.cycles).toBeLessThan(shadow.cycles);
    expect(shadow.vmExitsByCause.invlpg).toBe(40 * 16);
    expect(shadow.vmExitsByCause["guest-pt-write"]).toBe(shadow.pteWrites);
  });

  it("context switches: one CR3-load exit per switch under shadow paging, none nested", () => {
    const trace = contextSwitchWorkload({ processes: 4, pagesPerProcess: 100, quantum: 500, accesses: 20_000, seed: 3 });
    const shadow = new Machine({ mode: "shadow" });
    expect(shadow.run(trace, shadow.createVm()).vmExitsByCause["cr3-load"]).toBe(20_000 / 500 - 1);
    const nested = new Machine({ mode: "nested" });
    expect(nested.run(trace, nested.createVm()).vmExits).toBe(0);
  });

  it("host large pages shorten nested walks", () => {
    const trace = uniformWorkload({ pages: 2000, accesses: 50_000, seed: 5 });
    const run = (hostPageSizeBytes: number) => {
      const m = new Machine({ mode: "nested", hostPageSizeBytes });
      return m.run(trace, m.createVm());
    };
    const small = run(4096);
    const large = run(2 * MiB);
    expect(large.walkRefs / large.walks).toBeLessThan(small.walkRefs / small.walks);
    expect(large.walkRefs / large.walks).toBeCloseTo(19, 0);
    expect(small.walkRefs / small.walks).toBeCloseTo(24, 0);
    expect(large.cycles).toBeLessThan(small.cycles);
  });
});

describe("isolation", () => {
  it("no isolation: one VM's write lands in the other's data (the chaos demo)", () => {
    const m = new Machine({ mode: "nested", isolation: false });
    const alex = m.createVm({ name: "Alex", memoryBytes: 16 * MiB });
    const ava = m.createVm({ name: "Ava", memoryBytes: 16 * MiB });
    alex.kernel.createProcess(0);
    ava.kernel.createProcess(0);
    m.writeString(alex, 0, 0x400000, "Alex: balance 100");
    expect(m.readString(alex, 0, 0x400000, 17)).toBe("Alex: balance 100");
    m.writeString(ava, 0, 0x400000, "Ava: diary, day 1");
    expect(m.readString(alex, 0, 0x400000, 17)).toBe("Ava: diary, day 1");
  });

  it("with isolation the same story keeps each VM's data", () => {
    for (const mode of ["shadow", "nested"] as const) {
      const m = new Machine({ mode });
      const alex = m.createVm({ name: "Alex", memoryBytes: 16 * MiB });
      const ava = m.createVm({ name: "Ava", memoryBytes: 16 * MiB });
      alex.kernel.createProcess(0);
      ava.kernel.createProcess(0);
      m.writeString(alex, 0, 0x400000, "Alex: balance 100");
      m.writeString(ava, 0, 0x400000, "Ava: diary, day 1");
      expect(m.readString(alex, 0, 0x400000, 17)).toBe("Alex: balance 100");
    }
  });

  it("reaching for a frame the VM was not given is a modeled isolation fault", () => {
    for (const mode of ["shadow", "nested"] as const) {
      const m = new Machine({ mode });
      const alex = m.createVm({ name: "Alex", memoryBytes: 16 * MiB });
      const ava = m.createVm({ name: "Ava", memoryBytes: 16 * MiB });
      const p = alex.kernel.createProcess(0);
      ava.kernel.createProcess(0);
      m.writeString(ava, 0, 0x400000, "secret");
      // Alex's kernel points a page at guest-physical frame = Ava's host frame number.
      const avaFrame = m.access(ava, 0, 0x400000).hostFrame;
      alex.kernel.mapPage(p, 0x999, { frame: avaFrame });
      const r = m.access(alex, 0, 0x999 * 4096, { write: true, value: 0x41 });
      expect(r.ok).toBe(false);
      expect(r.event).toBe("isolation-fault");
      expect(m.isolationFaults).toBe(1);
      expect(m.readString(ava, 0, 0x400000, 6)).toBe("secret");
    }
  });
});

describe("bad machine input", () => {
  it("names the field and what is allowed", () => {
    expect(() => new Machine({ mode: "paravirt" as never })).toThrow(/mode.*"native", "shadow", "nested"/);
    expect(() => new Machine({ mode: "nested", hostPageSizeBytes: 8192 })).toThrow(ConfigError);
    expect(() => new Machine({ mode: "nested", hostMemoryBytes: 1000 })).toThrow(/hostMemoryBytes/);
    const m = new Machine({ mode: "nested", hostPageSizeBytes: 2 * MiB });
    expect(() => m.createVm({ memoryBytes: 3 * MiB })).toThrow(/memoryBytes.*multiple/);
    const n = new Machine({ mode: "native" });
    n.createVm();
    expect(() => n.createVm()).toThrow(/createVm/);
    const t = new TraceBuilder().read(2 ** 36).build("bad");
    expect(() => n.run(t)).toThrow(/trace.arg\[0\].*page number/);
  });
});
