/**
 * The translation lookaside buffer: a set-associative cache of VPN -> frame translations.
 *
 * - `sets` × `ways` entries; an entry for page number P lives in set P mod sets.
 * - True LRU within a set: every hit stamps the entry with a global counter; a miss evicts an
 *   invalid way if there is one, else the way with the oldest stamp. Stamps are 31-bit
 *   integers, renumbered (order kept) before the counter would pass 2^30, so that the oldest
 *   way is picked with integer masks instead of a branch the processor cannot predict.
 * - Every entry is tagged with an address-space id (ASID/PCID, one per process) and a VM id
 *   (VPID on Intel, ASID on AMD), so switching processes or VMs needs no flush.
 * - Large-page entries share the array: an entry remembers its page size (as a shift in base
 *   pages) and its page number is counted in pages of that size. A lookup probes each page
 *   size that currently has entries (one set of `ways` compares each, skipped for sizes with
 *   no entries, so a 2 MiB hit costs about what a 4 KiB hit does). Real cores keep separate arrays per page size (figures D1,
 *   D2); one unified array is the simpler teaching model and the geometry is a parameter.
 *
 * Typed arrays and no allocation per lookup: this sits in the 10-million-access loop.
 */
import { ConfigError, requireInt, requirePowerOfTwo } from "../core/errors";

/** TLB geometry. */
export interface TlbConfig {
  /** Number of sets, a power of two from 1 to 65536. Default 16. */
  sets?: number;
  /** Ways per set, 1 to 64. Default 4 (64 entries, like a Skylake L1 DTLB for 4 KiB pages, D1). */
  ways?: number;
  /** Page sizes the TLB can hold, as shifts in base pages (0 = base page, 9 = 2 MiB on x86). Default [0, 9, 18]. */
  pageShifts?: number[];
}

/** Hit/miss counters of a TLB. */
export interface TlbStats {
  /** Lookups that found a translation. */
  hits: number;
  /** Lookups that did not. */
  misses: number;
  /** Valid entries evicted to make room. */
  evictions: number;
  /** Entries removed by flushes. */
  flushedEntries: number;
}

/** @internal Byte offsets of a TLB's arrays in a shared buffer (Tlb.placeIn). */
export interface TlbPlacement {
  pageNumber: number;
  key: number;
  frame: number;
  shift: number;
  perm: number;
  stamp: number;
  validByShift: number;
}

/** Largest LRU stamp (2^30 - 2; the insert scan starts above it): stamps and their differences stay small integers. */
const STAMP_LIMIT = 2 ** 30 - 2;

/** Packs a VM id and an address-space id into one tag. */
export function tlbTag(vmId: number, asid: number): number {
  return vmId * 65536 + asid;
}

/** A set-associative, true-LRU, ASID- and VM-tagged TLB. */
export class Tlb {
  /** Number of sets. */
  readonly sets: number;
  /** Ways per set. */
  readonly ways: number;
  /** Total entries. */
  readonly entries: number;
  /** Page sizes held, as shifts in base pages. */
  readonly pageShifts: readonly number[];
  private readonly setMask: number;
  // The entry arrays and validByShift may live in the WebAssembly core's memory, shared with
  // it (placeIn, called by wasm-loop.ts): they are then replaced whenever that memory grows.
  /** @internal Per entry: the page number, in pages of the entry's size. */
  pageNumber: Float64Array;
  /** Per entry: tag × 32 + page shift, or -1 when invalid (one compare checks both). @internal */
  key: Float64Array;
  /** @internal Valid large-page entries (wasm-loop.ts reads and writes it back). */
  largeValid = 0;
  /** @internal Per entry: the frame of the page's first base page. */
  frame: Float64Array;
  /** @internal Per entry: its page size, as a shift in base pages. */
  shift: Uint8Array;
  /** Per entry: the walk's PERM_* bits (writable, dirty), as an x86 TLB caches R/W and D (SDM Vol. 3A §4.10.2.2). @internal */
  perm: Uint8Array;
  /** Per entry: the clock at its last use (LRU); below STAMP_LIMIT + 1, see {@link tick}. @internal */
  stamp: Int32Array;
  /** @internal Valid entries per page shift. */
  validByShift: Int32Array;
  /** The large page sizes held (shifts above 0), ascending, for the lookup loop. @internal (wasm-loop.ts copies it for the core) */
  readonly largeShifts: Int32Array;
  /** 2^shift per shift, for page numbers too large for integer shifts. */
  private readonly scaleOf: Float64Array;
  /** @internal The LRU clock (wasm-loop.ts reads and writes it back). */
  clock = 0;
  /** Lookups that hit. */
  hits = 0;
  /** Lookups that missed. */
  misses = 0;
  /** Valid entries evicted. */
  evictions = 0;
  /** Entries removed by flushes. */
  flushedEntries = 0;
  /** Index of the entry the last hitting {@link lookup} found (read by {@link lastHitPerm}). */
  lastHit = 0;

