import { describe, expect, it } from "vitest";
import {
  ConfigError,
  FrameAllocator,
  OSTEP_LINEAR,
  OSTEP_TWO_LEVEL,
  PageTable,
  ParseError,
  PhysicalMemory,
  X86_64_4LEVEL,
  X86_64_5LEVEL,
  parseOstepMemoryDump,
} from "../../src";
import { solveOstepTranslation } from "../../src/memory/ostep";

function hexPage(bytes: Record<number, number>): string {
  const a = new Array(32).fill(0);
  for (const [i, v] of Object.entries(bytes)) a[Number(i)] = v;
  return a.map((b) => b.toString(16).padStart(2, "0")).join(" ");
}

describe("OSTEP memory dump + PDBR (figure D10)", () => {
  // The README's worked example: PDBR 108, VA 0x611c -> PDE index 24 = 0xa1 (PFN 33),
  // PTE index 8 = 0xb5 (PFN 53), PA 0x6bc, value 08.
  const dump = [
    "PDBR: 108  (decimal) [This means the page directory is held in this page]",
    `page  33: ${hexPage({ 8: 0xb5, 9: 0x7f })}`,
    `page  53: ${hexPage({ 0x1c: 0x08 })}`,
    `page 108: ${hexPage({ 24: 0xa1, 3: 0x84 })}`,
  ].join("\n");

  it("translates from the memory image alone", () => {
    const { memory, pdbr } = parseOstepMemoryDump(dump);
    expect(pdbr).toBe(108);
    const a = solveOstepTranslation(memory, pdbr!, 0x611c);
    expect(a.ok).toBe(true);
    expect(a.physicalAddress).toBe(0x6bc);
    expect(a.value).toBe(0x08);
    expect(a.answer).toBe("Translates to Physical Address 0x6bc --> Value: 08");
    expect(a.steps.map((s) => [s.level, s.tableFrame, s.index, s.entryHex])).toEqual([
      [2, 108, 24, "0xa1"],
      [1, 33, 8, "0xb5"],
    ]);
    expect(a.steps.length).toBe(2); // 2 page-table references (+1 data reference, not counted)
  });

  it("loadImage (bytes per frame) + a root frame is enough to translate", () => {
    const frames = Array.from({ length: 128 }, () => new Array<number>(32).fill(0x7f));
    frames[108]![24] = 0xa1;
    frames[33]![8] = 0xb5;
    frames[53]![0x1c] = 0x08;
    const memory = new PhysicalMemory({ pageSizeBytes: 32, frameCount: 128 });
    memory.loadImage(frames);
    const t = new PageTable(memory, OSTEP_TWO_LEVEL, 108).translate(0x611c);
    expect(t.physicalAddress).toBe(0x6bc);
    expect(memory.readByte(t.physicalAddress)).toBe(8);
    const flat = new Uint8Array(128 * 32);
    frames.forEach((f, i) => flat.set(f, i * 32));
    const again = new PhysicalMemory({ pageSizeBytes: 32, frameCount: 128 });
    again.loadImage(flat);
    expect(new PageTable(again, OSTEP_TWO_LEVEL, 108).translate(0x611c).physicalAddress).toBe(0x6bc);
    expect(() => again.loadImage(new Uint8Array(33))).toThrow(/image.length/);
  });

  it("reports OSTEP's two fault kinds", () => {
    const { memory } = parseOstepMemoryDump(dump);
    expect(solveOstepTranslation(memory, 108, 0x0000).answer).toBe("Fault (page directory entry not valid)");
    // PDE 24 valid, PTE index 9 = 0x7f (valid bit clear)
    expect(solveOstepTranslation(memory, 108, (24 << 10) | (9 << 5)).answer).toBe("Fault (page table entry not valid)");
  });

  it("rejects malformed dump lines with a ParseError naming the line", () => {
    expect(() => parseOstepMemoryDump("page 1: 00 01")).toThrow(ParseError);
    expect(() => parseOstepMemoryDump("x\npage 1: zz")).toThrow(/:2:/);
    expect(() => parseOstepMemoryDump("page 500: 00")).toThrow(/beyond physical memory/);
  });
});

describe("OSTEP linear table (figure D9)", () => {
  it("VA 0x3229 with 4 KiB pages: VPN 3 -> PFN 6 -> PA 0x6229", () => {
    const memory = new PhysicalMemory({ pageSizeBytes: 4096, frameCount: 16 });
    const frames = new FrameAllocator(1, 15);
    const t = PageTable.create(memory, OSTEP_LINEAR, frames);
    t.map(3, 6);
    const r = t.translate(0x3229);
    expect(r.ok).toBe(true);
    expect(r.physicalAddress).toBe(0x6229);
    expect(t.translate(0x1000).ok).toBe(false);
  });
});

