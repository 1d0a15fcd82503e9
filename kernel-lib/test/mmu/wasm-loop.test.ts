/**
 * The WebAssembly loop (assembly/mmu-core.ts, driven by mmu/wasm-loop.ts) against the
 * TypeScript model it follows: the same machine and trace run on engine "wasm" and on engine
 * "js" must leave the same counters, the same TLB, the same page tables (accessed and dirty
 * bits included) and the same frames reached, over random configurations and workloads.
 */
import { describe, expect, it } from "vitest";
import { Random } from "../../src/core/random";
import { Machine, type MachineConfig, type MemoryRunStats } from "../../src/hypervisor/machine";
import { BLOCK_RECORDS } from "../../src/mmu/wasm-layout";
import { wasmCoreProblem } from "../../src/mmu/wasm-loop";
import { contextSwitchWorkload, forkExecWorkload, hotColdWorkload, mmapChurnWorkload, uniformWorkload } from "../../src/workloads/generators";
import { TraceBuilder, type MemoryTrace } from "../../src/workloads/trace";

const MiB = 2 ** 20;

interface Case {
  config: Omit<MachineConfig, "engine">;
  vmBytes: number;
  guestPage: number;
  pml: "off" | "pml" | "write-protect";
  traces: MemoryTrace[];
  premap: boolean;
  out: boolean;
}

/** Everything observable a run leaves behind. */
function outcome(c: Case, engine: "wasm" | "js") {
  const m = new Machine({ ...c.config, engine });
  const vm = m.createVm({ memoryBytes: c.vmBytes, guestPageSizeBytes: c.guestPage });
  if (c.pml !== "off") m.startDirtyLog(vm, c.pml);
  const runs: { stats: Omit<MemoryRunStats, "seconds">; frames: number[] | null }[] = [];
  const engines: string[] = [];
  for (const trace of c.traces) {
    const out = c.out ? new Float64Array(trace.length) : undefined;
    engines.push(m.engine);
    const { seconds: _s, ...stats } = m.run(trace, vm, { premap: c.premap, hostFramesOut: out });
    runs.push({ stats, frames: out ? Array.from(out) : null });
  }
  const mem = m.hostMemory;
  const frames: Record<number, string> = {};
  for (let f = 0; f < mem.frameCount; f++) {
    if (mem.slotPlusOne[f] !== 0) frames[f] = Buffer.from(mem.frameBytes(f)).toString("base64");
  }
  return {
    engines,
    state: {
    runs,
    counters: m.counters(),
    tlb: { contents: m.mmu.tlb.contents(), stats: m.mmu.tlb.stats(), lastHit: m.mmu.tlb.lastHit, clock: m.mmu.tlb.clock },
    walker: { refs: m.mmu.walker.totalRefs, walks: m.mmu.walker.walks },
    // Every dirty bit set starts a content generation (the memos depend on it), in both engines.
    generation: mem.contentGeneration,
    dirty: c.pml !== "off" ? m.collectDirtyLog(vm) : null,
    frames,
    },
  };
}

