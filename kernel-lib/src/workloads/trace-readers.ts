/**
 * Trace readers: turn a student's own program trace into a {@link MemoryTrace}, whole.
 *
 * - raw64: little-endian 64-bit virtual addresses, 8 bytes each, nothing else.
 * - lackey: the text printed by `valgrind --tool=lackey --trace-mem=yes ./program`: lines
 *   `I  04016b0,3` (instruction fetch), ` L 7ff000398,8` (load), ` S ...` (store) and
 *   ` M ...` (modify = load + store, counted as one write). `==pid==` lines are Valgrind's
 *   banner and are skipped. An access that crosses a page boundary counts once, on its first page.
 *
 * These hold the whole trace in memory: for notebooks, tests and small files. Large files go
 * through the streaming parsers (`trace-parse.ts`) that these are built on, chunk by chunk
 * (`trace-stream.ts`, and `trace-file.ts` in Node). Both take bytes or a string (never a file
 * name), so they run in a browser. Addresses are split into page number and offset without BigInt.
 */
import { ConfigError, requirePowerOfTwo } from "../core/errors";
import { traceFromPages, type MemoryTrace } from "./trace";
import { TraceCollector } from "./trace-collector";
import { createTraceParser, type TraceParseOptions } from "./trace-parse";

export { TRACE_FORMATS, type TraceFormat } from "./trace-parse";

/** Options of the trace readers. */
export interface TraceReaderOptions extends TraceParseOptions {
  /** Map every page the trace touches before the loop (default true). */
  premapTouched?: boolean;
}

/** Parses raw little-endian 64-bit addresses. */
export function parseRaw64Trace(bytes: Uint8Array, options: TraceReaderOptions = {}): MemoryTrace {
  if (!(bytes instanceof Uint8Array)) throw new ConfigError("bytes", typeof bytes, "a Uint8Array of little-endian 64-bit addresses");
  return collectTrace("raw64", bytes, options);
}

/** Parses `valgrind --tool=lackey --trace-mem=yes` output. Instruction fetches count as reads unless `includeInstructions` is false. */
export function parseLackeyTrace(input: string | Uint8Array, options: TraceReaderOptions = {}): MemoryTrace {
  return collectTrace("lackey", typeof input === "string" ? new TextEncoder().encode(input) : input, options);
}

/** Parses a trace in `format` ("raw64" or "lackey"). */
export function parseTrace(data: Uint8Array, format: string, options: TraceReaderOptions = {}): MemoryTrace {
  if (format === "raw64") return parseRaw64Trace(data, options);
  if (format === "lackey") return parseLackeyTrace(data, options);
  // createTraceParser names the allowed formats.
  return collectTrace(format, data, options);
}

/** Runs the streaming parser over all of `bytes` and keeps every record. */
function collectTrace(format: string, bytes: Uint8Array, options: TraceReaderOptions): MemoryTrace {
  const kept = new TraceCollector();
  const parser = createTraceParser(format, (c) => kept.add(c), options);
  parser.push(bytes);
  parser.end();
  const n = kept.length;
  return traceFromPages(options.source ?? "trace", kept.arg.slice(0, n), { offsets: kept.offset.slice(0, n), writes: kept.ops.slice(0, n), pageSizeBytes: options.pageSizeBytes ?? 4096, premapTouched: options.premapTouched });
}

/** Encodes page numbers (and offsets) as a raw64 trace: the inverse of {@link parseRaw64Trace}. */
export function encodeRaw64Trace(vpns: ArrayLike<number>, pageSizeBytes = 4096, offsets?: ArrayLike<number>): Uint8Array {
  const shift = Math.log2(requirePowerOfTwo("pageSizeBytes", pageSizeBytes, 1, 2 ** 32));
  const out = new Uint8Array(vpns.length * 8);
  const view = new DataView(out.buffer);
  const loPages = 2 ** (32 - shift);
  for (let i = 0; i < vpns.length; i++) {
    const vpn = vpns[i]!;
    const hi = Math.floor(vpn / loPages);
    const lowPages = vpn - hi * loPages;
    const lo = (lowPages * pageSizeBytes + (offsets ? offsets[i]! : 0)) >>> 0;
    view.setUint32(i * 8, lo, true);
    view.setUint32(i * 8 + 4, hi >>> 0, true);
  }
  return out;
}
