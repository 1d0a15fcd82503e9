import { describe, expect, it } from "vitest";
import { AddressLayout, Machine, TraceBuilder, uniformWorkload } from "../../src";

describe("textbook machines run through the same MMU", () => {
  it("OSTEP ch. 19 array example (figure D7): 16-byte pages, 10 ints from VA 100 -> 70% hits, then 100%", () => {
    const tiny = new AddressLayout({
      name: "8-bit VA, 16-byte pages",
      pageSizeBytes: 16,
      indexBits: [4],
      virtualAddressBits: 8,
      physicalAddressBits: 10,
      pte: { sizeBytes: 1, presentBit: 7, frameShift: 0, frameBits: 7 },
    });
    const m = new Machine({ mode: "native", guestLayout: tiny, hostLayout: tiny, hostMemoryBytes: 1024, hypervisorPoolBytes: 256, tlb: { sets: 1, ways: 16, pageShifts: [0] } });
    const vm = m.createVm({ memoryBytes: 512 });
    const t = new TraceBuilder(16);
    for (let i = 0; i < 10; i++) t.read(Math.floor((100 + 4 * i) / 16), (100 + 4 * i) % 16);
    for (let i = 0; i < 10; i++) t.premapPage(0, Math.floor((100 + 4 * i) / 16));
    const first = m.run(t.build("array pass 1"), vm);
    expect(first.tlbHitRate).toBeCloseTo(0.7, 10);
    expect(first.walkRefs).toBe(3); // one reference per miss on a 1-level table
    const second = m.run(t.build("array pass 2"), vm);
    expect(second.tlbHitRate).toBe(1);
  });

  it("large-page TLB entries: 2 MiB guest and host pages make the same working set hit", () => {
    const trace = uniformWorkload({ pages: 4096, accesses: 20_000, seed: 3 });
    const run = (page: number) => {
      const m = new Machine({ mode: "nested", hostPageSizeBytes: page });
      return m.run(trace, m.createVm({ guestPageSizeBytes: page }));
    };
    const small = run(4096);
    const large = run(2 * 2 ** 20);
    expect(small.tlbHitRate).toBeLessThan(0.1);
    expect(large.tlbHitRate).toBeGreaterThan(0.99);
    expect(large.walkRefs / large.walks).toBe(15);
  });
});
