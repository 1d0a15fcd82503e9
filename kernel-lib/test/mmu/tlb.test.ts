import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError, Machine, Tlb, tlbTag, uniformWorkload } from "../../src";

/** A deliberately naive TLB: per set, a list ordered from least to most recently used. */
class NaiveTlb {
  sets: { pn: number; tag: number; shift: number; frame: number }[][];
  hits = 0;
  misses = 0;
  constructor(readonly nSets: number, readonly ways: number, readonly shifts: number[]) {
    this.sets = Array.from({ length: nSets }, () => []);
  }
  lookup(vpn: number, tag: number): number {
    for (const shift of this.shifts) {
      const pn = Math.floor(vpn / 2 ** shift);
      const set = this.sets[pn % this.nSets]!;
      const i = set.findIndex((e) => e.pn === pn && e.tag === tag && e.shift === shift);
      if (i >= 0) {
        const [e] = set.splice(i, 1);
        set.push(e!);
        this.hits++;
        return e!.frame + (vpn - pn * 2 ** shift);
      }
    }
    this.misses++;
    return -1;
  }
  insert(vpn: number, tag: number, frame: number, shift: number): void {
    const pn = Math.floor(vpn / 2 ** shift);
    const set = this.sets[pn % this.nSets]!;
    const i = set.findIndex((e) => e.pn === pn && e.tag === tag && e.shift === shift);
    if (i >= 0) set.splice(i, 1);
    else if (set.length === this.ways) set.shift();
    set.push({ pn, tag, shift, frame: frame - (vpn - pn * 2 ** shift) });
  }
  flushTag(tag: number): void {
    for (const s of this.sets) for (let i = s.length - 1; i >= 0; i--) if (s[i]!.tag === tag) s.splice(i, 1);
  }
  flushPage(vpn: number, tag: number): void {
    for (const shift of this.shifts) {
      const pn = Math.floor(vpn / 2 ** shift);
      const s = this.sets[pn % this.nSets]!;
      for (let i = s.length - 1; i >= 0; i--) if (s[i]!.pn === pn && s[i]!.tag === tag && s[i]!.shift === shift) s.splice(i, 1);
    }
  }
}

