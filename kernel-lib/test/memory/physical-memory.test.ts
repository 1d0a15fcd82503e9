import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Machine, PhysicalMemory, type MemoryVirtualizationMode } from "../../src";

const MiB = 2 ** 20;

describe("physical memory: no write is lost when the pool grows", () => {
  it("the first write to the 17th, 33rd, ... frame given storage reads back (the pool starts with 16 frames)", () => {
    const m = new PhysicalMemory({ pageSizeBytes: 4096, frameCount: 1024 });
    for (let f = 0; f < 100; f++) m.writeByte(f * 4096 + 7, (f % 255) + 1);
    for (let f = 0; f < 100; f++) expect(m.readByte(f * 4096 + 7)).toBe((f % 255) + 1);
  });

  it("writeBytes across many fresh frames reads back", () => {
    const m = new PhysicalMemory({ pageSizeBytes: 64, frameCount: 4096 });
    const data = Array.from({ length: 64 * 300 }, (_, i) => (i * 7) % 256);
    m.writeBytes(5, data);
    expect(Array.from(m.readBytes(5, data.length))).toEqual(data);
  });

  it("any sequence of writes through any mode and several VMs, over more frames than the pool's first size, reads back", () => {
    const write = fc.record({ vm: fc.integer({ min: 0, max: 2 }), page: fc.integer({ min: 0, max: 80 }), offset: fc.integer({ min: 0, max: 4095 }), value: fc.integer({ min: 0, max: 255 }) });
    fc.assert(
      fc.property(fc.constantFrom<MemoryVirtualizationMode>("native", "shadow", "nested"), fc.array(write, { minLength: 30, maxLength: 120 }), (mode, writes) => {
        const m = new Machine({ mode, hostMemoryBytes: 2 ** 30 });
        const vms = mode === "native" ? [m.createVm({ memoryBytes: 64 * MiB })] : [0, 1, 2].map((i) => m.createVm({ memoryBytes: 16 * MiB, name: `vm${i}` }));
        for (const vm of vms) vm.kernel.createProcess(0);
        const expected = new Map<string, number>();
        for (const w of writes) {
          const vm = vms[w.vm % vms.length]!;
          // Pages spread over several leaf tables, so tables and data both take fresh frames.
          const address = (0x1000 + w.page * 97) * 4096 + w.offset;
          expect(m.access(vm, 0, address, { write: true, value: w.value }).ok).toBe(true);
          expected.set(`${vm.id}:${address}`, w.value);
        }
        for (const [key, value] of expected) {
          const [id, address] = key.split(":").map(Number);
          expect(m.access(vms.find((v) => v.id === id)!, 0, address!).value).toBe(value);
        }
        // The test is only meaningful if the pool grew past its first 16 frames.
        expect(m.hostMemory.backedFrames).toBeGreaterThan(16);
      }),
      { numRuns: 40, seed: 15 },
    );
  });
});