describe("page tables stored in memory", () => {
  it("map / walk / protect / unmap write and read real entries; empty tables are freed", () => {
    const memory = new PhysicalMemory({ pageSizeBytes: 4096, frameCount: 1024 });
    const frames = new FrameAllocator(1, 1023);
    const t = PageTable.create(memory, X86_64_4LEVEL, frames);
    t.map(0x12345, 77);
    expect(t.tableFrameCount).toBe(4);
    const steps = t.walkSteps(0x12345);
    expect(steps).toHaveLength(4);
    expect(steps[3]!.leaf).toBe(true);
    // The leaf entry is really in memory, in x86 format.
    const leaf = steps[3]!;
    const lo = memory.readEntryLo(leaf.tableFrame, leaf.index * 8, 8);
    expect(X86_64_4LEVEL.decodeFrame(lo, memory.entryHi)).toBe(77);
    expect(t.lookup(0x12345)).toMatchObject({ present: true, frame: 77, level: 1, writable: true });
    t.protect(0x12345, { writable: false });
    expect(t.lookup(0x12345).writable).toBe(false);
    expect(t.unmap(0x12345)).toBe(1);
    expect(t.lookup(0x12345).present).toBe(false);
    expect(t.tableFrameCount).toBe(1);
    expect(frames.allocatedFrames).toBe(1);
  });

  it("large pages: a 2 MiB leaf ends the walk at level 2", () => {
    const memory = new PhysicalMemory({ pageSizeBytes: 4096, frameCount: 4096 });
    const t = PageTable.create(memory, X86_64_4LEVEL, new FrameAllocator(1, 1023));
    t.map(512 * 3, 2048, { level: 2 });
    const r = t.lookup(512 * 3 + 17);
    expect(r).toMatchObject({ present: true, frame: 2048 + 17, level: 2 });
    expect(t.walkSteps(512 * 3 + 17)).toHaveLength(3);
    expect(() => t.map(512 * 3 + 1, 5)).toThrow(ConfigError);
  });

  it("5-level tables translate addresses above 2^53", () => {
    const memory = new PhysicalMemory({ pageSizeBytes: 4096, frameCount: 256 });
    const t = PageTable.create(memory, X86_64_5LEVEL, new FrameAllocator(1, 255));
    const va = (1n << 56n) | (0x1fn << 47n) | (0xabcdn << 12n) | 0x123n;
    const vpn = Number(va >> 12n);
    expect(vpn).toBeGreaterThan(2 ** 41);
    t.map(vpn, 200);
    const r = t.translate(va);
    expect(r.ok).toBe(true);
    expect(r.physicalAddress).toBe(200 * 4096 + 0x123);
    expect(r.steps).toHaveLength(5);
    expect(r.steps[0]!.index).toBe(271); // bits 48..56: 0x100 | 0xf
  });

  it("bad inputs get ConfigErrors naming the field", () => {
    const memory = new PhysicalMemory({ pageSizeBytes: 4096, frameCount: 64 });
    const t = PageTable.create(memory, X86_64_4LEVEL, new FrameAllocator(1, 63));
    expect(() => t.map(512, 3, { level: 2 })).toThrow(/frame.*multiple of 512/);
    expect(() => t.map(5, 0, { level: 2 })).toThrow(/vpn/);
    expect(() => t.map(2 ** 36, 1)).toThrow(/vpn/);
    expect(() => t.map(1, 2 ** 41)).toThrow(/frame/);
    expect(() => t.map(1, 1, { level: 4 })).toThrow(/level/);
    expect(() => new PhysicalMemory({ pageSizeBytes: 4096, frameCount: 0 })).toThrow(/frameCount/);
    expect(() => memory.readByte(64 * 4096)).toThrow(/physicalAddress/);
    expect(() => memory.loadFrame(3, [1, 2, 3])).toThrow(/exactly 4096 bytes/);
    expect(() => new PageTable(memory, OSTEP_TWO_LEVEL, 0)).toThrow(/pageSizeBytes/);
    const small = new FrameAllocator(0, 2, "vm.memoryBytes");
    small.allocate();
    small.allocate();
    expect(() => small.allocate()).toThrow(/vm.memoryBytes/);
  });
});