  constructor(config: TlbConfig = {}) {
    this.sets = requirePowerOfTwo("tlb.sets", config.sets ?? 16, 1, 65536);
    this.ways = requireInt("tlb.ways", config.ways ?? 4, 1, 64);
    this.entries = this.sets * this.ways;
    const shifts = config.pageShifts ?? [0, 9, 18];
    if (!Array.isArray(shifts) || shifts.length === 0) throw new ConfigError("tlb.pageShifts", shifts, "a non-empty array of shifts from 0 to 30");
    shifts.forEach((s, i) => requireInt(`tlb.pageShifts[${i}]`, s, 0, 30));
    this.pageShifts = [...new Set(shifts)].sort((a, b) => a - b);
    this.setMask = this.sets - 1;
    this.pageNumber = new Float64Array(this.entries);
    this.key = new Float64Array(this.entries).fill(-1);
    this.frame = new Float64Array(this.entries);
    this.shift = new Uint8Array(this.entries);
    this.perm = new Uint8Array(this.entries);
    this.stamp = new Int32Array(this.entries);
    this.validByShift = new Int32Array(32);
    this.largeShifts = Int32Array.from(this.pageShifts.filter((sh) => sh > 0));
    this.scaleOf = Float64Array.from({ length: 32 }, (_, sh) => 2 ** sh);
  }

  /**
   * @internal Puts the entry arrays and validByShift in `buffer` at the byte offsets `at`
   * (wasm-loop.ts: the WebAssembly core's own TLB arrays, so that neither side copies the
   * other's). With `copy` the current contents move there; without, `buffer` already holds
   * them (the same memory, grown: growing replaces the buffer and keeps the bytes).
   */
  placeIn(buffer: ArrayBuffer, at: TlbPlacement, copy: boolean): void {
    type Typed = Float64Array | Int32Array | Uint8Array;
    // (Lengths from the TLB, not the old arrays: after a growth those are detached, of length 0.)
    const move = <T extends Typed>(old: T, offset: number, length: number, Kind: new (b: ArrayBuffer, o: number, n: number) => T): T => {
      const moved = new Kind(buffer, offset, length);
      if (copy) moved.set(old);
      return moved;
    };
    const n = this.entries;
    this.pageNumber = move(this.pageNumber, at.pageNumber, n, Float64Array);
    this.key = move(this.key, at.key, n, Float64Array);
    this.frame = move(this.frame, at.frame, n, Float64Array);
    this.shift = move(this.shift, at.shift, n, Uint8Array);
    this.perm = move(this.perm, at.perm, n, Uint8Array);
    this.stamp = move(this.stamp, at.stamp, n, Int32Array);
    this.validByShift = move(this.validByShift, at.validByShift, 32, Int32Array);
  }

  /** Counters as a plain object. */
  stats(): TlbStats {
    return { hits: this.hits, misses: this.misses, evictions: this.evictions, flushedEntries: this.flushedEntries };
  }

  /** Hit rate so far (0 when there were no lookups). */
  get hitRate(): number {
    const n = this.hits + this.misses;
    return n === 0 ? 0 : this.hits / n;
  }

  /** Zeroes the counters (entries stay). */
  resetStats(): void {
    this.hits = this.misses = this.evictions = this.flushedEntries = 0;
  }

  /** Set index of page number `pageNumber` (in pages of its own size). */
  setOf(pageNumber: number): number {
    // pageNumber may exceed 2^32 (5-level VPNs); the low bits of a double integer are exact.
    if (pageNumber < 2147483648) return pageNumber & this.setMask;
    return (pageNumber - Math.floor(pageNumber / 4294967296) * 4294967296) & this.setMask;
  }

