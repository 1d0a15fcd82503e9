/**
 * The hardware page walker: reads page-table entries out of host physical memory.
 *
 * - Native (1D) walk: one entry read per level from the root down, fewer if a large-page
 *   leaf ends the walk early (figures A1, A7). Shadow paging uses this same walk over the
 *   shadow table.
 * - Nested (2D) walk (EPT/NPT): the guest's table holds guest-physical addresses, so every
 *   guest-physical address the walk touches - the guest CR3, each lower guest table pointer
 *   and finally the data page - is first translated by a walk of the host table. With an
 *   n-level guest and an m-level host that is n guest reads plus (n+1) host walks of m reads:
 *   nm + n + m = (n+1)(m+1) - 1 references (figure A4): 24 for 4+4, 35 for 5+5 (A6).
 *   A 2 MiB leaf on either side removes one level on that side, 1 GiB two (A8).
 *
 * Counting convention (figure A5): page-table references only; the final data access is not
 * counted; accessed/dirty-bit write-backs are made (every walk sets A in each entry it uses, a
 * write sets D in the leaf, and a nested walk sets EPT A/D too) but not counted as references. An optional page-walk cache (off by
 * default) lets a walk start below the root when the upper levels' result is cached (A9, A10, A17).
 *
 * Page numbers are doubles (exact to 2^53) split into two 32-bit halves for index arithmetic,
 * so 57-bit addresses work without BigInt and nothing is allocated per walk.
 */
import type { AddressLayout } from "../memory/layout";
import type { PhysicalMemory } from "../memory/physical-memory";
import { PageWalkCache } from "./walk-cache";
import { PERM_DIRTY, PERM_WRITE, PERM_WRITE_DIRTY, WALK_NOT_PRESENT, WALK_OK, WALK_OUT_OF_RANGE, WALK_PROTECTION, type PageWalkerOptions } from "./walk-codes";
import { WalkMemo } from "./walk-memo";
import { DIM_GUEST, DIM_HOST, WalkStepBuffer } from "./walk-steps";

export * from "./walk-codes";

const HOST_MEMO_SIZE = 65536;
const RESULT_MEMO_SIZE = 65536;
/** Result-memo key of a 1D walk's (absent) host root, and of a 2D walk over the identity. */
const NO_HOST_ROOT = -1;
const IDENTITY_HOST_ROOT = -2;

/** Reads page tables from host memory, counting every entry read. */
export class PageWalker {
  /** Host physical memory, where every table the hardware reads lives. */
  readonly memory: PhysicalMemory;
  /** Result: frame of the translated base page. */
  frame = 0;
  /** Result: size of the translated page as a shift in base pages (0 = base page, 9 = 2 MiB). */
  leafShift = 0;
  /** Result: WALK_OK, WALK_NOT_PRESENT or WALK_OUT_OF_RANGE. */
  fault = WALK_OK;
  /** Result: level whose entry was not present. */
  faultLevel = 0;
  /** Result (nested): true if the failure was in the host dimension (an EPT violation). */
  faultInHost = false;
  /** Result (nested): the guest frame whose host translation failed. */
  faultGuestFrame = -1;
  /**
   * Result: PERM_WRITE and PERM_DIRTY of the translation (for a nested walk, of both
   * dimensions: the guest's table and the EPT/NPT leaf of the data page).
   */
  perm = 0;
  /**
   * Input: the access is a write. The walk checks R/W at every level (a read-only level gives
   * WALK_PROTECTION) and sets the leaf's dirty bit. Every walk sets the accessed bit of each
   * entry it uses (SDM Vol. 3A §4.8). Set by the MMU around a write's walk.
   */
  write = false;
  /**
   * Called when a host (EPT/NPT) walk sets an EPT dirty bit, with the guest frame: Intel's
   * page-modification logging records exactly these (SDM Vol. 3C §29.3.6). Null when off.
   */
  onHostDirty: ((guestFrame: number) => void) | null = null;
  // Inside a 2D walk: host walks of guest table frames set EPT A and D (guest paging-structure
  // accesses count as writes for EPT A/D, SDM Vol. 3C §29.3.5) but are not permission-checked.
  private adWrite = false;
  private permWrite = false;
  /** Every entry read so far, all walks together. */
  totalRefs = 0;
  /** Walks started (top-level; a nested walk counts once). */
  walks = 0;
  /** Entry reads skipped thanks to the page-walk cache. */
  walkCacheHits = 0;
  /** Where steps go when {@link recordSteps} is true. */
  readonly steps = new WalkStepBuffer(80);
  /** Record every entry read into {@link steps}. Off in bulk runs. */
  recordSteps = false;
  private readonly pwc: PageWalkCache;
  private hostForGuestLevel = 0;
  // Per depth: the last table frame read and where its storage starts (32-bit words), so
  // consecutive walks through the same upper tables skip the frame -> storage lookup.
  // Slots 0-7 serve 1D walks (and the host walks of a 2D walk), slots 8-15 the guest reads.
  private readonly seenFrame = new Float64Array(16).fill(-1);
  private readonly seenWord = new Int32Array(16);
  private seenGeneration = -1;
  // The simulator's memos (walk-memo.ts): completed host walks inside a 2D walk, and whole
  // walks on the MMU's bulk path. Off when steps are recorded or a page-walk cache is on.
  private readonly memoOn: boolean;
  private readonly hostMemo = new WalkMemo(HOST_MEMO_SIZE);
  private readonly resultMemo = new WalkMemo(RESULT_MEMO_SIZE);
  private memoLayout: AddressLayout | null = null;
  private memoHostLayout: AddressLayout | null = null;