/** A random machine and workload, small enough to run twice in a few milliseconds. */
function randomCase(seed: number): Case {
  const r = new Random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[r.int(xs.length)]!;
  const mode = pick(["native", "shadow", "nested"] as const);
  const isolation = mode !== "nested" || r.int(4) > 0;
  const guestPage = pick([4096, 4096, 4096, 2 * MiB]);
  const hostPage = mode === "nested" && isolation ? pick([4096, 4096, 2 * MiB]) : 4096;
  const config: Omit<MachineConfig, "engine"> = {
    mode,
    isolation,
    hostMemoryBytes: 2 ** 31,
    hostPageSizeBytes: hostPage,
    tlb: { sets: pick([1, 2, 4, 16, 64]), ways: pick([1, 2, 4, 8]) },
    memo: r.int(3) > 0,
    shadowPaging: pick(["trap-all", "kvm"] as const),
  };
  const writeFraction = pick([0, 0.3, 0.9]);
  const s = seed * 7 + 1;
  const firstVpn = 0x10000 + (guestPage > 4096 ? 0 : r.int(512));
  const pages = pick([8, 100, 1500]);
  const workloads: (() => MemoryTrace)[] = [
    () => uniformWorkload({ pages, accesses: 4000, seed: s, writeFraction, firstVpn }),
    () => hotColdWorkload({ hotPages: 20, coldPages: 600, accesses: 4000, seed: s, writeFraction, firstVpn }),
    () => contextSwitchWorkload({ processes: 3, pagesPerProcess: 40, quantum: 300, accesses: 4000, seed: s, writeFraction, firstVpn }),
    () => forkExecWorkload({ cycles: 3, parentPages: 30, childPages: 20, accessesPerChild: 300, parentAccesses: 200, seed: s, writeFraction, firstVpn }),
    () => mmapChurnWorkload({ cycles: 12, regionPages: 16, accessesPerCycle: 200, seed: s, writeFraction, firstVpn }),
  ];
  // Large guest pages: the generators' traces are in 4 KiB pages, so keep to the premapped kinds.
  const usable = guestPage > 4096 ? [] : workloads;
  // Made here, once: both engines must run the very same records. The second run goes on from
  // the first's state (TLB, tables, processes) with process 0 only, which every workload leaves.
  const traces = usable.length ? [pick(usable)(), pick(usable.slice(0, 2))()] : [];
  const pml = mode === "nested" && isolation ? pick(["off", "off", "pml", "write-protect"] as const) : mode === "shadow" ? pick(["off", "write-protect"] as const) : "off";
  return { config, vmBytes: 256 * MiB, guestPage, pml, traces, premap: r.int(4) > 0, out: r.int(3) === 0 };
}

