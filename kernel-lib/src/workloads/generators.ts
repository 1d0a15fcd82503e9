/**
 * Seeded workload generators. Each returns a {@link MemoryTrace}; the same options and seed
 * give the same trace, in Node and in a browser.
 *
 * Static workloads (sequential, strided, uniform, hot/cold, context switches) premap every page
 * they touch, so the loop measures translation, not demand paging. Churn workloads (fork/exec,
 * mmap/munmap) create and destroy mappings inside the loop: that is what they measure.
 */
import { requireInt, requireNumber } from "../core/errors";
import { Random } from "../core/random";
import { OP_READ, OP_WRITE, TraceBuilder, type MemoryTrace } from "./trace";

/** Options shared by the generators. */
export interface WorkloadBaseOptions {
  /** Data accesses to generate. */
  accesses: number;
  /** Seed of the random choices. Default 1. */
  seed?: number;
  /** First virtual page of the working set. Default 0x10000 (address 0x10000000). */
  firstVpn?: number;
  /** Fraction of accesses that are writes, 0..1. Default 0.3. */
  writeFraction?: number;
}

const DEFAULT_FIRST_VPN = 0x10000;

function base(o: WorkloadBaseOptions): { accesses: number; rng: Random; firstVpn: number; writeFraction: number; seed: number } {
  const seed = o.seed ?? 1;
  return {
    accesses: requireInt("accesses", o.accesses, 0, 2 ** 31),
    rng: new Random(seed),
    firstVpn: requireNumber("firstVpn", o.firstVpn ?? DEFAULT_FIRST_VPN, 0, 2 ** 52),
    writeFraction: requireNumber("writeFraction", o.writeFraction ?? 0.3, 0, 1),
    seed,
  };
}

/** Allocates the flat arrays of a pure access trace directly (fast for 10-million-access traces). */
function accessTrace(name: string, accesses: number, seed: number, pageOf: (i: number) => number, rng: Random, writeFraction: number, premapFirst: number, premapCount: number): MemoryTrace {
  const ops = new Uint8Array(accesses);
  const arg = new Float64Array(accesses);
  const writeThreshold = Math.floor(writeFraction * 4294967296);
  for (let i = 0; i < accesses; i++) {
    arg[i] = pageOf(i);
    ops[i] = rng.nextUint32() < writeThreshold ? OP_WRITE : OP_READ;
  }
  const vpns = new Float64Array(premapCount);
  for (let i = 0; i < premapCount; i++) vpns[i] = premapFirst + i;
  return { name, length: accesses, ops, arg, offset: null, pageSizeBytes: 4096, accesses, premap: [{ process: 0, vpns }], seed };
}

/** Sequential sweep over `pages` pages, `accessesPerPage` accesses to each before moving on, wrapping around. */
export function sequentialWorkload(o: WorkloadBaseOptions & { pages: number; accessesPerPage?: number }): MemoryTrace {
  const b = base(o);
  const pages = requireInt("pages", o.pages, 1, 2 ** 30);
  const per = requireInt("accessesPerPage", o.accessesPerPage ?? 1, 1, 2 ** 20);
  return accessTrace(`sequential ${pages}p`, b.accesses, b.seed, (i) => b.firstVpn + (Math.floor(i / per) % pages), b.rng, b.writeFraction, b.firstVpn, pages);
}

/** Strided sweep: access i touches byte i × strideBytes of a `pages`-page region (wrapping). */
export function stridedWorkload(o: WorkloadBaseOptions & { pages: number; strideBytes: number; pageSizeBytes?: number }): MemoryTrace {
  const b = base(o);
  const pages = requireInt("pages", o.pages, 1, 2 ** 30);
  const stride = requireInt("strideBytes", o.strideBytes, 1, 2 ** 40);
  const page = o.pageSizeBytes ?? 4096;
  const region = pages * page;
  return accessTrace(`strided ${stride}B`, b.accesses, b.seed, (i) => b.firstVpn + Math.floor(((i * stride) % region) / page), b.rng, b.writeFraction, b.firstVpn, pages);
}

/** Uniform random pages out of `pages` (the TLB-miss-heavy case when pages >> TLB entries). */
export function uniformWorkload(o: WorkloadBaseOptions & { pages: number }): MemoryTrace {
  const b = base(o);
  const pages = requireInt("pages", o.pages, 1, 2 ** 32);
  return accessTrace(`uniform ${pages}p`, b.accesses, b.seed, () => b.firstVpn + b.rng.int(pages), b.rng, b.writeFraction, b.firstVpn, pages);
}

/** Hot/cold: a fraction `hotFraction` of accesses go to `hotPages` pages, the rest to `coldPages` others. */
export function hotColdWorkload(o: WorkloadBaseOptions & { hotPages: number; coldPages: number; hotFraction?: number }): MemoryTrace {
  const b = base(o);
  const hot = requireInt("hotPages", o.hotPages, 1, 2 ** 30);
  const cold = requireInt("coldPages", o.coldPages, 0, 2 ** 30);
  const frac = requireNumber("hotFraction", o.hotFraction ?? 0.9, 0, 1);
  const threshold = Math.floor(frac * 4294967296);
  return accessTrace(
    `hot/cold ${hot}+${cold}p`,
    b.accesses,
    b.seed,
    () => (cold === 0 || b.rng.nextUint32() < threshold ? b.firstVpn + b.rng.int(hot) : b.firstVpn + hot + b.rng.int(cold)),
    b.rng,
    b.writeFraction,
    b.firstVpn,
    hot + cold,
  );
}

