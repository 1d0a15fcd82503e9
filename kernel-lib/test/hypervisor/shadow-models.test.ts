import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Machine, SHADOW_PAGING_MODELS, TraceBuilder, forkExecWorkload, uniformWorkload, type MemoryTrace, type MemoryVirtualizationMode, type ShadowPagingModel } from "../../src";

const MiB = 2 ** 20;

function shadowMachine(shadowPaging: ShadowPagingModel) {
  const m = new Machine({ mode: "shadow", shadowPaging, hostMemoryBytes: 2 ** 30 });
  const vm = m.createVm({ memoryBytes: 64 * MiB });
  return { m, vm, k: vm.kernel };
}

describe("shadow-paging models: trap-all (default) and kvm (hypervisor/shadow-sync.ts)", () => {
  it("the default is trap-all; an unknown model is a clear error", () => {
    expect(new Machine({ mode: "shadow" }).shadowPaging).toBe("trap-all");
    expect(SHADOW_PAGING_MODELS).toEqual(["trap-all", "kvm"]);
    expect(() => new Machine({ mode: "shadow", shadowPaging: "xen" as never })).toThrow(/shadowPaging.*"trap-all", "kvm"/);
  });

  it("kvm: a child's tables written during fork do not trap before it runs; trap-all traps every one", () => {
    const exitsDuringFork = (model: ShadowPagingModel) => {
      const { m, vm, k } = shadowMachine(model);
      const p = k.createProcess(0);
      k.switchTo(0);
      for (let i = 0; i < 64; i++) m.access(vm, 0, (0x1000 + i) * 4096, { write: true, value: 1 });
      k.switchTo(0); // a CR3 load: kvm resyncs (and write-protects again) the parent's leaf table
      const before = m.exits.count("guest-pt-write");
      k.fork(p, 1);
      return m.exits.count("guest-pt-write") - before;
    };
    // trap-all: 64 child leaf entries + 3 child table links + 64 parent write-protections.
    expect(exitsDuringFork("trap-all")).toBe(64 + 3 + 64);
    // kvm: only the parent's one (shadowed) leaf table traps, once, as it goes unsync.
    expect(exitsDuringFork("kvm")).toBe(1);
  });

  it("kvm: writes to an unsync last-level table do not exit; the CR3 load resyncs them and no stale translation survives", () => {
    const { m, vm, k } = shadowMachine("kvm");
    const p = k.createProcess(0);
    k.switchTo(0);
    for (let i = 0; i < 8; i++) m.access(vm, 0, (0x2000 + i) * 4096);
    k.switchTo(0); // demand faults left the table unsync: a CR3 load resyncs and write-protects it
    const ptWrites = m.exits.count("guest-pt-write");
    for (let i = 0; i < 8; i++) p.table.protect(0x2000 + i, { writable: false }); // the kernel write-protects 8 PTEs
    expect(m.exits.count("guest-pt-write") - ptWrites).toBe(1); // the first write unsyncs the table
    k.switchTo(0); // the guest flushes (a CR3 load): resync
    for (let i = 0; i < 8; i++) {
      const r = m.access(vm, 0, (0x2000 + i) * 4096, { write: true, value: 1 });
      expect(r.event).toBe("protection-fault");
    }
  });

  it("kvm: INVLPG resyncs the one page it names", () => {
    const { m, vm, k } = shadowMachine("kvm");
    const p = k.createProcess(0);
    k.switchTo(0);
    m.access(vm, 0, 0x3000 * 4096);
    m.access(vm, 0, 0x3001 * 4096);
    k.unmapPage(p, 0x3000); // unsyncs the table, then INVLPG 0x3000
    expect(vm.shadow!.tableFor(0).lookup(0x3000).present).toBe(false);
    expect(vm.shadow!.tableFor(0).lookup(0x3001).present).toBe(true);
  });

  const randomTrace = fc
    .array(fc.tuple(fc.constantFrom("read", "read", "write", "write", "map", "unmap", "switch", "fork"), fc.integer({ min: 0, max: 200 })), { minLength: 1, maxLength: 150 })
    .map((cmds) => {
      const t = new TraceBuilder();
      t.premapRange(0, 0x4000, 40);
      for (const [kind, n] of cmds) {
        const vpn = 0x4000 + n * 37;
        if (kind === "read") t.read(vpn);
        else if (kind === "write") t.write(vpn);
        else if (kind === "map") t.map(vpn);
        else if (kind === "unmap") t.unmap(vpn);
        else if (kind === "switch") t.switchTo(n % 2);
        else t.fork(9).switchTo(9).write(0x4000 + (n % 40)).read(0x4003).switchTo(0).exit(9);
      }
      return t.build("random");
    });

  function frames(trace: MemoryTrace, mode: MemoryVirtualizationMode, shadowPaging: ShadowPagingModel = "trap-all"): number[] {
    const m = new Machine({ mode, shadowPaging, hostMemoryBytes: 2 ** 30, tlb: { sets: 4, ways: 2 } });
    const out = new Float64Array(trace.length);
    m.run(trace, m.createVm({ memoryBytes: 64 * MiB }), { hostFramesOut: out });
    return Array.from(out);
  }

  it("both models translate every access of random workloads (with copy-on-write forks) to the same host frame as nested paging", () => {
    fc.assert(
      fc.property(randomTrace, (trace) => {
        const nested = frames(trace, "nested");
        expect(frames(trace, "shadow", "kvm")).toEqual(nested);
        expect(frames(trace, "shadow", "trap-all")).toEqual(nested);
      }),
      { numRuns: 40, seed: 23 },
    );
  });

  it("the model facts hold under kvm too: shadow beats nested on static TLB-miss-heavy work, nested beats shadow on fork/exec churn", () => {
    const cycles = (trace: MemoryTrace, mode: MemoryVirtualizationMode) => {
      const m = new Machine({ mode, shadowPaging: "kvm" });
      return m.run(trace, m.createVm()).cycles;
    };
    const stat = uniformWorkload({ pages: 2000, accesses: 200_000, seed: 5 });
    expect(cycles(stat, "shadow")).toBeLessThan(cycles(stat, "nested"));
    const churn = forkExecWorkload({ cycles: 30, seed: 5 });
    expect(cycles(churn, "nested")).toBeLessThan(cycles(churn, "shadow"));
  });
});
