import { describe, expect, it } from "vitest";
import { Machine, X86_64_4LEVEL, x86Layout, type MachineConfig } from "../../src";

const MiB2 = 2 * 2 ** 20;
const GiB = 2 ** 30;

/** References of one uncached walk of a mapped page (TLB bypassed). */
function walkRefs(config: Omit<MachineConfig, "mode"> & { mode?: MachineConfig["mode"] }, guestPage = 4096): { refs: number; dims: string[] } {
  const m = new Machine({ mode: "nested", hostMemoryBytes: 16 * GiB, ...config });
  const vm = m.createVm({ memoryBytes: 4 * GiB, guestPageSizeBytes: guestPage });
  const p = vm.kernel.createProcess(0);
  vm.kernel.mapPage(p, 0x12345 * 512);
  const r = m.access(vm, 0, 0x12345 * 512 * 4096 + 0x40, { bypassTlb: true });
  expect(r.ok).toBe(true);
  return { refs: r.walkRefs, dims: r.steps.map((s) => s.dimension) };
}

describe("page-walk reference counts (figures A1, A4, A6, A7, A8)", () => {
  it("native: one reference per level (4 and 5)", () => {
    expect(walkRefs({ mode: "native" }).refs).toBe(4);
    expect(walkRefs({ mode: "native", guestLayout: x86Layout(5) }).refs).toBe(5);
    expect(walkRefs({ mode: "native" }, MiB2).refs).toBe(3);
    expect(walkRefs({ mode: "native" }, GiB).refs).toBe(2);
  });

  it("shadow: a TLB miss walks the shadow table, native length", () => {
    const m = new Machine({ mode: "shadow" });
    const vm = m.createVm();
    const p = vm.kernel.createProcess(0);
    vm.kernel.mapPage(p, 0x777);
    m.access(vm, 0, 0x777 * 4096); // fills the shadow entry (hidden fault)
    const r = m.access(vm, 0, 0x777 * 4096, { bypassTlb: true });
    expect(r.walkRefs).toBe(4);
    expect(r.steps.every((s) => s.dimension === "shadow")).toBe(true);
  });

  const cases: [string, number, number, number, number, number][] = [
    // name, guest levels, host levels, guest page, host page, expected (n+1)(m+1)-1
    ["4+4", 4, 4, 4096, 4096, 24],
    ["5+5", 5, 5, 4096, 4096, 35],
    ["4+5", 4, 5, 4096, 4096, 29],
    ["5+4", 5, 4, 4096, 4096, 29],
    ["guest 2M + host 4K", 4, 4, MiB2, 4096, 19],
    ["guest 4K + host 2M", 4, 4, 4096, MiB2, 19],
    ["both 2M", 4, 4, MiB2, MiB2, 15],
    ["both 1G", 4, 4, GiB, GiB, 8],
    ["guest 1G + host 4K", 4, 4, GiB, 4096, 14],
  ];
  for (const [name, n, mLevels, gPage, hPage, expected] of cases) {
    it(`nested ${name}: ${expected} references`, () => {
      const r = walkRefs({ guestLayout: x86Layout(n), hostLayout: x86Layout(mLevels), hostPageSizeBytes: hPage }, gPage);
      expect(r.refs).toBe(expected);
      expect(r.dims.length).toBe(expected);
      expect(r.dims.filter((d) => d === "guest").length).toBe(n - Math.log2(gPage / 4096) / 9);
    });
  }

  it("the 2D walk translates every guest table pointer and the data page through the host", () => {
    const m = new Machine({ mode: "nested" });
    const vm = m.createVm();
    const p = vm.kernel.createProcess(0);
    vm.kernel.mapPage(p, 42);
    const r = m.access(vm, 0, 42 * 4096, { bypassTlb: true });
    // host walks serve guest levels 4,3,2,1 (table pointers) and 0 (the data page), 4 reads each
    const served = r.steps.filter((s) => s.dimension === "host").map((s) => s.forGuestLevel);
    expect(served).toEqual([4, 4, 4, 4, 3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0]);
    expect(r.steps.map((s) => s.dimension).join(",")).toMatch(/^(host,){4}guest,(host,){4}guest,(host,){4}guest,(host,){4}guest(,host){4}$/);
    expect(r.hostFrame).toBe(vm.hostFrameOf(p.table.lookup(42).frame));
  });

  it("the optional page-walk cache (off by default) cuts references", () => {
    const cold = new Machine({ mode: "native", walkCacheEntries: 16, guestLayout: X86_64_4LEVEL });
    const vm = cold.createVm();
    const p = vm.kernel.createProcess(0);
    for (let i = 0; i < 8; i++) vm.kernel.mapPage(p, 1000 + i);
    cold.access(vm, 0, 1000 * 4096, { bypassTlb: true });
    const r = cold.access(vm, 0, 1001 * 4096, { bypassTlb: true });
    expect(r.walkRefs).toBe(1);
  });
});

describe("5-level addresses above 2^53 through the whole pipeline", () => {
  it("native, shadow and nested agree and count 5 / 5 / 35 references", async () => {
    const { uniformWorkload } = await import("../../src");
    const firstVpn = 2 ** 44 + 2 ** 33 + 12345; // addresses around 2^56
    const trace = uniformWorkload({ pages: 300, accesses: 3000, seed: 8, firstVpn });
    expect(trace.arg[0]! * 4096).toBeGreaterThan(2 ** 53);
    const frames: number[][] = [];
    const perWalk: number[] = [];
    for (const mode of ["native", "shadow", "nested"] as const) {
      const m = new Machine({ mode, guestLayout: x86Layout(5), hostLayout: x86Layout(5) });
      const out = new Float64Array(trace.length);
      const s = m.run(trace, m.createVm(), { hostFramesOut: out });
      frames.push(Array.from(out));
      perWalk.push(mode === "shadow" ? s.walkRefs : s.walkRefs / s.walks);
    }
    expect(frames[1]).toEqual(frames[0]);
    expect(frames[2]).toEqual(frames[0]);
    expect(perWalk[0]).toBe(5);
    expect(perWalk[2]).toBe(35);
  });
});
