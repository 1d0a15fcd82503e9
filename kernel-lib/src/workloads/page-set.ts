/**
 * A set of page numbers that remembers first-touch order: the pages a streamed trace touches,
 * collected in one pass so they can be premapped before the simulation loop.
 *
 * Open addressing over a Float64Array (no boxed numbers, no per-insert allocation): a
 * JavaScript Set of a few million doubles costs ~4× the memory and time. Memory grows with
 * the distinct pages, never with the trace length.
 */
export class PageSet {
  private slots: Int32Array; // index + 1 into order, 0 = empty
  private mask: number;
  private order: Float64Array;
  private count = 0;
  /** The last page added or found: consecutive accesses to one page skip the hash. */
  private last = -1;

  constructor(initialCapacity = 1024) {
    let n = 16;
    while (n < initialCapacity * 2) n *= 2;
    this.slots = new Int32Array(n);
    this.mask = n - 1;
    this.order = new Float64Array(Math.max(8, initialCapacity));
  }

  /** Distinct pages so far. */
  get size(): number {
    return this.count;
  }

  /** Adds page number `vpn` (an integer below 2^53). */
  add(vpn: number): void {
    if (vpn === this.last) return;
    this.last = vpn;
    const order = this.order;
    const slots = this.slots;
    const mask = this.mask;
    let i = hash(vpn) & mask;
    for (;;) {
      const s = slots[i]!;
      if (s === 0) break;
      if (order[s - 1] === vpn) return;
      i = (i + 1) & mask;
    }
    if (this.count === order.length) {
      const grown = new Float64Array(order.length * 2);
      grown.set(order);
      this.order = grown;
    }
    this.order[this.count++] = vpn;
    slots[i] = this.count;
    if (this.count * 2 > slots.length) this.rehash();
  }

  /** The distinct pages in first-touch order (a copy). */
  toArray(): Float64Array {
    return this.order.slice(0, this.count);
  }

  private rehash(): void {
    const n = this.slots.length * 2;
    const slots = new Int32Array(n);
    const mask = n - 1;
    for (let k = 0; k < this.count; k++) {
      let i = hash(this.order[k]!) & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = k + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** Mixes both 32-bit halves of a page number (exact doubles up to 2^53). */
function hash(vpn: number): number {
  const hi = vpn < 4294967296 ? 0 : Math.floor(vpn / 4294967296);
  const lo = (vpn - hi * 4294967296) | 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1);
  h ^= h >>> 15;
  return h;
}