describe("the WebAssembly loop runs the TypeScript model exactly", () => {
  it("is built and used by default (npm run build compiles assembly/mmu-core.ts)", () => {
    expect(wasmCoreProblem()).toBe("");
    const m = new Machine({ mode: "nested" });
    expect(m.engine).toBe("wasm");
    expect(m.engineProblem).toBe("");
    expect(m.hostMemory.wasmMemory).not.toBeNull();
  });

  it("leaves the same counters, TLB, tables and frames as engine js on 120 random machines and workloads", () => {
    let ran = 0;
    for (let seed = 1; ran < 120; seed++) {
      const c = randomCase(seed);
      if (c.traces.length === 0) continue;
      const w = outcome(c, "wasm");
      const j = outcome(c, "js");
      expect(w.engines.every((x) => x === "wasm"), `seed ${seed}: the wasm machine ran in ${w.engines}`).toBe(true);
      expect(j.engines.every((x) => x === "js")).toBe(true);
      expect(w.state, `seed ${seed}: ${JSON.stringify(c.config)} pml ${c.pml} premap ${c.premap}`).toEqual(j.state);
      ran++;
    }
  });

  it("agrees on large pages on both sides (2 MiB guest pages over 2 MiB host pages), with writes through clean entries", () => {
    for (const mode of ["native", "shadow", "nested"] as const) {
      const c: Case = {
        config: { mode, hostMemoryBytes: 2 ** 31, hostPageSizeBytes: mode === "nested" ? 2 * MiB : 4096, tlb: { sets: 4, ways: 2 } },
        vmBytes: 512 * MiB,
        guestPage: 2 * MiB,
        pml: mode === "nested" ? "pml" : "off",
        traces: [0.0, 0.5].map((writeFraction) => uniformWorkload({ pages: 3000, accesses: 6000, seed: 5, writeFraction, firstVpn: 0x10000 })),
        premap: true,
        out: true,
      };
      const w = outcome(c, "wasm");
      expect(w.engines).toEqual(["wasm", "wasm"]);
      expect(w.state.runs[0]!.stats.tlbHits).toBeGreaterThan(0);
      // 2 MiB entries were really cached (a shadow table maps the guest's large pages with 4 KiB entries).
      if (mode !== "shadow") expect(w.state.tlb.contents.some((e) => e.shift === 9)).toBe(true);
      expect(w.state).toEqual(outcome(c, "js").state);
    }
  });

  it("never answers from a walk memoized before the tables changed (a page unmapped and mapped again mid-trace)", () => {
    for (const mode of ["native", "shadow", "nested"] as const) {
      const b = new TraceBuilder();
      b.premapRange(0, 0x10000, 64);
      for (let round = 0; round < 3; round++) {
        for (let v = 0; v < 64; v++) b.read(0x10000 + v).write(0x10000 + ((v * 7) % 64));
        // The same pages on new frames: another page takes each freed frame first.
        for (let v = 0; v < 64; v += 3) b.unmap(0x10000 + v).map(0x20000 + 64 * round + v).map(0x10000 + v);
      }
      const c: Case = { config: { mode, hostMemoryBytes: 2 ** 31, tlb: { sets: 2, ways: 2 } }, vmBytes: 64 * MiB, guestPage: 4096, pml: "off", traces: [b.build("remap")], premap: true, out: true };
      const w = outcome(c, "wasm");
      const frames = w.state.runs[0]!.frames!;
      expect(new Set(frames.filter((f) => f >= 0)).size).toBeGreaterThan(64); // the remapped pages really moved
      expect(w.state).toEqual(outcome(c, "js").state);
    }
  });

  it("sets dirty bits as the TypeScript walker does: pages mapped clean, read, then written (guest D, shadow D, EPT D and PML)", () => {
    for (const mode of ["native", "shadow", "nested"] as const) {
      const run = (engine: "wasm" | "js") => {
        const m = new Machine({ mode, engine, hostMemoryBytes: 2 ** 30, tlb: { sets: 4, ways: 2 } });
        const vm = m.createVm({ memoryBytes: 64 * MiB });
        if (mode === "nested") m.startDirtyLog(vm, "pml");
        const p = vm.kernel.createProcess(0);
        for (let v = 0; v < 48; v++) vm.kernel.mapPage(p, 0x10000 + v, { dirty: false });
        // Pass 1 reads and writes every page twice (backing guest memory, then filling the core's memo); re-arming the log
        // then clears the EPT dirty bits, so pass 2's writes set them again, in the core.
        const reads = new TraceBuilder();
        // The second round walks in the core, and memoizes pages already written (writable and dirty).
        for (let round = 0; round < 2; round++) for (let v = 0; v < 48; v++) reads.read(0x10000 + v).write(0x10000 + v);
        m.run(reads.build("reads"), vm, { premap: false });
        const first = mode === "nested" ? m.collectDirtyLog(vm) : null;
        const b = new TraceBuilder();
        for (let v = 0; v < 48; v++) b.read(0x10000 + ((v * 5) % 48)).write(0x10000 + ((v * 5) % 48)).write(0x10000 + v);
        const { seconds: _s, ...stats } = m.run(b.build("clean pages"), vm, { premap: false });
        const mem = m.hostMemory;
        const frames: string[] = [];
        for (let f = 0; f < mem.frameCount; f++) if (mem.slotPlusOne[f] !== 0) frames.push(`${f}:${Buffer.from(mem.frameBytes(f)).toString("base64")}`);
        return { engine: m.engine, stats, generation: mem.contentGeneration, tlb: m.mmu.tlb.contents(), tlbStats: m.mmu.tlb.stats(), dirty: mode === "nested" ? [first, m.collectDirtyLog(vm)] : null, frames };
      };
      const w = run("wasm");
      const j = run("js");
      expect(w.engine).toBe("wasm");
      expect(w.generation).toBeGreaterThan(40); // dirty bits were really set during the run
      if (mode === "nested") expect((w.dirty![1] as number[]).length).toBeGreaterThanOrEqual(48); // and logged by PML (with the guest table frames the walk wrote)
      expect({ ...w, engine: "" }).toEqual({ ...j, engine: "" });
    }
  });

  it("shares one TLB with the core, in its memory, across the memory's growth", () => {
    const run = (engine: "wasm" | "js") => {
      const m = new Machine({ mode: "shadow", engine, hostMemoryBytes: 2 ** 30, tlb: { sets: 8, ways: 4 } });
      const vm = m.createVm({ memoryBytes: 64 * MiB });
      const first = uniformWorkload({ pages: 40, accesses: 2000, seed: 3, writeFraction: 0.3 });
      m.run(first, vm);
      const tlb = m.mmu.tlb;
      const before = { contents: tlb.contents(), buffer: tlb.key.buffer };
      // Storage for 300 more frames: the pool outgrows its buffer, which growth replaces.
      const mem = m.hostMemory;
      for (let f = mem.frameCount - 300; f < mem.frameCount; f++) mem.writeByte(f * mem.pageSizeBytes, 7);
      const after = { contents: tlb.contents(), buffer: tlb.key.buffer };
      m.run(uniformWorkload({ pages: 60, accesses: 2000, seed: 4, writeFraction: 0.3 }), vm, { premap: true });
      return { m, before, after, state: { tlb: tlb.contents(), stats: tlb.stats(), counters: m.counters() } };
    };
    const w = run("wasm");
    const j = run("js");
    expect(w.m.engine).toBe("wasm");
    expect(w.before.contents.length).toBeGreaterThan(20);
    expect(w.after.buffer).not.toBe(w.before.buffer); // the memory grew and the TLB moved with it
    expect(w.after.buffer).toBe(w.m.hostMemory.wasmMemory!.buffer);
    expect(w.after.contents).toEqual(w.before.contents);
    expect(w.state).toEqual(j.state);
  });

  it("starts every core call from the memory's content generation (a walk memoized before a dirty bit was set is not reused in the next block)", () => {
    // X and X2 map one guest frame. Block 1 reads X (memoized: the frame not yet EPT-dirty),
    // then writes X2 (which sets that frame's EPT dirty bit); block 2 reads X and writes it. With
    // block 2 starting from a stale generation, X's old walk matched again and its TLB entry
    // lacked the dirty bit the write needs.
    const X = 0x10000, X2 = 0x10001, others = 16;
    const run = (engine: "wasm" | "js") => {
      const m = new Machine({ mode: "nested", engine, hostMemoryBytes: 2 ** 30, tlb: { sets: 1, ways: 2 }, memo: true });
      const vm = m.createVm({ memoryBytes: 64 * MiB });
      const k = vm.kernel;
      const p = k.createProcess(0);
      const f = k.mapPage(p, X, { dirty: true });
      k.mapPage(p, X2, { frame: f, dirty: true });
      for (let v = 0; v < others; v++) k.mapPage(p, 0x10100 + v, { dirty: true });
      const warm = new TraceBuilder();
      for (const v of [X, X2, ...Array.from({ length: others }, (_, i) => 0x10100 + i)]) warm.read(v).write(v);
      m.run(warm.build("warm-up"), vm, { premap: false });
      m.startDirtyLog(vm, "pml"); // EPT dirty bits clear again
      // The guest's table frames made EPT-dirty again (reads walk them), X's frame not: below,
      // X's walk then sets no dirty bit and is memoized at the generation the run starts with.
      const tables = new TraceBuilder();
      for (let v = 0; v < others; v++) tables.read(0x10100 + v);
      m.run(tables.build("tables"), vm, { premap: false });
      const b = new TraceBuilder();
      b.read(X).write(X2);
      while (b.length < BLOCK_RECORDS + 8) b.read(0x10100 + (b.length % others));
      b.read(X).write(X).read(X);
      const { seconds: _s, ...stats } = m.run(b.build("aliased"), vm, { premap: false });
      return { engine: m.engine, stats, tlb: m.mmu.tlb.contents(), generation: m.hostMemory.contentGeneration };
    };
    const w = run("wasm");
    expect(w.engine).toBe("wasm");
    expect({ ...w, engine: "" }).toEqual({ ...run("js"), engine: "" });
  });

  it("falls back to TypeScript, saying why, where the core does not model the configuration", () => {
    const pwc = new Machine({ mode: "native", walkCacheEntries: 16 });
    expect(pwc.engine).toBe("js");
    expect(pwc.engineProblem).toMatch(/page-walk cache/);
    const big = new Machine({ mode: "native", tlb: { sets: 1024, ways: 8 } });
    expect(big.engine).toBe("js");
    expect(big.engineProblem).toMatch(/4096 entries/);
    const asked = new Machine({ mode: "native", engine: "js" });
    expect(asked.engine).toBe("js");
    expect(asked.engineProblem).toBe("");
    expect(asked.hostMemory.wasmMemory).toBeNull();
    expect(() => new Machine({ mode: "native", engine: "c" as never })).toThrow(/engine.*"wasm" or "js"/);
  });
});
