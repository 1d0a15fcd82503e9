/**
 * TEST ORACLE: the whole-file trace readers as they were before streaming (regex per line,
 * strings per line), kept verbatim so the streaming parsers can be checked against them.
 *
 * Trace readers: turn a student's own program trace into a {@link MemoryTrace}.
 *
 * - raw64: little-endian 64-bit virtual addresses, 8 bytes each, nothing else.
 * - lackey: the text printed by `valgrind --tool=lackey --trace-mem=yes ./program`: lines
 *   `I  04016b0,3` (instruction fetch), ` L 7ff000398,8` (load), ` S ...` (store) and
 *   ` M ...` (modify = load + store, counted as one write). `==pid==` lines are Valgrind's
 *   banner and are skipped. An access that crosses a page boundary counts once, on its first page.
 *
 * Both take bytes or a string (never a file name), so they run in a browser; `trace-file.ts`
 * reads files in Node. Addresses are split into page number and offset without BigInt.
 */
import { ConfigError, ParseError, requirePowerOfTwo } from "../../src/core/errors";
import { traceFromPages, type MemoryTrace } from "../../src/workloads/trace";

/** Options of the trace readers. */
export interface TraceReaderOptions {
  /** Page size the page numbers count in (a power of two up to 2^32). Default 4096. */
  pageSizeBytes?: number;
  /** Name used in error messages and rows. Default "trace". */
  source?: string;
  /** Map every page the trace touches before the loop (default true). */
  premapTouched?: boolean;
}

/** The trace formats, for CLIs. */
export const TRACE_FORMATS = ["raw64", "lackey"] as const;
/** A trace format name. */
export type TraceFormat = (typeof TRACE_FORMATS)[number];

/** Parses raw little-endian 64-bit addresses. */
export function legacyParseRaw64Trace(bytes: Uint8Array, options: TraceReaderOptions = {}): MemoryTrace {
  const source = options.source ?? "trace";
  const page = requirePowerOfTwo("pageSizeBytes", options.pageSizeBytes ?? 4096, 1, 2 ** 32);
  const shift = Math.log2(page);
  if (!(bytes instanceof Uint8Array)) throw new ConfigError("bytes", typeof bytes, "a Uint8Array of little-endian 64-bit addresses");
  if (bytes.length % 8 !== 0) {
    throw new ParseError(source, Math.floor(bytes.length / 8) + 1, `raw64 trace length ${bytes.length} is not a multiple of 8 bytes (record ${Math.floor(bytes.length / 8) + 1} is cut short)`);
  }
  const n = bytes.length / 8;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const vpns = new Float64Array(n);
  const offsets = new Uint32Array(n);
  const hiScale = 2 ** (32 - shift);
  const offMask = page - 1;
  for (let i = 0; i < n; i++) {
    const lo = view.getUint32(i * 8, true);
    const hi = view.getUint32(i * 8 + 4, true);
    vpns[i] = hi * hiScale + (shift === 32 ? 0 : lo >>> shift);
    offsets[i] = shift === 32 ? lo : lo & offMask;
  }
  return traceFromPages(source, vpns, { offsets, pageSizeBytes: page, premapTouched: options.premapTouched });
}

const LACKEY_LINE = /^\s*([ILSM])\s+([0-9a-fA-F]{1,16}),(\d+)\s*$/;

/** Parses `valgrind --tool=lackey --trace-mem=yes` output. Instruction fetches count as reads unless `includeInstructions` is false. */
export function legacyParseLackeyTrace(input: string | Uint8Array, options: TraceReaderOptions & { includeInstructions?: boolean } = {}): MemoryTrace {
  const source = options.source ?? "trace";
  const page = requirePowerOfTwo("pageSizeBytes", options.pageSizeBytes ?? 4096, 1, 2 ** 32);
  const shift = Math.log2(page);
  const text = typeof input === "string" ? input : new TextDecoder().decode(input);
  const includeI = options.includeInstructions ?? true;
  const vpns: number[] = [];
  const offsets: number[] = [];
  const writes: number[] = [];
  const hiScale = 2 ** (32 - shift);
  const lines = text.split("\n");
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln]!;
    if (line.trim() === "" || line.startsWith("==")) continue;
    const m = LACKEY_LINE.exec(line);
    if (!m) {
      throw new ParseError(source, ln + 1, `expected "I|L|S|M <hex address>,<size>" as printed by valgrind --tool=lackey --trace-mem=yes; got ${JSON.stringify(line.slice(0, 60))}`);
    }
    const kind = m[1]!;
    if (kind === "I" && !includeI) continue;
    const hex = m[2]!;
    const lo = parseInt(hex.length > 8 ? hex.slice(-8) : hex, 16) >>> 0;
    const hi = hex.length > 8 ? parseInt(hex.slice(0, -8), 16) >>> 0 : 0;
    vpns.push(hi * hiScale + (shift === 32 ? 0 : lo >>> shift));
    offsets.push(shift === 32 ? lo : lo & (page - 1));
    writes.push(kind === "S" || kind === "M" ? 1 : 0);
  }
  return traceFromPages(source, Float64Array.from(vpns), {
    offsets: Uint32Array.from(offsets),
    writes: Uint8Array.from(writes),
    pageSizeBytes: page,
    premapTouched: options.premapTouched,
  });
}

/** Parses a trace in `format` ("raw64" or "lackey"). */
export function legacyParseTrace(data: Uint8Array, format: string, options: TraceReaderOptions = {}): MemoryTrace {
  if (format === "raw64") return legacyParseRaw64Trace(data, options);
  if (format === "lackey") return legacyParseLackeyTrace(data, options);
  throw new ConfigError("format", format, TRACE_FORMATS.map((f) => JSON.stringify(f)).join(", "));
}
