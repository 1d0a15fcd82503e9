/**
 * Runs the simulation loop's reads and writes in WebAssembly: the driver of
 * kernel-lib/assembly/mmu-core.ts, the TLB and page walker of tlb.ts and walker.ts compiled
 * ahead of time (issue 15: a single CLI run of 2 M accesses is to be near a plain C version's speed).
 *
 * - The core works on the host's PhysicalMemory in place (a Wasm-backed memory, created by
 *   the Machine), so the tables it walks and the accessed/dirty bits it sets are the ones
 *   every other part of the simulator sees.
 * - The TLB's arrays live in the core's memory (Tlb.placeIn), so the TypeScript path and the
 *   core use one TLB; its scalars (clock, large entries) and the counters (as deltas) go in
 *   and out at every call. Registers (CR3, EPT pointer, context tag) are read afresh at every call, so
 *   whatever the TypeScript side did in between (a context switch, a fault fixed, a flush) holds.
 * - The core stops at the first record it cannot finish (an event, a faulting walk, an LRU
 *   clock due for renumbering) without counting it; {@link Machine} replays that record on the
 *   TypeScript path and calls {@link WasmLoop.run} again from the next one.
 *
 * Where the core cannot be had, the TypeScript loop runs, with the same results: no compiled
 * core (kernel-lib not built), no Wasm memory (an address-space limit), a browser (no file to
 * read it from), or a configuration outside the core's model (a page-walk cache, steps being
 * recorded, entries narrower than 8 bytes, a TLB above MAX_TLB_ENTRIES). test/mmu/wasm-loop.test.ts
 * holds the two to the same counters, TLB and memory on random machines and traces.
 */
import { wasmApi, type WasmModule } from "../core/wasm-api";
import type { AddressLayout } from "../memory/layout";
import type { PhysicalMemory } from "../memory/physical-memory";
import type { Mmu } from "./mmu";
import * as W from "./wasm-layout";

const MMU_NESTED = 2;

let compiled: WasmModule | null | undefined;
let whyNot = "";

// The two Node features the loader uses, typed here: this file is also compiled for the browser
// (the handouts' playgrounds bundle the simulator), without Node's types. In a browser bundle
// __dirname is undefined and there is no process, so the loader says so and TypeScript runs the loop.
declare const __dirname: string | undefined;
interface NodeFs {
  readFileSync(path: string): Uint8Array;
}
interface NodeV8 {
  setFlagsFromString(flags: string): void;
}
interface NodeProcess {
  getBuiltinModule?: (id: string) => unknown;
  execArgv?: readonly string[];
}
const nodeProcess = (globalThis as { process?: NodeProcess }).process;

/** The compiled core (dist/wasm/mmu-core.wasm, built by `npm run build`), or null with {@link wasmCoreProblem} saying why. */
export function wasmCoreModule(): WasmModule | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  const fs = nodeProcess?.getBuiltinModule?.("node:fs") as NodeFs | undefined;
  if (wasmApi === null) whyNot = "this JavaScript engine has no WebAssembly";
  else if (fs === undefined || typeof __dirname !== "string") whyNot = "no file system to read the core from (a browser)";
  else {
    // From src/mmu (tests) and from dist/mmu alike: kernel-lib/dist/wasm/.
    const file = `${__dirname}/../../dist/wasm/mmu-core.wasm`;
    try {
      compiled = compileOptimized(fs.readFileSync(file));
    } catch (e) {
      whyNot = `cannot load ${file} (${(e as Error).message.split("\n")[0]}); npm run build makes it`;
    }
  }
  return compiled;
}

/**
 * Compiles the core with V8's optimizing compiler, all of it, now. By default V8 compiles each
 * function on its first call with its baseline compiler (Liftoff), two to three times slower
 * code, and optimizes it in the background once it is hot; the loop runs blocks of records per
 * call, so a 2 M-access CLI run spent its first milliseconds in baseline code: measured, 24 ms
 * of loop instead of 17 (matmul, native). The two flags hold only while this module compiles
 * and are then put back as the process was started, so nothing else in it changes.
 */
function compileOptimized(bytes: Uint8Array): WasmModule {
  const v8 = nodeProcess?.getBuiltinModule?.("node:v8") as NodeV8 | undefined;
  const flags = ["liftoff", "wasm-lazy-compilation"]; // both on by default in Node
  const started = flags.map((f) => !(nodeProcess?.execArgv ?? []).includes(`--no-${f}`));
  try {
    for (const f of flags) v8?.setFlagsFromString(`--no-${f}`);
    return new wasmApi!.Module(bytes);
  } finally {
    flags.forEach((f, i) => v8?.setFlagsFromString(started[i] ? `--${f}` : `--no-${f}`));
  }
}

