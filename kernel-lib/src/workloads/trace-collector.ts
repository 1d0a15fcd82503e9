/**
 * Keeps the records of a streamed trace in growing typed arrays: the whole-trace readers use
 * it for everything they parse, the streaming scan for traces small enough to keep (so the
 * second pass need not read and parse them again).
 */
import type { TraceChunk } from "./trace-parse";

/** Records copied out of parser chunks, up to `limit` records. */
export class TraceCollector {
  /** Records kept so far. */
  length = 0;
  /** False once more than `limit` records arrived: everything was dropped. */
  within = true;
  /** Per record: page number. */
  arg = new Float64Array(1024);
  /** Per record: offset within the page. */
  offset = new Uint32Array(1024);
  /** Per record: OP_READ or OP_WRITE. */
  ops = new Uint8Array(1024);

  constructor(readonly limit = Infinity) {}

  /** Copies a chunk's records (or drops everything, for good, when they pass the limit). */
  add(c: TraceChunk): void {
    if (!this.within) return;
    const n = this.length + c.length;
    if (n > this.limit) {
      this.within = false;
      this.length = 0;
      this.arg = new Float64Array(0);
      this.offset = new Uint32Array(0);
      this.ops = new Uint8Array(0);
      return;
    }
    if (n > this.arg.length) {
      const size = Math.max(2 * this.arg.length, n);
      this.arg = grown(this.arg, new Float64Array(size), this.length);
      this.offset = grown(this.offset, new Uint32Array(size), this.length);
      this.ops = grown(this.ops, new Uint8Array(size), this.length);
    }
    this.arg.set(c.arg.subarray(0, c.length), this.length);
    this.offset.set(c.offset.subarray(0, c.length), this.length);
    this.ops.set(c.ops.subarray(0, c.length), this.length);
    this.length = n;
  }
}

function grown<T extends Float64Array | Uint32Array | Uint8Array>(from: T, to: T, n: number): T {
  to.set(from.subarray(0, n) as never);
  return to;
}