  /**
   * Looks up base-page `vpn` under `tag`. Returns the frame of that base page, or -1 on a
   * miss. Counts a hit or a miss and updates LRU.
   */
  lookup(vpn: number, tag: number): number {
    const key = tag * 32;
    const pageNumber = this.pageNumber;
    const keys = this.key;
    if (this.validByShift[0] !== 0) {
      // Base pages: the common case, kept short.
      const base = (vpn < 2147483648 ? vpn & this.setMask : (vpn - Math.floor(vpn / 4294967296) * 4294967296) & this.setMask) * this.ways;
      for (let i = base, end = base + this.ways; i < end; i++) {
        if (pageNumber[i] === vpn && keys[i] === key) {
          this.stamp[i] = this.tick();
          this.hits++;
          this.lastHit = i;
          return this.frame[i]!;
        }
      }
    }
    if (this.largeValid !== 0) {
      const f = this.lookupLarge(vpn, key);
      if (f >= 0) return f;
    }
    this.misses++;
    return -1;
  }

  /**
   * The large-page part of {@link lookup}: one set probe per large size that has entries.
   * Integer shifts and masks (no division, no Math.pow) for page numbers below 2^31, so a
   * hit on a 2 MiB page costs what a hit on a 4 KiB page does.
   */
  private lookupLarge(vpn: number, key: number): number {
    const shifts = this.largeShifts;
    const validByShift = this.validByShift;
    const pageNumber = this.pageNumber;
    const keys = this.key;
    const ways = this.ways;
    for (let s = 0; s < shifts.length; s++) {
      const shift = shifts[s]!;
      if (validByShift[shift] === 0) continue;
      let pn: number;
      let within: number;
      let set: number;
      if (vpn < 2147483648) {
        pn = vpn >>> shift;
        within = vpn & ((1 << shift) - 1);
        set = pn & this.setMask;
      } else {
        const scale = this.scaleOf[shift]!;
        pn = Math.floor(vpn / scale);
        within = vpn - pn * scale;
        set = this.setOf(pn);
      }
      const k = key + shift;
      for (let i = set * ways, end = i + ways; i < end; i++) {
        if (keys[i] === k && pageNumber[i] === pn) {
          this.stamp[i] = this.tick();
          this.hits++;
          this.lastHit = i;
          return this.frame[i]! + within;
        }
      }
    }
    return -1;
  }

  /** Looks up without touching stats or LRU (for tests and display). */
  probe(vpn: number, tag: number): number {
    for (const shift of this.pageShifts) {
      const scale = 2 ** shift;
      const pn = Math.floor(vpn / scale);
      const base = this.setOf(pn) * this.ways;
      for (let i = base; i < base + this.ways; i++) {
        if (this.pageNumber[i] === pn && this.key[i] === tag * 32 + shift) return this.frame[i]! + (vpn - pn * scale);
      }
    }
    return -1;
  }

  /** The permission bits (writable 1, dirty 2) of the entry the last hitting {@link lookup} returned. */
  lastHitPerm(): number {
    return this.perm[this.lastHit]!;
  }

  /**
   * Inserts the translation of the page containing base-page `vpn`, of size 2^shift base
   * pages, whose base page maps to `frameOfVpn`, with the walk's permission bits `perm`
   * (default writable and dirty). Evicts by LRU.
   */
  insert(vpn: number, tag: number, frameOfVpn: number, shift = 0, perm = 3): void {
    // Base pages (shift 0) need no division: the page number is the VPN and the frame is as given.
    const pn = shift === 0 ? vpn : Math.floor(vpn / this.scaleOf[shift]!);
    const key = tag * 32 + shift;
    const keys = this.key;
    const pageNumber = this.pageNumber;
    const stamp = this.stamp;
    const base = (pn < 2147483648 ? pn & this.setMask : this.setOf(pn)) * this.ways;
    let victim = base;
    let oldest = STAMP_LIMIT + 1; // above every stamp
    for (let i = base, end = base + this.ways; i < end; i++) {
      const k = keys[i]!;
      if (k === -1 || (pageNumber[i] === pn && k === key)) {
        // An invalid way, or this very entry (refresh rather than duplicate).
        victim = i;
        break;
      }
      // The oldest way so far, without a branch: on a trace with no pattern, "is this way
      // older?" is a coin toss the processor mispredicts about half the time (~10 ns a miss
      // here). older is -1 (all ones) when st < oldest, else 0; x ^ ((x ^ y) & older) is y or x.
      const st = stamp[i]!;
      const older = (st - oldest) >> 31;
      oldest ^= (oldest ^ st) & older;
      victim ^= (victim ^ i) & older;
    }
    const old = keys[victim]!;
    if (old === -1) this.addCount(shift);
    else {
      if (!(old === key && pageNumber[victim] === pn)) this.evictions++;
      // Valid entries per size change only when the new entry's size differs (not, in the
      // common case, a base page replacing a base page).
      const oldShift = this.shift[victim]!;
      if (oldShift !== shift) {
        this.dropCount(oldShift);
        this.addCount(shift);
      }
    }
    pageNumber[victim] = pn;
    keys[victim] = key;
    this.frame[victim] = shift === 0 ? frameOfVpn : frameOfVpn - (vpn - pn * this.scaleOf[shift]!);
    this.shift[victim] = shift;
    this.perm[victim] = perm;
    stamp[victim] = this.tick();
  }