/** Why {@link wasmCoreModule} is null ("" when it is not). */
export function wasmCoreProblem(): string {
  wasmCoreModule();
  return whyNot;
}

interface CoreExports {
  run(from: number, to: number): number;
}

/** The Wasm loop bound to one MMU and its host memory. */
export class WasmLoop {
  /** Data accesses the last {@link run} completed. */
  accesses = 0;
  private readonly core: CoreExports;
  private buffer: ArrayBuffer | null = null;
  private i32 = new Int32Array(0);
  private f64 = new Float64Array(0);
  private u8 = new Uint8Array(0);
  private guestLayout: AddressLayout | null = null;
  // The trace records now in the core's block: whose arrays, and which records.
  private blockOps: Uint8Array | null = null;
  private blockArg: Float64Array | null = null;
  private blockStart = 0;
  private blockEnd = 0;
  private hostLayout: AddressLayout | null = null;
  /** Whether the core takes the layouts last written (layoutFits), worked out once per layout. */
  private layoutsFit = false;

  private constructor(
    private readonly mmu: Mmu,
    private readonly memory: PhysicalMemory,
    instance: { readonly exports: unknown },
  ) {
    this.core = instance.exports as unknown as CoreExports;
    this.view();
    // The TLB's arrays live in the core's memory (its T_* arrays), so a run and a record
    // TypeScript does between runs see one TLB and nothing is copied. Made again at every
    // growth of the memory, which replaces its buffer.
    const tlb = mmu.tlb;
    if (tlb.entries <= W.MAX_TLB_ENTRIES) {
      tlb.placeIn(this.buffer!, TLB_PLACEMENT, true);
      memory.onWasmGrow(() => tlb.placeIn(memory.wasmMemory!.buffer, TLB_PLACEMENT, false));
    }
    const i32 = this.i32;
    // A fresh memory is all zeros, which would read as a filled seen-table cache: mark it stale.
    i32[W.R_SEEN_GENERATION >> 2] = ~memory.layoutGeneration;
    // The registers fixed for the life of the MMU and its memory, written once.
    i32[W.R_WAYS >> 2] = tlb.ways;
    i32[W.R_SET_MASK >> 2] = tlb.sets - 1;
    i32[W.R_PAGE_BYTES >> 2] = memory.pageSizeBytes;
    i32[W.R_FRAME_COUNT >> 2] = memory.frameCount;
    i32[W.R_SLOT_BASE >> 2] = memory.slotBase;
    i32[W.R_POOL_BASE >> 2] = memory.poolBase;
    i32[W.R_LARGE_SHIFT_COUNT >> 2] = tlb.largeShifts.length;
    i32.set(tlb.largeShifts, W.R_LARGE_SHIFTS >> 2);
    i32.set(mmu.tlbShiftFor, W.R_TLB_SHIFT_FOR >> 2);
    this.checkLayouts();
  }

  /**
   * Writes the MMU's layouts for the core when they have changed (and whether the core takes
   * them), emptying the memo if it may hold walks of other layouts. A fresh memory's memo needs
   * no emptying: its zeros never match (no walk is rooted at frame 0, so roots are never 0).
   */
  private checkLayouts(): void {
    const mmu = this.mmu;
    if (mmu.layout === this.guestLayout && (mmu.hostLayout === null || mmu.hostLayout === this.hostLayout)) return;
    const used = this.guestLayout !== null;
    this.writeLayout(W.GUEST_LAYOUT, (this.guestLayout = mmu.layout));
    if (mmu.hostLayout !== null) this.writeLayout(W.HOST_LAYOUT, (this.hostLayout = mmu.hostLayout));
    this.layoutsFit = layoutFits(mmu.layout) && (mmu.hostLayout === null || layoutFits(mmu.hostLayout));
    // The memo is keyed by roots, not layouts (walker.ts checkMemoLayouts): start it afresh.
    if (used) for (let e = 0; e < W.MEMO_ENTRIES; e++) this.f64[(W.MEMO_BASE >> 3) + e * 4] = -1;
  }

  /** A loop for `mmu`, or null when its memory is not Wasm-backed or the core is not available. */
  static create(mmu: Mmu): WasmLoop | null {
    const memory = mmu.memory;
    const module = wasmCoreModule();
    if (module === null || memory.wasmMemory === null) return null;
    const walker = mmu.walker;
    const instance = new wasmApi!.Instance(module, { env: { memory: memory.wasmMemory, hostDirty: (g: number) => walker.onHostDirty?.(g) } });
    return new WasmLoop(mmu, memory, instance);
  }

  /**
   * Starts a new trace (or chunk of one): the block in the core's memory is not reused even if
   * the arrays are the same objects (a streamed trace refills one chunk's arrays).
   */
  begin(): void {
    this.blockOps = null;
    this.blockArg = null;
  }

