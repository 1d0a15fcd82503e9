/**
 * Streaming trace parsers: bytes in, arbitrary chunk boundaries, fixed-size record chunks out.
 *
 * A trace file may be far larger than memory (valgrind lackey prints ~20 bytes per access, a
 * few seconds of a program is 100 M lines), so the readers never hold a whole trace, never
 * build a string per line and never split on newlines: they walk the bytes once and write
 * page numbers straight into typed arrays. A record or line cut by a chunk boundary is carried
 * over (a few bytes) to the next push. Browser-safe: the caller supplies the bytes
 * (`trace-file.ts` reads files in Node).
 *
 * Formats (see `trace-readers.ts` for the whole-trace helpers):
 * - raw64: little-endian 64-bit virtual addresses, 8 bytes each.
 * - lackey: `valgrind --tool=lackey --trace-mem=yes` text, lines `I  04016b0,3`, ` L addr,size`,
 *   ` S ...`, ` M ...` (modify = one write); `==pid==` banner lines and blank lines skipped.
 */
import { ConfigError, ParseError, requireInt, requirePowerOfTwo } from "../core/errors";
import { OP_READ, OP_WRITE, type MemoryTrace } from "./trace";

/** The trace formats, for CLIs. */
export const TRACE_FORMATS = ["raw64", "lackey"] as const;
/** A trace format name. */
export type TraceFormat = (typeof TRACE_FORMATS)[number];

/** Options of the trace parsers. */
export interface TraceParseOptions {
  /** Page size the page numbers count in (a power of two up to 2^32). Default 4096. */
  pageSizeBytes?: number;
  /** Name used in error messages and rows. Default "trace". */
  source?: string;
  /** lackey: keep instruction fetches (`I` lines) as reads. Default true. */
  includeInstructions?: boolean;
  /**
   * Width of the virtual address space (e.g. 48 for x86-64 4-level paging): an address at or
   * above 2^bits is a ParseError naming its line and the address in hex. Default 64 (no check).
   */
  virtualAddressBits?: number;
  /** Records per emitted chunk. Default 65536. */
  chunkRecords?: number;
}

/**
 * A chunk of parsed records, reused from one emit to the next (copy what you keep). It is a
 * {@link MemoryTrace} of plain reads and writes with no premap, so `Machine.run` takes it as is.
 */
export interface TraceChunk extends MemoryTrace {
  /** Per record: byte offset within the page. */
  offset: Uint32Array;
}

/** Receives each full chunk, and the last partial one at {@link TraceStreamParser.end}. */
export type TraceChunkSink = (chunk: TraceChunk) => void;

/** A push parser: feed bytes in any pieces, then call end(). */
export interface TraceStreamParser {
  /** Parses `bytes` (any length; a record or line may continue in the next push). */
  push(bytes: Uint8Array): void;
  /** Parses what is left, emits the last chunk; throws if the trace ends mid-record. */
  end(): void;
  /** Records emitted so far. */
  readonly records: number;
  /** Instruction fetches seen (lackey `I` lines), kept or dropped. */
  readonly instructionRecords: number;
}

/** Creates the parser for `format` ("raw64" or "lackey"), emitting chunks to `sink`. */
export function createTraceParser(format: string, sink: TraceChunkSink, options: TraceParseOptions = {}): TraceStreamParser {
  if (format === "raw64") return new Raw64StreamParser(sink, options);
  if (format === "lackey") return new LackeyStreamParser(sink, options);
  throw new ConfigError("format", format, TRACE_FORMATS.map((f) => JSON.stringify(f)).join(", "));
}

/** An address as hex, from its two 32-bit halves. */
export function hexAddress(hi: number, lo: number): string {
  return "0x" + (hi === 0 ? lo.toString(16) : hi.toString(16) + lo.toString(16).padStart(8, "0"));
}

/** Shared state: the output chunk, page-number arithmetic and the address check. */
abstract class ChunkedParser {
  records = 0;
  instructionRecords = 0;
  protected readonly source: string;
  protected readonly shift: number;
  protected readonly offMask: number;
  /** 2^(32 - shift): a high address word in pages. */
  protected readonly hiScale: number;
  protected readonly vpnLimit: number;
  protected readonly chunk: TraceChunk;
  private readonly capacity: number;
  private readonly addressBits: number;

