/**
 * Simulating a trace that does not fit in memory: two streaming passes over its bytes.
 *
 * The model premaps every page a trace touches before the loop (so the loop has no page
 * faults, and under shadow or nested paging the guest's table writes happen before counting).
 * A stream cannot know its pages in advance, so the first pass ({@link scanTrace}) parses the
 * trace to collect its distinct pages (and finds every parse error and bad address before
 * anything is simulated); the second ({@link simulateTrace}) parses it again and feeds each
 * chunk of records to `Machine.run`, which carries TLB and table state from chunk to chunk.
 * Memory is the parser's chunk plus the distinct pages, whatever the trace's length (a trace
 * of up to {@link KEEP_RECORDS} records is kept by the first pass instead of read twice), and
 * the counts are exactly those of running the whole trace at once.
 *
 * Browser-safe: a {@link TraceByteSource} yields the bytes (`trace-file.ts` reads files in Node).
 */
import type { Machine, MemoryRunStats } from "../hypervisor/machine";
import type { VirtualMachine } from "../hypervisor/virtual-machine";
import { runStats } from "../hypervisor/run-stats";
import { requireInt } from "../core/errors";
import { PageSet } from "./page-set";
import { TraceCollector } from "./trace-collector";
import type { MemoryTrace } from "./trace";
import { createTraceParser, type TraceChunk, type TraceParseOptions } from "./trace-parse";

/** Bytes of a trace, in pieces; must be readable more than once (once per pass). */
export interface TraceByteSource {
  /** Name for messages (e.g. the file path). */
  readonly name: string;
  /** Calls `visit` with successive pieces of the trace, from the start. */
  forEachChunk(visit: (bytes: Uint8Array) => void): void;
}

/** A source over bytes already in memory, handed out `chunkBytes` at a time (small sizes test chunk boundaries). */
export function bytesSource(name: string, bytes: Uint8Array, chunkBytes = 1 << 20): TraceByteSource {
  requireInt("chunkBytes", chunkBytes, 1, 2 ** 30);
  return {
    name,
    forEachChunk(visit) {
      for (let at = 0; at < bytes.length; at += chunkBytes) visit(bytes.subarray(at, Math.min(bytes.length, at + chunkBytes)));
    },
  };
}

/** Streams `source` through the parser for `format`, handing each chunk of records to `sink`. */
export function streamTrace(source: TraceByteSource, format: string, sink: (chunk: TraceChunk) => void, options: TraceParseOptions = {}): { records: number; instructionRecords: number } {
  const parser = createTraceParser(format, sink, { source: source.name, ...options });
  source.forEachChunk((bytes) => parser.push(bytes));
  parser.end();
  return { records: parser.records, instructionRecords: parser.instructionRecords };
}

/** What the first pass found. */
export interface TraceScan {
  /** Records kept (accesses to simulate). */
  records: number;
  /** Instruction fetches seen (lackey `I` lines), whether kept or dropped. */
  instructionRecords: number;
  /** Distinct pages touched, in first-touch order. */
  touched: Float64Array;
  /** The records themselves, when there were at most `keepRecords` of them (else null: read the source again). */
  kept: MemoryTrace | null;
  /** Wall-clock seconds of the pass. */
  seconds: number;
}

/** First pass: parses the whole trace (throwing on the first bad line) and collects its distinct pages. */
export function scanTrace(source: TraceByteSource, format: string, options: TraceParseOptions & { keepRecords?: number } = {}): TraceScan {
  const { keepRecords = KEEP_RECORDS, ...parseOptions } = options;
  requireInt("keepRecords", keepRecords, 0, 2 ** 28);
  const t0 = performance.now();
  const pages = new PageSet();
  const kept = new TraceCollector(keepRecords);
  const counts = streamTrace(
    source,
    format,
    (c) => {
      // kept.add first: code after a hot loop that has never run deoptimizes V8's on-stack-
      // replaced loop at its exit, once per chunk (seen with --trace-deopt).
      kept.add(c);
      const arg = c.arg;
      for (let i = 0, n = c.length; i < n; i++) pages.add(arg[i]!);
    },
    parseOptions,
  );
  const n = kept.length;
  const records: MemoryTrace | null =
    kept.within && n > 0 ? { name: source.name, length: n, ops: kept.ops.subarray(0, n), arg: kept.arg.subarray(0, n), offset: kept.offset.subarray(0, n), pageSizeBytes: options.pageSizeBytes ?? 4096, accesses: n, premap: [] } : null;
  return { ...counts, touched: pages.toArray(), kept: records, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Traces of up to this many records (~13 bytes each) are kept by the scan, and the second
 * pass runs them from memory: most student traces (a few million lines) are read and parsed
 * once. Longer ones are read twice, so memory stays bounded whatever the length.
 */
export const KEEP_RECORDS = 4_000_000;

/** The outcome of {@link simulateTrace}. */
export interface TraceSimulation {
  /** Counters of the whole trace (`seconds`: the simulation loop alone, summed over chunks). */
  stats: MemoryRunStats;
  /** The first pass. */
  scan: TraceScan;
  /** Wall-clock seconds of the second pass: parsing and simulating. */
  simulateSeconds: number;
  /**
   * CPU seconds of this process during the simulation loop, the span `stats.seconds` times
   * (all its threads, so the JIT compiler's too), or null outside Node. Fairer than
   * `stats.seconds` on a shared machine.
   */
  loopCpuSeconds: number | null;
}

/**
 * Premaps the trace's pages in `vm` (process 0) and simulates it chunk by chunk. Pass the
 * `scan` if you already made one (e.g. to size the VM's memory from `scan.touched`).
 */
export function simulateTrace(machine: Machine, vm: VirtualMachine, source: TraceByteSource, format: string, options: TraceParseOptions & { scan?: TraceScan; keepRecords?: number } = {}): TraceSimulation {
  const { scan: given, keepRecords, ...parseOptions } = options;
  const scan = given ?? scanTrace(source, format, { ...parseOptions, keepRecords });
  const premap: MemoryTrace = { name: source.name, length: 0, ops: new Uint8Array(0), arg: new Float64Array(0), offset: null, pageSizeBytes: machine.guestLayout.pageSizeBytes, accesses: 0, premap: [{ process: 0, vpns: scan.touched }] };
  machine.prepare(premap, vm);
  const t0 = performance.now();
  // The chunks run on one machine: the whole trace's statistics are the difference of the
  // machine's counters before the first chunk and after the last (no per-chunk sums to keep in step).
  const before = machine.counters();
  let loopSeconds = 0;
  let loopCpuSeconds = 0;
  const run = (part: MemoryTrace): void => {
    loopSeconds += machine.run(part, vm, { premap: false }).seconds;
    loopCpuSeconds += machine.lastLoopCpuSeconds;
  };
  if (scan.kept !== null) run(scan.kept);
  else streamTrace(source, format, run, parseOptions);
  const simulateSeconds = (performance.now() - t0) / 1000;
  const total = runStats(machine.mode, machine.costs, before, machine.counters(), loopSeconds);
  return { stats: total, scan, simulateSeconds, loopCpuSeconds: Number.isNaN(loopCpuSeconds) ? null : loopCpuSeconds };
}