  /** True if the core models the MMU as it is now configured (else the TypeScript loop runs). */
  usable(): boolean {
    return this.problem() === "";
  }

  /** Why the core does not model the MMU as it is now configured, or "" when it does. */
  problem(): string {
    const mmu = this.mmu;
    const w = mmu.walker;
    this.checkLayouts();
    if (this.memory.wasmMemory === null) return "the host memory left WebAssembly (it outgrew 4 GiB)";
    if (w.walkCacheEntries !== 0) return "the core has no page-walk cache";
    if (w.recordSteps) return "walk steps are being recorded";
    if (mmu.tlb.entries > W.MAX_TLB_ENTRIES) return `the core holds TLBs of at most ${W.MAX_TLB_ENTRIES} entries`;
    if (!this.layoutsFit) return "the core takes 8-byte entries whose frame field starts in the low word, in at most 8 levels";
    return "";
  }

  /**
   * Runs records [from, to) of a trace (op codes and page numbers) until the first it cannot
   * finish; returns that record's index (`to` when all were done). Writes each access's host
   * frame to `out` when given. Call only when {@link usable}.
   */
  run(ops: Uint8Array, arg: Float64Array, from: number, to: number, out: Float64Array | null): number {
    this.view();
    const { i32, f64, u8, mmu, memory } = this;
    const tlb = mmu.tlb;
    const walker = mmu.walker;
    // The registers TypeScript may have changed since the last run (a context switch, a fault
    // fixed, dirty logging started); the TLB's own arrays are shared (Tlb.placeIn).
    i32[W.R_MODE >> 2] = mmu.modeCode;
    i32[W.R_HOST_IDENTITY >> 2] = mmu.hostIdentity ? 1 : 0;
    i32[W.R_CLOCK >> 2] = tlb.clock;
    i32[W.R_LARGE_VALID >> 2] = tlb.largeValid;
    i32[W.R_LAST_HIT >> 2] = tlb.lastHit;
    i32[W.R_HOST_DIRTY_HOOK >> 2] = walker.onHostDirty !== null ? 1 : 0;
    i32[W.R_OUT >> 2] = out !== null ? 1 : 0;
    i32[W.R_MEMO >> 2] = walker.memoEnabled ? 1 : 0;
    i32[W.R_LAYOUT_GENERATION >> 2] = memory.layoutGeneration | 0;
    // The memo's roots key, as walker.ts keys its result memo (root; host root, -1 for a 1D
    // walk, -2 for the identity): both roots are frames below 2^26, so the pair is exact in a double.
    const hostKey = mmu.modeCode !== MMU_NESTED ? -1 : mmu.hostIdentity ? -2 : mmu.eptRoot;
    f64[W.R_ROOTS >> 3] = mmu.cr3 * 2 ** 27 + hostKey + 2;
    f64[W.R_CR3 >> 3] = mmu.cr3;
    f64[W.R_EPT_ROOT >> 3] = mmu.eptRoot;
    f64[W.R_KEY >> 3] = mmu.tag * 32;

    let accesses = 0;
    let i = from;
    while (i < to) {
      // The block in the core's memory is reused when the run goes on inside it (after a record
      // TypeScript did): copying a whole block again per fault cost more than the faults.
      if (ops !== this.blockOps || arg !== this.blockArg || i < this.blockStart || i >= this.blockEnd) {
        const n = Math.min(to - i, W.BLOCK_RECORDS);
        u8.set(ops.subarray(i, i + n), W.OPS_BASE);
        f64.set(arg.subarray(i, i + n), W.ARG_BASE >> 3);
        this.blockOps = ops;
        this.blockArg = arg;
        this.blockStart = i;
        this.blockEnd = i + n;
      }
      const start = i - this.blockStart;
      const end = Math.min(to, this.blockEnd) - this.blockStart;
      // The memo's entries hold the content generation they were made in, so each call starts
      // from the memory's, which the dirty bits set by the call before have moved on.
      f64[W.R_GENERATION >> 3] = memory.contentGeneration;
      const done = this.core.run(start, end);
      // The hostDirty hook runs JavaScript inside the call, but nothing that grows the memory.
      tlb.hits += f64[W.R_HITS >> 3]!;
      tlb.misses += f64[W.R_MISSES >> 3]!;
      tlb.evictions += f64[W.R_EVICTIONS >> 3]!;
      walker.totalRefs += f64[W.R_REFS >> 3]!;
      walker.walks += f64[W.R_WALKS >> 3]!;
      accesses += done - start; // every record before the stop completed
      // A dirty bit set changes what a memoized walk answers for a write (walker.ts setBits).
      memory.contentGeneration += i32[W.R_DIRTY_SETS >> 2]!;
      if (out !== null) out.set(f64.subarray((W.OUT_BASE >> 3) + start, (W.OUT_BASE >> 3) + done), i);
      i = this.blockStart + done;
      if (done < end) break;
    }

    tlb.clock = i32[W.R_CLOCK >> 2]!;
    tlb.largeValid = i32[W.R_LARGE_VALID >> 2]!;
    tlb.lastHit = i32[W.R_LAST_HIT >> 2]!;
    this.accesses = accesses;
    return i;
  }

