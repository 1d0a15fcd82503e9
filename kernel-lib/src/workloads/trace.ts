/**
 * A memory trace: what a workload does, one operation per slot, in flat typed arrays.
 *
 * Most operations are data accesses (read or write of a virtual page); the rest are the
 * OS events that matter to memory virtualization: context switches, mmap/munmap of a page,
 * fork, exec and exit. Flat arrays keep a 10-million-access trace at 9–13 bytes per
 * operation and let the simulation loop run without allocating.
 *
 * Pages are counted in base pages (VPNs); offsets are kept apart (optional), so addresses
 * above 2^53 (5-level paging) never need BigInt.
 */
import { ConfigError, requireInt } from "../core/errors";

/** Operation: read a byte of page `arg`. */
export const OP_READ = 0;
/** Operation: write a byte of page `arg`. */
export const OP_WRITE = 1;
/** Operation: switch to process `arg` (a CR3 load), creating it with an empty address space if new. */
export const OP_SWITCH = 2;
/** Operation: map page `arg` in the running process (mmap with MAP_POPULATE). */
export const OP_MAP = 3;
/** Operation: unmap page `arg` in the running process (munmap: PTE clear + INVLPG). */
export const OP_UNMAP = 4;
/** Operation: fork the running process into new process `arg` (copies every mapping). */
export const OP_FORK = 5;
/** Operation: exec in the running process (tears down its address space; pages fault back in). */
export const OP_EXEC = 6;
/** Operation: process `arg` exits (address space and tables freed). */
export const OP_EXIT = 7;

/** Names of the operation codes, for display. */
export const TRACE_OP_NAMES: readonly string[] = ["read", "write", "switch", "map", "unmap", "fork", "exec", "exit"];

/** Pages mapped in a process before the simulation loop starts. */
export interface PremapRegion {
  /** Process index. */
  process: number;
  /** Base-page numbers to map. */
  vpns: Float64Array;
}

/** A memory trace. */
export interface MemoryTrace {
  /** A label for rows and charts. */
  name: string;
  /** Number of operations. */
  length: number;
  /** Operation codes (OP_*). */
  ops: Uint8Array;
  /** Per operation: the page number (accesses, map, unmap) or a process index (switch, fork, exit). */
  arg: Float64Array;
  /** Per operation: byte offset within the page (null = all zero). */
  offset: Uint32Array | null;
  /** Base page size the page numbers count in. */
  pageSizeBytes: number;
  /** Number of data accesses (reads + writes). */
  accesses: number;
  /** Pages mapped before the loop, per process (process 0 runs first). */
  premap: PremapRegion[];
  /** Seed the trace was generated from, if any. */
  seed?: number;
}

/** Builds a trace operation by operation (growing arrays; not for the hot loop). */
export class TraceBuilder {
  private ops: Uint8Array;
  private arg: Float64Array;
  private offset: Uint32Array | null = null;
  private n = 0;
  private accesses = 0;
  private readonly premap = new Map<number, number[]>();

  constructor(
    /** Base page size the page numbers count in. */
    readonly pageSizeBytes = 4096,
    initialCapacity = 1024,
  ) {
    this.ops = new Uint8Array(initialCapacity);
    this.arg = new Float64Array(initialCapacity);
  }

  /** Operations so far. */
  get length(): number {
    return this.n;
  }

  private push(op: number, arg: number, offset = 0): this {
    if (this.n === this.ops.length) {
      const ops = new Uint8Array(this.n * 2);
      ops.set(this.ops);
      this.ops = ops;
      const a = new Float64Array(this.n * 2);
      a.set(this.arg);
      this.arg = a;
      if (this.offset) {
        const o = new Uint32Array(this.n * 2);
        o.set(this.offset);
        this.offset = o;
      }
    }
    if (offset !== 0 && !this.offset) this.offset = new Uint32Array(this.ops.length);
    this.ops[this.n] = op;
    this.arg[this.n] = arg;
    if (this.offset) this.offset[this.n] = offset;
    this.n++;
    return this;
  }

  /** A read of page `vpn` (at byte `offset`). */
  read(vpn: number, offset = 0): this {
    this.accesses++;
    return this.push(OP_READ, vpn, offset);
  }