  constructor(memory: PhysicalMemory, options: PageWalkerOptions = {}) {
    this.memory = memory;
    this.pwc = new PageWalkCache(options.walkCacheEntries ?? 0);
    this.memoOn = this.pwc.entries === 0 && (options.memo ?? true);
  }

  /** True if completed walks are memoized (the default, unless a page-walk cache is on). */
  get memoEnabled(): boolean {
    return this.memoOn;
  }

  /** Entries per level of the page-walk cache (0: off). */
  get walkCacheEntries(): number {
    return this.pwc.entries;
  }

  /** Host walk of guest frame `gfn` (result in frame/leafShift), through the memo when possible. */
  private hostWalk(H: AddressLayout, hostRoot: number, gfn: number, adWrite: boolean, permWrite: boolean): boolean {
    this.adWrite = adWrite;
    this.permWrite = permWrite;
    const ok = !this.memoOn || this.recordSteps ? this.walk1DFlags(H, hostRoot, gfn, DIM_HOST) : this.walk1DThrough(this.hostMemo, H, hostRoot, gfn, DIM_HOST);
    this.adWrite = this.permWrite = false;
    return ok;
  }

  /**
   * {@link walk1D} for the MMU's bulk path: a walk already done since memory last changed is
   * answered from the memo (same frame, page size and counted references).
   */
  walk1DMemo(L: AddressLayout, rootFrame: number, vpn: number, dim: number): boolean {
    if (!this.memoOn || this.recordSteps) return this.walk1D(L, rootFrame, vpn, dim);
    this.checkMemoLayouts(L, null);
    this.adWrite = this.permWrite = this.write;
    const ok = this.walk1DThrough(this.resultMemo, L, rootFrame, vpn, dim);
    this.adWrite = this.permWrite = false;
    return ok;
  }

  /**
   * A 1D walk answered from `memo` when it can be, stored in it when it succeeds. A write is
   * answered only by a walk that left the page writable and dirty: otherwise the real walk
   * must run to fault or to set the dirty bit.
   */
  private walk1DThrough(memo: WalkMemo, L: AddressLayout, rootFrame: number, vpn: number, dim: number): boolean {
    const gen = this.memory.contentGeneration;
    if (memo.probe(vpn, rootFrame, NO_HOST_ROOT, gen) && (!this.adWrite || memo.perm === PERM_WRITE_DIRTY)) return this.fromMemo(memo);
    const before = this.totalRefs;
    if (!this.walk1DFlags(L, rootFrame, vpn, dim)) return false;
    memo.store(vpn, rootFrame, NO_HOST_ROOT, this.memory.contentGeneration, this.frame, this.leafShift, this.totalRefs - before, this.perm);
    return true;
  }

  /** {@link walk2D} for the MMU's bulk path, through the memo like {@link walk1DMemo}. */
  walk2DMemo(G: AddressLayout, guestRoot: number, vpn: number, H: AddressLayout | null, hostRoot: number): boolean {
    if (!this.memoOn || this.recordSteps) return this.walk2D(G, guestRoot, vpn, H, hostRoot);
    this.checkMemoLayouts(G, H);
    const memo = this.resultMemo;
    const gen = this.memory.contentGeneration;
    const hostKey = H === null ? IDENTITY_HOST_ROOT : hostRoot;
    if (memo.probe(vpn, guestRoot, hostKey, gen) && (!this.write || memo.perm === PERM_WRITE_DIRTY)) {
      this.faultInHost = false;
      return this.fromMemo(memo);
    }
    const before = this.totalRefs;
    if (!this.walk2D(G, guestRoot, vpn, H, hostRoot)) return false;
    memo.store(vpn, guestRoot, hostKey, this.memory.contentGeneration, this.frame, this.leafShift, this.totalRefs - before, this.perm);
    return true;
  }