  /** Views of the core's area, made again whenever the memory has grown (which replaces its buffer). */
  private view(): void {
    const buffer = this.memory.wasmMemory!.buffer;
    if (buffer === this.buffer) return;
    this.buffer = buffer;
    this.i32 = new Int32Array(buffer, 0, W.CORE_BYTES >> 2);
    this.f64 = new Float64Array(buffer, 0, W.CORE_BYTES >> 3);
    this.u8 = new Uint8Array(buffer, 0, W.CORE_BYTES);
  }

  private writeLayout(at: number, L: AddressLayout): void {
    const { i32, f64 } = this;
    const i = at >> 2;
    i32[i + (W.L_LEVELS >> 2)] = L.levels;
    i32[i + (W.L_PRESENT >> 2)] = L.presentMask;
    i32[i + (W.L_LARGE >> 2)] = L.largePageMask;
    i32[i + (W.L_ACCESSED >> 2)] = L.accessedMask;
    i32[i + (W.L_DIRTY >> 2)] = L.dirtyMask;
    i32[i + (W.L_WRITABLE >> 2)] = L.writableMask;
    i32[i + (W.L_FRAME_LOW_SHIFT >> 2)] = L.frameLowShift;
    i32[i + (W.L_FRAME_LOW_MASK >> 2)] = L.frameLowMask;
    i32[i + (W.L_FRAME_HIGH_MASK >> 2)] = L.frameHighMask;
    i32[i + (W.L_X86 >> 2)] = isX86(L) ? 1 : 0;
    const i64 = new BigInt64Array(this.buffer!, at, 8);
    i64[W.L_VIRTUAL_PAGES >> 3] = BigInt(L.virtualPages);
    i64[W.L_FRAME_HIGH_SCALE >> 3] = BigInt(L.frameHighScale);
    for (let d = 0; d < L.levels; d++) {
      i32[i + (W.L_SHIFT_AT >> 2) + d] = L.vpnShiftAtDepth[d]!;
      i32[i + (W.L_MASK_AT >> 2) + d] = L.indexMaskAtDepth[d]!;
      i32[i + (W.L_LEAF_AT >> 2) + d] = L.leafAllowedAtDepth[d]!;
      f64[((at + W.L_PAGES_AT) >> 3) + d] = L.pagesPerEntryAtDepth[d]!;
    }
  }
}

/** Where the TLB's arrays live in the core's memory (wasm-layout.ts). */
const TLB_PLACEMENT = {
  pageNumber: W.T_PAGE_NUMBER,
  key: W.T_KEY,
  frame: W.T_FRAME,
  shift: W.T_SHIFT,
  perm: W.T_PERM,
  stamp: W.T_STAMP,
  validByShift: W.R_VALID_BY_SHIFT,
};

/** True for the layouts the core's specialized walk takes: x86-64 entries, 4 KiB pages, 9-bit indices (mmu-core.ts walk1DOf). */
function isX86(L: AddressLayout): boolean {
  return (
    L.pageSizeBytes === 4096 && L.indexBits.every((b) => b === 9) && L.presentMask === 1 && L.writableMask === 2 && L.accessedMask === 0x20 && L.dirtyMask === 0x40 &&
    L.largePageMask === 0x80 && L.frameLowShift === 12 && L.frameLowMask === 0xfffff && L.frameHighMask === 0xfffff && L.frameHighScale === 2 ** 20
  );
}

/**
 * The layouts the core takes: 8-byte entries, at most MAX_LEVELS levels, a frame field that
 * starts in the low word (a whole-number high-word scale), and bit masks below bit 31 (walker.ts compares masked words as signed 32-bit integers; the core as unsigned,
 * which agree only there).
 */
function layoutFits(L: AddressLayout): boolean {
  const masks = [L.presentMask, L.largePageMask, L.accessedMask, L.dirtyMask, L.writableMask, L.frameLowMask, L.frameHighMask];
  return L.pte.sizeBytes === 8 && L.levels <= W.MAX_LEVELS && masks.every((m) => m >= 0 && m < 2 ** 31) && L.pageSizeBytes >= 8 && Number.isInteger(L.frameHighScale);
}
