/**
 * Seeded pseudo-random numbers. Every random choice in kernel-lib comes from one of these, with
 * a seed the caller can see and set, so a class re-running a cell gets the same numbers.
 *
 * The generator is sfc32 (Chris Doty-Humphrey's "small fast counting" generator, from
 * PractRand): four 32-bit words of state, passes PractRand/BigCrush, and needs no BigInt or
 * allocation per draw, so it can sit in a 10-million-access loop.
 */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** The seed this generator started from. */
  readonly seed: number;

  constructor(seed = 1) {
    this.seed = seed >>> 0;
    // splitmix32 spreads a small seed over the four state words.
    let s = this.seed;
    const next = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A uniform integer in [0, 2^32). */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform integer in [0, n), for n up to 2^53. */
  int(n: number): number {
    if (n <= 4294967296) return Math.floor(this.next() * n);
    // Two draws give 53 bits for large ranges.
    const hi = this.nextUint32() >>> 11;
    const lo = this.nextUint32();
    return Math.floor(((hi * 4294967296 + lo) / 9007199254740992) * n);
  }

  /** An exponentially distributed value with the given mean (for Poisson arrivals). */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** A random element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** A new generator derived from this one, for an independent stream (e.g. one per VM). */
  fork(): Random {
    return new Random(this.nextUint32());
  }
}