  private addCount(shift: number): void {
    this.validByShift[shift]!++;
    if (shift !== 0) this.largeValid++;
  }

  /** The next LRU stamp. Before the counter would pass STAMP_LIMIT, every set's stamps are renumbered 1..ways in the same order. */
  private tick(): number {
    if (this.clock === STAMP_LIMIT) this.renumberStamps();
    return ++this.clock;
  }

  /** Replaces each set's stamps by their ranks (1 = oldest): LRU compares stamps only within a set, so nothing changes. */
  private renumberStamps(): void {
    const stamp = this.stamp;
    const ways = this.ways;
    for (let base = 0; base < this.entries; base += ways) {
      const order = Array.from({ length: ways }, (_, w) => base + w).sort((a, b) => stamp[a]! - stamp[b]!);
      order.forEach((i, rank) => (stamp[i] = rank + 1));
    }
    this.clock = ways;
  }

  private dropCount(shift: number): void {
    this.validByShift[shift]!--;
    if (shift !== 0) this.largeValid--;
  }

  private invalidate(i: number): void {
    this.dropCount(this.shift[i]!);
    this.key[i] = -1;
    this.flushedEntries++;
  }

  /** The tag of entry `i` (or -1 if invalid). */
  private tagOf(i: number): number {
    return this.key[i] === -1 ? -1 : Math.floor(this.key[i]! / 32);
  }

  /** Removes every entry (a full flush, e.g. a CR3 load without PCIDs). */
  flushAll(): void {
    for (let i = 0; i < this.entries; i++) if (this.key[i] !== -1) this.invalidate(i);
  }

  /** Removes the entries of one address space of one VM. */
  flushTag(tag: number): void {
    for (let i = 0; i < this.entries; i++) if (this.tagOf(i) === tag) this.invalidate(i);
  }

  /** Removes every entry of a VM (all its address spaces). */
  flushVm(vmId: number): void {
    for (let i = 0; i < this.entries; i++) if (this.key[i] !== -1 && Math.floor(this.tagOf(i) / 65536) === vmId) this.invalidate(i);
  }

  /** Removes whatever entry maps base-page `vpn` under `tag`, of any page size (INVLPG). */
  flushPage(vpn: number, tag: number): void {
    for (const shift of this.pageShifts) {
      const pn = Math.floor(vpn / 2 ** shift);
      const base = this.setOf(pn) * this.ways;
      for (let i = base; i < base + this.ways; i++) {
        if (this.pageNumber[i] === pn && this.key[i] === tag * 32 + shift) this.invalidate(i);
      }
    }
  }

  /**
   * Removes the entries of `tag` whose pages overlap base pages [firstVpn, firstVpn + pages),
   * of any page size, and returns how many it removed (0 when nothing in the range was cached).
   * A hypervisor uses it to drop exactly the translations under a changed upper-level entry,
   * as a range of INVLPGs would, instead of the whole address space.
   */
  flushRange(firstVpn: number, pages: number, tag: number): number {
    const end = firstVpn + pages;
    let dropped = 0;
    for (let i = 0; i < this.entries; i++) {
      const k = this.key[i]!;
      if (k === -1 || Math.floor(k / 32) !== tag) continue;
      const scale = 2 ** this.shift[i]!;
      const start = this.pageNumber[i]! * scale;
      if (start < end && start + scale > firstVpn) {
        this.invalidate(i);
        dropped++;
      }
    }
    return dropped;
  }

  /** Valid entries, for display: page number (in its own size), tag, frame, shift, set. */
  contents(): { set: number; way: number; pageNumber: number; tag: number; frame: number; shift: number }[] {
    const out = [];
    for (let i = 0; i < this.entries; i++) {
      if (this.key[i] === -1) continue;
      out.push({ set: Math.floor(i / this.ways), way: i % this.ways, pageNumber: this.pageNumber[i]!, tag: this.tagOf(i), frame: this.frame[i]!, shift: this.shift[i]! });
    }
    return out;
  }
}