  constructor(
    private readonly sink: TraceChunkSink,
    options: TraceParseOptions,
  ) {
    this.source = options.source ?? "trace";
    const page = requirePowerOfTwo("pageSizeBytes", options.pageSizeBytes ?? 4096, 1, 2 ** 32);
    this.shift = Math.log2(page);
    this.offMask = this.shift === 32 ? 0xffffffff : page - 1;
    this.hiScale = 2 ** (32 - this.shift);
    this.addressBits = requireInt("virtualAddressBits", options.virtualAddressBits ?? 64, this.shift, 64);
    this.vpnLimit = 2 ** (this.addressBits - this.shift);
    this.capacity = requireInt("chunkRecords", options.chunkRecords ?? 65536, 1, 2 ** 24);
    const n = this.capacity;
    this.chunk = { name: this.source, length: 0, ops: new Uint8Array(n), arg: new Float64Array(n), offset: new Uint32Array(n), pageSizeBytes: page, accesses: 0, premap: [] };
  }

  /** Stores one record; `hi`/`lo` are the address halves (lo unsigned). `where` names it in errors. */
  protected emit(hi: number, lo: number, op: number, where: number): void {
    const shift = this.shift;
    const vpn = hi * this.hiScale + (shift === 32 ? 0 : lo >>> shift);
    if (vpn >= this.vpnLimit) this.badAddress(hi, lo, where);
    const c = this.chunk;
    const i = c.length;
    c.arg[i] = vpn;
    c.offset[i] = shift === 32 ? lo : lo & this.offMask;
    c.ops[i] = op;
    c.length = c.accesses = i + 1;
    this.records++;
    if (i + 1 === this.capacity) this.flush();
  }

  protected flush(): void {
    const c = this.chunk;
    if (c.length === 0) return;
    this.sink(c);
    c.length = c.accesses = 0;
  }

  protected badAddress(hi: number, lo: number, where: number): never {
    const highest = this.addressBits >= 64 ? "" : ` (highest ${hexAddress(this.addressBits > 32 ? 2 ** (this.addressBits - 32) - 1 : 0, this.addressBits >= 32 ? 0xffffffff : 2 ** this.addressBits - 1)})`;
    throw new ParseError(this.source, where, `${this.describe(where)}address ${hexAddress(hi, lo)} is beyond the ${this.addressBits}-bit virtual address space${highest}`);
  }

  /** Prefix naming a record in messages ("" for line-numbered formats). */
  protected describe(_where: number): string {
    return "";
  }
}

const TEXT_SNIFF_BYTES = 64;

function isTextByte(b: number): boolean {
  return (b >= 0x20 && b < 0x7f) || b === 0x09 || b === 0x0a || b === 0x0d;
}

/** raw64: 8-byte little-endian records; a record split across pushes is carried over. */
class Raw64StreamParser extends ChunkedParser implements TraceStreamParser {
  private readonly carry = new Uint8Array(8);
  private readonly carryView = new DataView(this.carry.buffer);
  private carryLength = 0;
  private totalBytes = 0;
  /** The first bytes, kept to tell a text file (lackey given as raw64) from addresses. */
  private readonly head = new Uint8Array(TEXT_SNIFF_BYTES);
  private headLength = 0;
  private allText = true;

  push(bytes: Uint8Array): void {
    this.sniff(bytes);
    this.totalBytes += bytes.length;
    let pos = 0;
    if (this.carryLength > 0) {
      const take = Math.min(8 - this.carryLength, bytes.length);
      this.carry.set(bytes.subarray(0, take), this.carryLength);
      this.carryLength += take;
      pos = take;
      if (this.carryLength < 8) return;
      this.record(this.carryView, 0);
      this.carryLength = 0;
    }
    const whole = (bytes.length - pos) & ~7;
    if (whole > 0) this.records8(new DataView(bytes.buffer, bytes.byteOffset + pos, whole));
    pos += whole;
    if (pos < bytes.length) {
      this.carry.set(bytes.subarray(pos), 0);
      this.carryLength = bytes.length - pos;
    }
  }

  /** Every whole record of `view`: the hot loop, in its own function so it is optimized whole, not on-stack-replaced mid-push. */
  private records8(view: DataView): void {
    for (let at = 0, n = view.byteLength; at < n; at += 8) this.record(view, at);
  }

  private record(view: DataView, at: number): void {
    this.emit(view.getUint32(at + 4, true), view.getUint32(at, true), OP_READ, this.records + 1);
  }