/**
 * Context switches: `processes` processes, each with its own `pagesPerProcess` pages (at the
 * same virtual addresses, as separate programs have), switching every `quantum` accesses.
 */
export function contextSwitchWorkload(o: WorkloadBaseOptions & { processes: number; pagesPerProcess: number; quantum: number }): MemoryTrace {
  const b = base(o);
  const procs = requireInt("processes", o.processes, 1, 4096);
  const pages = requireInt("pagesPerProcess", o.pagesPerProcess, 1, 2 ** 24);
  const quantum = requireInt("quantum", o.quantum, 1, 2 ** 30);
  const t = new TraceBuilder(4096, b.accesses + Math.ceil(b.accesses / quantum) + 16);
  for (let p = 0; p < procs; p++) t.premapRange(p, b.firstVpn, pages);
  let proc = 0;
  for (let i = 0; i < b.accesses; i++) {
    if (i > 0 && i % quantum === 0) {
      proc = (proc + 1) % procs;
      t.switchTo(proc);
    }
    const vpn = b.firstVpn + b.rng.int(pages);
    if (b.rng.next() < b.writeFraction) t.write(vpn);
    else t.read(vpn);
  }
  return t.build(`context switch ${procs}×${pages}p q${quantum}`, b.seed);
}

/**
 * Fork/exec churn, like a shell running short programs (the forkwait benchmark of figure
 * B6): the parent (process 0, `parentPages` pages) forks a child, the child execs, touches
 * `childPages` fresh pages (demand faults) with `accessesPerChild` accesses, and exits; the
 * parent then runs `parentAccesses` accesses. Repeated `cycles` times. `accesses` is ignored.
 */
export function forkExecWorkload(o: Omit<WorkloadBaseOptions, "accesses"> & { cycles: number; parentPages?: number; childPages?: number; accessesPerChild?: number; parentAccesses?: number }): MemoryTrace {
  const b = base({ ...o, accesses: 0 });
  const cycles = requireInt("cycles", o.cycles, 1, 2 ** 24);
  const parentPages = requireInt("parentPages", o.parentPages ?? 64, 1, 2 ** 20);
  const childPages = requireInt("childPages", o.childPages ?? 32, 1, 2 ** 20);
  const perChild = requireInt("accessesPerChild", o.accessesPerChild ?? 2000, 0, 2 ** 24);
  const parentAccesses = requireInt("parentAccesses", o.parentAccesses ?? 1000, 0, 2 ** 24);
  const t = new TraceBuilder(4096, cycles * (perChild + parentAccesses + 8));
  t.premapRange(0, b.firstVpn, parentPages);
  for (let c = 0; c < cycles; c++) {
    t.fork(1);
    t.switchTo(1);
    t.exec();
    for (let i = 0; i < perChild; i++) {
      const vpn = b.firstVpn + b.rng.int(childPages);
      if (b.rng.next() < b.writeFraction) t.write(vpn);
      else t.read(vpn);
    }
    t.switchTo(0);
    t.exit(1);
    for (let i = 0; i < parentAccesses; i++) t.read(b.firstVpn + b.rng.int(parentPages));
  }
  return t.build(`fork/exec ×${cycles}`, b.seed);
}

/**
 * mmap/munmap churn: map a `regionPages` region, make `accessesPerCycle` random accesses to
 * it, unmap it; `cycles` times. `accesses` is ignored.
 */
export function mmapChurnWorkload(o: Omit<WorkloadBaseOptions, "accesses"> & { cycles: number; regionPages?: number; accessesPerCycle?: number }): MemoryTrace {
  const b = base({ ...o, accesses: 0 });
  const cycles = requireInt("cycles", o.cycles, 1, 2 ** 24);
  const region = requireInt("regionPages", o.regionPages ?? 16, 1, 2 ** 20);
  const per = requireInt("accessesPerCycle", o.accessesPerCycle ?? 500, 0, 2 ** 24);
  const t = new TraceBuilder(4096, cycles * (per + 2 * region));
  t.premapPage(0, b.firstVpn - 1);
  for (let c = 0; c < cycles; c++) {
    for (let p = 0; p < region; p++) t.map(b.firstVpn + p);
    for (let i = 0; i < per; i++) {
      const vpn = b.firstVpn + b.rng.int(region);
      if (b.rng.next() < b.writeFraction) t.write(vpn);
      else t.read(vpn);
    }
    for (let p = 0; p < region; p++) t.unmap(b.firstVpn + p);
  }
  return t.build(`mmap/munmap ${region}p ×${cycles}`, b.seed);
}