  /** A write to page `vpn`. */
  write(vpn: number, offset = 0): this {
    this.accesses++;
    return this.push(OP_WRITE, vpn, offset);
  }

  /** A context switch to process `process`. */
  switchTo(process: number): this {
    return this.push(OP_SWITCH, process);
  }

  /** Maps page `vpn` in the running process. */
  map(vpn: number): this {
    return this.push(OP_MAP, vpn);
  }

  /** Unmaps page `vpn` in the running process. */
  unmap(vpn: number): this {
    return this.push(OP_UNMAP, vpn);
  }

  /** Forks the running process into `child`. */
  fork(child: number): this {
    return this.push(OP_FORK, child);
  }

  /** Exec in the running process. */
  exec(): this {
    return this.push(OP_EXEC, 0);
  }

  /** Process `process` exits. */
  exit(process: number): this {
    return this.push(OP_EXIT, process);
  }

  /** Maps `vpn` in `process` before the loop. */
  premapPage(process: number, vpn: number): this {
    let list = this.premap.get(process);
    if (!list) this.premap.set(process, (list = []));
    list.push(vpn);
    return this;
  }

  /** Maps `count` pages from `firstVpn` in `process` before the loop. */
  premapRange(process: number, firstVpn: number, count: number): this {
    for (let i = 0; i < count; i++) this.premapPage(process, firstVpn + i);
    return this;
  }

  /** The finished trace (arrays trimmed to length). */
  build(name: string, seed?: number): MemoryTrace {
    const premap = [...this.premap].sort((a, b) => a[0] - b[0]).map(([process, vpns]) => ({ process, vpns: Float64Array.from(vpns) }));
    const t: MemoryTrace = {
      name,
      length: this.n,
      ops: this.ops.slice(0, this.n),
      arg: this.arg.slice(0, this.n),
      offset: this.offset ? this.offset.slice(0, this.n) : null,
      pageSizeBytes: this.pageSizeBytes,
      accesses: this.accesses,
      premap,
    };
    if (seed !== undefined) t.seed = seed;
    return t;
  }
}

/**
 * A trace of plain reads/writes from page numbers (e.g. a parsed trace file), with every
 * touched page premapped in process 0.
 */
export function traceFromPages(name: string, vpns: Float64Array, options: { offsets?: Uint32Array | null; writes?: Uint8Array | null; pageSizeBytes?: number; premapTouched?: boolean } = {}): MemoryTrace {
  const n = vpns.length;
  const ops = new Uint8Array(n);
  if (options.writes) for (let i = 0; i < n; i++) ops[i] = options.writes[i] ? OP_WRITE : OP_READ;
  const premap: PremapRegion[] = [];
  if (options.premapTouched ?? true) premap.push({ process: 0, vpns: touchedPages(vpns) });
  return {
    name,
    length: n,
    ops,
    arg: vpns,
    offset: options.offsets ?? null,
    pageSizeBytes: options.pageSizeBytes ?? 4096,
    accesses: n,
    premap,
  };
}

/** The distinct page numbers of `vpns`, in first-touch order. */
export function touchedPages(vpns: Float64Array): Float64Array {
  const seen = new Set<number>();
  for (let i = 0; i < vpns.length; i++) seen.add(vpns[i]!);
  return Float64Array.from(seen);
}

/** Checks that every page number of a trace fits `vpnLimit`; throws a ConfigError naming the first bad slot. */
export function checkTracePages(trace: MemoryTrace, vpnLimit: number): void {
  const n = requireInt("trace.length", trace.length, 0, trace.ops.length);
  // Locals, not trace.ops[i]: traces come in several object shapes, and this runs before every loop.
  const ops = trace.ops;
  const arg = trace.arg;
  for (let i = 0; i < n; i++) {
    const op = ops[i]!;
    if (op === OP_READ || op === OP_WRITE || op === OP_MAP || op === OP_UNMAP) {
      const v = arg[i]!;
      if (!(v >= 0 && v < vpnLimit) || Math.floor(v) !== v) {
        throw new ConfigError(`trace.arg[${i}]`, v, `a page number from 0 to ${vpnLimit - 1} (the layout's virtual address space)`);
      }
    } else if (op > OP_EXIT) throw new ConfigError(`trace.ops[${i}]`, op, "an operation code from 0 to 7");
  }
}