  end(): void {
    if (this.allText && this.headLength > 0) this.textError();
    if (this.carryLength > 0) {
      const n = Math.floor(this.totalBytes / 8) + 1;
      throw new ParseError(this.source, n, `raw64 trace length ${this.totalBytes} is not a multiple of 8 bytes (record ${n} is cut short)`);
    }
    this.flush();
  }

  private sniff(bytes: Uint8Array): void {
    if (!this.allText || this.headLength === TEXT_SNIFF_BYTES) return;
    const n = Math.min(bytes.length, TEXT_SNIFF_BYTES - this.headLength);
    for (let i = 0; i < n; i++) {
      const b = bytes[i]!;
      if (!isTextByte(b)) {
        this.allText = false;
        return;
      }
      this.head[this.headLength++] = b;
    }
    if (this.headLength === TEXT_SNIFF_BYTES) this.textError();
  }

  /** Real raw64 addresses have zero high bytes; a file of printable bytes is text. */
  private textError(): never {
    const text = new TextDecoder().decode(this.head.subarray(0, this.headLength)).split("\n")[0]!;
    throw new ParseError(
      this.source,
      1,
      `this looks like text, not raw64 binary addresses (it begins ${JSON.stringify(text.slice(0, 40))}); ` +
        `if it is valgrind lackey output (valgrind --tool=lackey --trace-mem=yes), use --format lackey (format "lackey")`,
    );
  }

  protected override badAddress(hi: number, lo: number, where: number): never {
    // A text file read as raw64 shows up first as absurd addresses: say what it really is.
    if (this.allText) this.textError();
    return super.badAddress(hi, lo, where);
  }

  protected override describe(record: number): string {
    return `record ${record} (byte offset ${(record - 1) * 8}): `;
  }
}

// Byte values of the lackey grammar.
const NL = 0x0a;
const EQ = 0x3d;
const COMMA = 0x2c;

/** 1 for the whitespace the old line regex's \s matched inside a line (space, \t, \v, \f, \r). */
const SPACE = new Uint8Array(256);
for (const b of [0x20, 0x09, 0x0b, 0x0c, 0x0d]) SPACE[b] = 1;
/** Value of each hex digit byte, -1 for any other byte. */
const HEX = new Int8Array(256).fill(-1);
for (let d = 0; d < 16; d++) HEX[d.toString(16).charCodeAt(0)] = HEX[d.toString(16).toUpperCase().charCodeAt(0)] = d;

const MAX_LINE_BYTES = 1 << 20;
const NEWLINE = new Uint8Array([NL]);

/** lackey text: complete lines parsed in place; a line cut by a push is carried over. */
class LackeyStreamParser extends ChunkedParser implements TraceStreamParser {
  private readonly includeI: boolean;
  private carry = new Uint8Array(256);
  private carryLength = 0;
  /** Lines consumed so far (the next line's number is line + 1). */
  private line = 0;
  private started = false;

  constructor(sink: TraceChunkSink, options: TraceParseOptions) {
    super(sink, options);
    this.includeI = options.includeInstructions ?? true;
  }

  push(input: Uint8Array): void {
    let bytes = input;
    if (!this.started) {
      // Hold the first three bytes back: a UTF-8 byte-order mark (Windows editors) is not
      // part of the first line.
      if (this.carryLength + bytes.length < 3) return this.append(bytes, 0, bytes.length);
      bytes = this.takeHead(bytes);
    }
    let pos = 0;
    if (this.carryLength > 0) {
      const nl = bytes.indexOf(NL);
      if (nl < 0) return this.append(bytes, 0, bytes.length);
      this.append(bytes, 0, nl + 1);
      this.parseLines(this.carry, 0, this.carryLength);
      this.carryLength = 0;
      pos = nl + 1;
    }
    const last = bytes.lastIndexOf(NL);
    if (last >= pos && this.line === 0) {
      // The first line on its own: parseLines then returns once (recording type feedback for
      // its whole body) before V8 optimizes its loop on the stack, instead of deoptimizing that
      // code at the loop's first exit, once per push (seen with --trace-deopt).
      const nl = bytes.indexOf(NL, pos);
      this.parseLines(bytes, pos, nl + 1);
      pos = nl + 1;
    }
    if (last >= pos) {
      this.parseLines(bytes, pos, last + 1);
      pos = last + 1;
    }
    if (pos < bytes.length) this.append(bytes, pos, bytes.length);
  }