  /** Takes a memo hit as this walk's result, counting its references. */
  private fromMemo(memo: WalkMemo): boolean {
    this.totalRefs += memo.refs;
    this.frame = memo.frame;
    this.leafShift = memo.leafShift;
    this.perm = memo.perm;
    this.fault = WALK_OK;
    return true;
  }

  /** The memos are keyed by roots, not layouts: walking with other layouts starts them afresh. */
  private checkMemoLayouts(L: AddressLayout, H: AddressLayout | null): void {
    if (L === this.memoLayout && H === this.memoHostLayout) return;
    this.memoLayout = L;
    this.memoHostLayout = H;
    this.resultMemo.clear();
    this.hostMemo.clear();
  }

  /** Drops every page-walk-cache entry (after any page-table change). */
  flushWalkCache(): void {
    this.pwc.flush();
  }

  /**
   * One-dimensional walk of the table at `rootFrame` (a host frame) for base page `vpn`.
   * Returns true on success with the result in {@link frame} and {@link leafShift}.
   * `dim` labels recorded steps (DIM_NATIVE, DIM_SHADOW or DIM_HOST).
   */
  walk1D(L: AddressLayout, rootFrame: number, vpn: number, dim: number): boolean {
    this.adWrite = this.permWrite = this.write;
    const ok = this.walk1DFlags(L, rootFrame, vpn, dim);
    this.adWrite = this.permWrite = false;
    return ok;
  }