describe("TLB", () => {
  it("set = VPN mod sets, true LRU within a set", () => {
    const tlb = new Tlb({ sets: 4, ways: 2, pageShifts: [0] });
    const t = tlbTag(1, 1);
    tlb.insert(0, t, 100);
    tlb.insert(4, t, 104); // same set 0
    expect(tlb.lookup(0, t)).toBe(100); // 0 becomes most recent
    tlb.insert(8, t, 108); // evicts 4 (LRU), not 0
    expect(tlb.probe(4, t)).toBe(-1);
    expect(tlb.probe(0, t)).toBe(100);
    expect(tlb.probe(8, t)).toBe(108);
    expect(tlb.evictions).toBe(1);
  });

  it("keeps true LRU across the renumbering of its stamps (the counter near 2^30)", () => {
    const real = new Tlb({ sets: 4, ways: 4, pageShifts: [0] });
    const naive = new NaiveTlb(4, 4, [0]);
    // Start the LRU clock just below the point where stamps are renumbered (private field).
    (real as unknown as { clock: number }).clock = 2 ** 30 - 2 - 300;
    let x = 7;
    for (let i = 0; i < 3000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const vpn = x % 40;
      const a = real.lookup(vpn, 0);
      expect(a).toBe(naive.lookup(vpn, 0));
      if (a < 0) {
        real.insert(vpn, 0, vpn + 7);
        naive.insert(vpn, 0, vpn + 7, 0);
      }
    }
    expect(real.hits).toBe(naive.hits);
    expect((real as unknown as { clock: number }).clock).toBeLessThan(3000 + 16);
  });

  it("tags separate address spaces and VMs; flushes by tag, page, VM and all", () => {
    const tlb = new Tlb({ sets: 16, ways: 4 });
    tlb.insert(5, tlbTag(1, 1), 50);
    tlb.insert(5, tlbTag(1, 2), 51);
    tlb.insert(5, tlbTag(2, 1), 52);
    expect(tlb.lookup(5, tlbTag(1, 2))).toBe(51);
    expect(tlb.lookup(5, tlbTag(3, 1))).toBe(-1);
    tlb.flushTag(tlbTag(1, 1));
    expect(tlb.probe(5, tlbTag(1, 1))).toBe(-1);
    tlb.flushVm(2);
    expect(tlb.probe(5, tlbTag(2, 1))).toBe(-1);
    tlb.flushPage(5, tlbTag(1, 2));
    expect(tlb.contents()).toHaveLength(0);
    tlb.insert(1, 0, 1);
    tlb.flushAll();
    expect(tlb.contents()).toHaveLength(0);
  });

  it("large-page entries cover every base page inside them", () => {
    const tlb = new Tlb({ sets: 16, ways: 4 });
    tlb.insert(512 * 7 + 3, 0, 4096 + 3, 9);
    expect(tlb.lookup(512 * 7 + 100, 0)).toBe(4096 + 100);
    expect(tlb.lookup(512 * 8, 0)).toBe(-1);
    tlb.flushPage(512 * 7 + 200, 0);
    expect(tlb.lookup(512 * 7, 0)).toBe(-1);
  });

  it("works on 45-bit page numbers (5-level)", () => {
    const tlb = new Tlb({ sets: 64, ways: 4 });
    const vpn = 2 ** 44 + 2 ** 33 + 17;
    tlb.insert(vpn, 3, 9);
    expect(tlb.lookup(vpn, 3)).toBe(9);
    expect(tlb.lookup(vpn + 2 ** 32, 3)).toBe(-1);
    expect(tlb.contents()[0]!.set).toBe(17);
  });

  it("stats equal a naive reference model on random traces", () => {
    const op = fc.oneof(
      { weight: 20, arbitrary: fc.record({ k: fc.constant("access" as const), vpn: fc.integer({ min: 0, max: 3000 }), tag: fc.integer({ min: 0, max: 2 }), big: fc.boolean() }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant("flushTag" as const), vpn: fc.constant(0), tag: fc.integer({ min: 0, max: 2 }), big: fc.constant(false) }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant("flushPage" as const), vpn: fc.integer({ min: 0, max: 3000 }), tag: fc.integer({ min: 0, max: 2 }), big: fc.constant(false) }) },
    );
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 4, 16), fc.integer({ min: 1, max: 6 }), fc.array(op, { maxLength: 400 }), (sets, ways, ops) => {
        const shifts = [0, 9];
        const real = new Tlb({ sets, ways, pageShifts: shifts });
        const naive = new NaiveTlb(sets, ways, shifts);
        for (const o of ops) {
          if (o.k === "access") {
            const a = real.lookup(o.vpn, o.tag);
            const b = naive.lookup(o.vpn, o.tag);
            expect(a).toBe(b);
            if (a < 0) {
              // Pages below 1024 are "large" (2 MiB) mappings in this model when big is set.
              const shift = o.big && o.vpn < 1024 ? 9 : 0;
              real.insert(o.vpn, o.tag, o.vpn + 7, shift);
              naive.insert(o.vpn, o.tag, o.vpn + 7, shift);
            }
          } else if (o.k === "flushTag") {
            real.flushTag(o.tag);
            naive.flushTag(o.tag);
          } else {
            real.flushPage(o.vpn, o.tag);
            naive.flushPage(o.vpn, o.tag);
          }
        }
        expect(real.hits).toBe(naive.hits);
        expect(real.misses).toBe(naive.misses);
      }),
      { numRuns: 150, seed: 42 },
    );
  });

  it("large pages (2 MiB, 1 GiB) give the naive model's hits, misses and frames, page numbers beyond 2^31 too", () => {
    const region = fc.constantFrom(0, 2 ** 31 - 2 ** 20, 2 ** 33, 2 ** 44);
    const op = fc.record({ region, vpn: fc.integer({ min: 0, max: 2 ** 20 }), tag: fc.integer({ min: 0, max: 1 }), shift: fc.constantFrom(0, 9, 18) });
    fc.assert(
      fc.property(fc.constantFrom(1, 4, 16), fc.integer({ min: 1, max: 4 }), fc.array(op, { maxLength: 300 }), (sets, ways, ops) => {
        const shifts = [0, 9, 18];
        const real = new Tlb({ sets, ways, pageShifts: shifts });
        const naive = new NaiveTlb(sets, ways, shifts);
        for (const o of ops) {
          const vpn = o.region + o.vpn;
          const a = real.lookup(vpn, o.tag);
          expect(a).toBe(naive.lookup(vpn, o.tag));
          if (a < 0) {
            real.insert(vpn, o.tag, vpn + 3, o.shift);
            naive.insert(vpn, o.tag, vpn + 3, o.shift);
          }
        }
        expect([real.hits, real.misses]).toEqual([naive.hits, naive.misses]);
      }),
      { numRuns: 150, seed: 7 },
    );
  });

  it("large-page runs count what they counted before the large-page lookup was made fast", () => {
    // Recorded with the previous lookup (one Math.floor/2**shift probe per size) on this trace.
    const recorded: [string, number, number, number, number, number][] = [
      ["native", 2 ** 21, 4096, 6214, 23786, 71358],
      ["nested", 2 ** 21, 2 ** 21, 6214, 23786, 356790],
      ["nested", 4096, 2 ** 21, 12, 29988, 569772],
      ["shadow", 2 ** 21, 2 ** 21, 6214, 23826, 71476],
      ["nested", 2 ** 30, 2 ** 30, 29999, 1, 8],
    ];
    const trace = uniformWorkload({ pages: 20000, accesses: 30000, seed: 5 });
    for (const [mode, guestPage, hostPage, hits, misses, walkRefs] of recorded) {
      const m = new Machine({ mode: mode as "native", hostPageSizeBytes: hostPage, tlb: { sets: 4, ways: 2 } });
      const s = m.run(trace, m.createVm({ memoryBytes: 2 ** 31, guestPageSizeBytes: guestPage }));
      expect([s.tlbHits, s.tlbMisses, s.walkRefs], `${mode} ${guestPage}/${hostPage}`).toEqual([hits, misses, walkRefs]);
    }
  });

  it("rejects bad geometry", () => {
    expect(() => new Tlb({ sets: 3 })).toThrow(ConfigError);
    expect(() => new Tlb({ sets: 3 })).toThrow(/tlb.sets.*power of two/);
    expect(() => new Tlb({ ways: 0 })).toThrow(/tlb.ways/);
    expect(() => new Tlb({ pageShifts: [40] })).toThrow(/tlb.pageShifts/);
  });
});