  end(): void {
    if (!this.started) {
      const head = this.takeHead(new Uint8Array(0));
      this.append(head, 0, head.length);
    }
    if (this.carryLength > 0) {
      // The last line has no newline: give it one, as parseLines expects.
      if (this.carry[this.carryLength - 1] !== NL) this.append(NEWLINE, 0, 1);
      this.parseLines(this.carry, 0, this.carryLength);
      this.carryLength = 0;
    }
    this.flush();
  }

  /** The held-back start of the trace followed by `bytes`, without a byte-order mark; the carry is emptied. */
  private takeHead(bytes: Uint8Array): Uint8Array {
    this.started = true;
    let head = bytes;
    if (this.carryLength > 0) {
      head = new Uint8Array(this.carryLength + bytes.length);
      head.set(this.carry.subarray(0, this.carryLength));
      head.set(bytes, this.carryLength);
    }
    const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
    this.carryLength = 0;
    return head.subarray(bom);
  }

  private append(bytes: Uint8Array, from: number, to: number): void {
    const need = this.carryLength + (to - from);
    if (need > MAX_LINE_BYTES) {
      throw new ParseError(this.source, this.line + 1, `a line longer than ${MAX_LINE_BYTES} bytes: not valgrind lackey output (is it a raw64 binary trace? then use --format raw64)`);
    }
    if (need > this.carry.length) {
      const grown = new Uint8Array(Math.min(MAX_LINE_BYTES, Math.max(need, this.carry.length * 2)));
      grown.set(this.carry.subarray(0, this.carryLength));
      this.carry = grown;
    }
    this.carry.set(bytes.subarray(from, to), this.carryLength);
    this.carryLength = need;
  }

  /**
   * Parses the lines in b[start, end); b[end - 1] is a newline, so every scan below stops at
   * one without a bounds check. Byte tables, not comparisons chains: this loop is the reader.
   */
  private parseLines(b: Uint8Array, start: number, end: number): void {
    const includeI = this.includeI;
    let line = this.line;
    let p = start;
    while (p < end) {
      const lineStart = p;
      line++;
      let c = b[p]!;
      if (c === EQ && b[p + 1] === EQ) {
        // Valgrind's banner ("==123== ..."): skip the line.
        p = b.indexOf(NL, p) + 1;
        continue;
      }
      while (SPACE[c] === 1) c = b[++p]!;
      if (c === NL) {
        p++;
        continue; // blank line
      }
      // Kind letter, then at least one space.
      const kind = c;
      let op = OP_READ;
      if (kind === 0x53 /* S */ || kind === 0x4d /* M */) op = OP_WRITE;
      else if (kind !== 0x4c /* L */ && kind !== 0x49 /* I */) return this.syntaxError(b, lineStart, end, line);
      c = b[++p]!;
      if (SPACE[c] !== 1) return this.syntaxError(b, lineStart, end, line);
      do c = b[++p]!;
      while (SPACE[c] === 1);
      // 1 to 16 hex digits, accumulated as two 32-bit halves.
      let hi = 0;
      let lo = 0;
      let digits = 0;
      let v = HEX[c]!;
      while (v >= 0) {
        hi = (hi << 4) | (lo >>> 28);
        lo = (lo << 4) | v;
        digits++;
        v = HEX[b[++p]!]!;
      }
      if (digits === 0 || digits > 16 || b[p] !== COMMA) return this.syntaxError(b, lineStart, end, line);
      // The access size: one or more decimal digits (not used: an access counts on its first page).
      const sizeStart = ++p;
      c = b[p]!;
      while (c >= 0x30 && c <= 0x39) c = b[++p]!;
      if (p === sizeStart) return this.syntaxError(b, lineStart, end, line);
      while (SPACE[c] === 1) c = b[++p]!;
      if (c !== NL) return this.syntaxError(b, lineStart, end, line);
      p++;
      if (kind === 0x49) {
        this.instructionRecords++;
        if (!includeI) continue;
      }
      this.emit(hi >>> 0, lo >>> 0, op, line);
    }
    this.line = line;
  }

  private syntaxError(b: Uint8Array, lineStart: number, end: number, line: number): never {
    this.line = line;
    const nl = b.indexOf(NL, lineStart);
    const text = new TextDecoder().decode(b.subarray(lineStart, nl < 0 || nl > end ? end : nl));
    throw new ParseError(
      this.source,
      this.line,
      `expected "I|L|S|M <hex address>,<size>" as printed by valgrind --tool=lackey --trace-mem=yes; got ${JSON.stringify(text.slice(0, 60))}`,
    );
  }
}