  /** {@link walk1D} with the write flags as set by the caller (adWrite: set D; permWrite: check R/W). */
  private walk1DFlags(L: AddressLayout, rootFrame: number, vpn: number, dim: number): boolean {
    const mem = this.memory;
    const slots = mem.slotPlusOne;
    const u32 = mem.u32;
    const page = mem.pageSizeBytes;
    const frameCount = mem.frameCount;
    const size = L.pte.sizeBytes;
    const n = L.levels;
    const shiftAt = L.vpnShiftAtDepth;
    const maskAt = L.indexMaskAtDepth;
    const presentMask = L.presentMask;
    const largeMask = L.largePageMask;
    if (vpn >= L.virtualPages) {
      this.fault = WALK_OUT_OF_RANGE;
      this.faultLevel = n;
      return false;
    }
    const vpnHi = Math.floor(vpn / 4294967296);
    const vpnLo = (vpn - vpnHi * 4294967296) >>> 0;
    let table = rootFrame;
    let d = 0;
    const pwc = this.pwc.entries;
    if (pwc > 0) {
      // Deepest cached table first: each hit skips the reads above it.
      d = this.pwc.deepest(L, dim, rootFrame, vpn);
      if (d > 0) {
        table = this.pwc.table;
        this.walkCacheHits += d;
      }
    }
    const rec = this.recordSteps;
    if (mem.layoutGeneration !== this.seenGeneration) {
      this.seenFrame.fill(-1);
      this.seenGeneration = mem.layoutGeneration;
    }
    const seenFrame = this.seenFrame;
    const seenWord = this.seenWord;
    const leafAllowed = L.leafAllowedAtDepth;
    const pagesPerEntry = L.pagesPerEntryAtDepth;
    const fLowShift = L.frameLowShift;
    const fLowMask = L.frameLowMask;
    const fHighMask = L.frameHighMask;
    const fHighScale = L.frameHighScale;
    const aMask = L.accessedMask;
    const dMask = L.dirtyMask;
    const wMask = L.writableMask;
    let writable = true;
    let refs = 0;
    const smallVpn = vpnHi === 0;
    for (; d < n; d++) {
      const s = shiftAt[d]!;
      const m = maskAt[d]!;
      const index = s >= 32 ? (vpnHi >>> (s - 32)) & m : smallVpn || s === 0 ? (vpnLo >>> s) & m : ((vpnLo >>> s) | (vpnHi << (32 - s))) & m;
      let off = index * size;
      let tf = table;
      if (off >= page) {
        tf = table + Math.floor(off / page);
        off = off % page;
      }
      let lo = 0;
      let hi = 0;
      let w = -1;
      if (size === 8 && seenFrame[d] === tf) {
        // Same table as the last walk at this depth: skip the frame -> storage lookup.
        w = seenWord[d]! + (off >>> 2);
        lo = u32[w]!;
        hi = u32[w + 1]!;
      } else {
        if (tf >= frameCount) {
          this.totalRefs += refs;
          this.fault = WALK_OUT_OF_RANGE;
          this.faultLevel = n - d;
          return false;
        }
        const slot = slots[tf]! - 1;
        if (slot >= 0) {
          if (size === 8) {
            const base = (slot * page) >>> 2;
            seenFrame[d] = tf;
            seenWord[d] = base;
            w = base + (off >>> 2);
            lo = u32[w]!;
            hi = u32[w + 1]!;
          } else {
            lo = mem.readEntryLo(tf, off, size);
          }
        }
      }
      refs++;
      if ((lo & presentMask) === 0) {
        if (rec) this.steps.push(dim, n - d, table, index, lo, hi, false, false, this.hostForGuestLevel);
        this.totalRefs += refs;
        this.fault = WALK_NOT_PRESENT;
        this.faultLevel = n - d;
        return false;
      }
      const leaf = d === n - 1 || ((lo & largeMask) !== 0 && leafAllowed[d] === 1);
      if (rec) this.steps.push(dim, n - d, table, index, lo, hi, true, leaf, this.hostForGuestLevel);
      // The accessed bit of every entry used (SDM Vol. 3A §4.8): not a change any memo depends on.
      if ((lo & aMask) !== aMask) lo = this.setBits(w, tf, off, size, lo, aMask, false);
      if ((lo & wMask) !== wMask) writable = false;
      const next = ((lo >>> fLowShift) & fLowMask) + (hi & fHighMask) * fHighScale;
      if (leaf) {
        this.totalRefs += refs;
        if (this.permWrite && !writable) {
          this.fault = WALK_PROTECTION;
          this.faultLevel = n - d;
          return false;
        }
        if (this.adWrite && writable && (lo & dMask) !== dMask) {
          lo = this.setBits(w, tf, off, size, lo, dMask, true);
          if (dim === DIM_HOST && this.onHostDirty !== null) this.onHostDirty(vpn);
        }
        this.perm = (writable ? PERM_WRITE : 0) | ((lo & dMask) === dMask ? PERM_DIRTY : 0);
        this.frame = s === 0 ? next : next + (vpnLo & (pagesPerEntry[d]! - 1));
        this.leafShift = s;
        this.fault = WALK_OK;
        return true;
      }
      if (pwc > 0 && d + 1 < n) this.pwc.store(L, dim, rootFrame, vpn, d, next);
      table = next;
    }
    this.totalRefs += refs;
    this.fault = WALK_OUT_OF_RANGE;
    return false;
  }

  /**
   * Two-dimensional walk: guest table `G` rooted at guest frame `guestRoot`, each
   * guest-physical frame translated through host table `H` rooted at host frame `hostRoot`.
   * With `H` null the host dimension is the identity (no isolation: guest-physical =
   * host-physical, no host references). Result as for {@link walk1D}; the leaf shift is the
   * smaller of the guest and host page sizes.
   */
  walk2D(G: AddressLayout, guestRoot: number, vpn: number, H: AddressLayout | null, hostRoot: number): boolean {
    const mem = this.memory;
    const page = mem.pageSizeBytes;
    const size = G.pte.sizeBytes;
    const n = G.levels;
    const shiftAt = G.vpnShiftAtDepth;
    const maskAt = G.indexMaskAtDepth;
    this.faultInHost = false;
    if (vpn >= G.virtualPages) {
      this.fault = WALK_OUT_OF_RANGE;
      this.faultLevel = n;
      return false;
    }
    const vpnHi = Math.floor(vpn / 4294967296);
    const vpnLo = (vpn - vpnHi * 4294967296) >>> 0;
    const rec = this.recordSteps;
    const write = this.write;
    let writable = true;
    let guestDirty = false;
    let gTable = guestRoot;
    let dataFrame = -1;
    let guestShift = 0;
    for (let d = 0; d < n; d++) {
      // Host walk for the guest-physical address of this guest table.
      let hTable = gTable;
      if (H !== null) {
        this.hostForGuestLevel = n - d;
        if (!this.hostWalk(H, hostRoot, gTable, true, false)) return this.hostFault(gTable);
        hTable = this.frame;
      } else if (gTable >= mem.frameCount) return this.hostFault(gTable, true);
      const s = shiftAt[d]!;
      const m = maskAt[d]!;
      const index = s === 0 ? vpnLo & m : s >= 32 ? (vpnHi >>> (s - 32)) & m : ((vpnLo >>> s) | (vpnHi << (32 - s))) & m;
      let off = index * size;
      if (off >= page) {
        hTable += Math.floor(off / page);
        off = off % page;
      }
      let lo = 0;
      let hi = 0;
      let w = -1;
      if (mem.layoutGeneration !== this.seenGeneration) {
        this.seenFrame.fill(-1);
        this.seenGeneration = mem.layoutGeneration;
      }
      if (size === 8 && this.seenFrame[8 + d] === hTable) {
        w = this.seenWord[8 + d]! + (off >>> 2);
        lo = mem.u32[w]!;
        hi = mem.u32[w + 1]!;
      } else {
        const slot = mem.slotPlusOne[hTable]! - 1;
        if (slot >= 0) {
          if (size === 8) {
            const base = (slot * page) >>> 2;
            this.seenFrame[8 + d] = hTable;
            this.seenWord[8 + d] = base;
            w = base + (off >>> 2);
            lo = mem.u32[w]!;
            hi = mem.u32[w + 1]!;
          } else lo = mem.readEntryLo(hTable, off, size);
        }
      }
      this.totalRefs++;
      const present = (lo & G.presentMask) !== 0;
      const leaf = present && (d === n - 1 || ((lo & G.largePageMask) !== 0 && G.leafAllowedAtDepth[d] === 1));
      if (rec) this.steps.push(DIM_GUEST, n - d, hTable, index, lo, hi, present, leaf, 0);
      if (!present) {
        this.fault = WALK_NOT_PRESENT;
        this.faultLevel = n - d;
        return false;
      }
      // Guest accessed bits are set by the hardware walker in guest memory: no exit (SDM Vol. 3A §4.8).
      if ((lo & G.accessedMask) !== G.accessedMask) lo = this.setBits(w, hTable, off, size, lo, G.accessedMask, false);
      if ((lo & G.writableMask) !== G.writableMask) writable = false;
      const next = ((lo >>> G.frameLowShift) & G.frameLowMask) + (hi & G.frameHighMask) * G.frameHighScale;
      if (leaf) {
        if (write && !writable) {
          this.fault = WALK_PROTECTION;
          this.faultLevel = n - d;
          return false;
        }
        if (write && (lo & G.dirtyMask) !== G.dirtyMask) lo = this.setBits(w, hTable, off, size, lo, G.dirtyMask, true);
        guestDirty = (lo & G.dirtyMask) === G.dirtyMask;
        dataFrame = s === 0 ? next : next + (vpnLo & (G.pagesPerEntryAtDepth[d]! - 1));
        guestShift = s;
        break;
      }
      gTable = next;
    }
    const guestPerm = (writable ? PERM_WRITE : 0) | (guestDirty ? PERM_DIRTY : 0);
    // Final host walk: the guest-physical frame of the data page (a write checks EPT W and sets EPT D).
    if (H !== null) {
      this.hostForGuestLevel = 0;
      if (!this.hostWalk(H, hostRoot, dataFrame, write, write)) return this.hostFault(dataFrame);
      if (this.leafShift > guestShift) this.leafShift = guestShift;
      this.perm &= guestPerm;
    } else {
      if (dataFrame >= mem.frameCount) return this.hostFault(dataFrame, true);
      this.frame = dataFrame;
      this.leafShift = guestShift;
      this.perm = guestPerm;
    }
    this.fault = WALK_OK;
    return true;
  }

  /**
   * Sets `mask` in an entry the walk just read (word `w` of the pool, or frame/offset for
   * entries narrower than 8 bytes) and returns the new low word. Setting a dirty bit changes
   * what a memoized walk would answer for a write, so it starts a new content generation;
   * setting an accessed bit changes no translation and keeps the memos.
   */
  private setBits(w: number, frame: number, off: number, size: number, lo: number, mask: number, dirty: boolean): number {
    const v = (lo | mask) >>> 0;
    const mem = this.memory;
    if (w >= 0) mem.u32[w] = v;
    else mem.setEntryLo(frame, off, size, v);
    if (dirty) mem.contentGeneration++;
    return v;
  }

  private hostFault(guestFrame: number, identity = false): boolean {
    this.faultInHost = true;
    this.faultGuestFrame = guestFrame;
    if (identity) this.fault = WALK_OUT_OF_RANGE;
    return false;
  }
}
