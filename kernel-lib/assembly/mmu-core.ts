/**
 * The simulation loop's hot path in WebAssembly (AssemblyScript): the TLB lookup, the page
 * walk on a miss and the TLB fill, for blocks of trace records.
 *
 * It is the same model as mmu/tlb.ts, mmu/walker.ts and Mmu.translateAccess, line for line,
 * on the same page tables: it reads and writes the host's PhysicalMemory in place (a
 * Wasm-backed memory, see physical-memory.ts), so accessed and dirty bits land where the
 * TypeScript walker would set them. kernel-lib's property test (test/mmu/wasm-loop.test.ts)
 * runs both on random machines and traces and requires equal counters, TLB and memory.
 *
 * Why it exists: a single CLI run of a few million accesses is over before V8 has finished
 * optimizing the TypeScript loop, and even optimized, doubles and bounds checks keep it at
 * 4-8× a plain C version of the same model (bench/tlb-model.c, issue 15). Compiled ahead of
 * the loop (wasm-loop.ts compileOptimized), this runs nested walks faster than that C (its
 * walk memo) and native ones at about 1.9-2.1× it: `npm run bench` measures both.
 *
 * What it leaves to TypeScript: anything that is not a plain read or write of a mapped page.
 * run() stops at the first record it cannot finish (an event, a walk that faults, an LRU clock
 * due for renumbering) without counting it, and the driver (mmu/wasm-loop.ts) replays that
 * record on the TypeScript path, which resolves faults, and resumes. A walk that stops early
 * may have set accessed or dirty bits; setting them again is a no-op, so the replay is exact.
 *
 * Register and array offsets: src/mmu/wasm-layout.ts (shared with the driver).
 */
import {
  ARG_BASE, GUEST_LAYOUT, HOST_LAYOUT, L_ACCESSED, L_DIRTY, L_FRAME_HIGH_MASK, L_FRAME_HIGH_SCALE, L_FRAME_LOW_MASK, L_FRAME_LOW_SHIFT,
  L_LARGE, L_LEAF_AT, L_X86, R_LAYOUT_GENERATION, R_SEEN_GENERATION, SEEN_ADDR, SEEN_FRAME, MEMO_BASE, MEMO_ENTRIES, M_FRAME, M_GENERATION, M_INFO, M_ROOTS, M_VPN, R_GENERATION, R_MEMO, R_ROOTS, L_LEVELS, L_MASK_AT, L_PAGES_AT, L_PRESENT, L_SHIFT_AT, L_VIRTUAL_PAGES, L_WRITABLE, OPS_BASE, OUT_BASE,
  R_CLOCK, R_CR3, R_DIRTY_SETS, R_EPT_ROOT, R_EVICTIONS, R_FRAME_COUNT, R_HITS, R_HOST_DIRTY_HOOK, R_HOST_IDENTITY, R_KEY,
  R_LARGE_SHIFT_COUNT, R_LARGE_SHIFTS, R_LARGE_VALID, R_LAST_HIT, R_MISSES, R_MODE, R_OUT, R_PAGE_BYTES, R_POOL_BASE, R_REFS, R_SET_MASK,
  R_SLOT_BASE, R_TLB_SHIFT_FOR, R_VALID_BY_SHIFT, R_WALKS, R_WAYS, STAMP_LIMIT,
  T_FRAME, T_KEY, T_PAGE_NUMBER, T_PERM, T_SHIFT, T_STAMP,
} from "../src/mmu/wasm-layout";

/** The walker's onHostDirty (Intel PML logs these guest frames), called when R_HOST_DIRTY_HOOK is 1. */
@external("env", "hostDirty")
declare function hostDirty(guestFrame: f64): void;

// BRANCHES. On the hot paths (the probe, the fill, each level of the 1D walk, the memo check; walk2D, behind the memo, is left plain),
// conditions are nested ifs, not && and ||: AssemblyScript compiles `a && b` to a value (an
// if/else yielding 0 or 1) that the enclosing if then tests again, and V8 keeps both the
// value and the test. Written as branches, the miss path of a 2 M-access uniform trace ran
// about 8% faster (measured against the same core with &&).
const MMU_NESTED: i32 = 2;
// The x86-64 entry format (layout.ts X86_64_PTE): present, writable, accessed, dirty, page size.
const X86_PRESENT: u32 = 1;
const X86_WRITABLE: u32 = 2;
const X86_ACCESSED: u32 = 0x20;
const X86_DIRTY: u32 = 0x40;
const X86_LARGE: u32 = 0x80;
const PERM_WRITE: i32 = 1;
const PERM_DIRTY: i32 = 2;

// Registers, loaded by run() and stored back at its end.
let ways: i32 = 0;
let setMask: i32 = 0;
let largeValid: i32 = 0;
let largeShiftCount: i32 = 0;
let pageBytes: i32 = 0;
let frameCount: i64 = 0;
let slotBase: usize = 0;
let poolBase: usize = 0;
let key: f64 = 0;
let dirtySets: i32 = 0;
let hostDirtyHook: i32 = 0;
let nestedMode = false;
let guestX86 = false;
let identityMode = false;
let memoOn = false;
let cr3: i64 = 0;
let eptRoot: i64 = 0;
let generation: f64 = 0;
let roots: f64 = 0;
// Counters the miss path keeps (the hit path counts in run()'s locals).
let missCount: i32 = 0;
let walkCount: i32 = 0;
let evictionCount: i32 = 0;
let refreshHits: i32 = 0;

/** The bits of -1.0, an invalid entry's key (tlb.ts). */
const INVALID_KEY: i64 = 0xbff0000000000000;
// A walk's result (walker.ts: frame, leafShift, perm) and its entry reads, counted only when
// the access completes. Counters that change every access live in run()'s locals, not in
// globals: V8 keeps globals in memory, and a global bumped every level chains each access's
// work behind the previous one's store.
let wFrame: i64 = 0;
let wShift: i32 = 0;
let wPerm: i32 = 0;
let walkRefs: i32 = 0;

@inline function reg32(at: i32): i32 {
  return load<i32>(at);
}

/**
 * The TLB entry holding base page `vpn` under key bits `keyBits`, or -1 (tlb.ts lookup, without
 * counting): the hit path, so it only looks. The victim for a fill is chosen on the miss path
 * (insert()), which is rare where hits are common and costs one more scan of a set where not.
 * Whole numbers as doubles compare equal exactly when their bits do (no -0 or NaN here): one
 * integer compare instead of a double compare and its NaN check. An invalid entry's key (the
 * bits of -1.0) never equals a running key (a tag × 32, not negative), so no validity test.
 */
@inline function probe(vpn: i64, vpnF: f64, keyBits: i64, waysL: i32, setMaskL: i32): i32 {
  const vpnBits = reinterpret<i64>(vpnF);
  const base = (<i32>vpn & setMaskL) * waysL;
  for (let i = base, end = base + waysL; i < end; i++) {
    // (See BRANCHES. Page numbers first: they differ more often than keys.)
    if (load<i64>(T_PAGE_NUMBER + (i << 3)) == vpnBits) {
      if (load<i64>(T_KEY + (i << 3)) == keyBits) return i;
    }
  }
  if (largeValid != 0) return probeLarge(vpn);
  return -1;
}

/** The large-page part of probe(): one set per large page size that has entries. */
function probeLarge(vpn: i64): i32 {
  for (let s = 0; s < largeShiftCount; s++) {
    const shift = load<i32>(R_LARGE_SHIFTS + (s << 2));
    if (load<i32>(R_VALID_BY_SHIFT + (shift << 2)) == 0) continue;
    const pn = vpn >> shift;
    const k = key + <f64>shift;
    const pnF = <f64>pn;
    const base = (<i32>pn & setMask) * ways;
    for (let i = base, end = base + ways; i < end; i++) {
      if (load<f64>(T_KEY + (i << 3)) == k && load<f64>(T_PAGE_NUMBER + (i << 3)) == pnF) return i;
    }
  }
  return -1;
}

@inline function addCount(shift: i32): void {
  const at = R_VALID_BY_SHIFT + (shift << 2);
  store<i32>(at, load<i32>(at) + 1);
  if (shift != 0) largeValid++;
}

@inline function dropCount(shift: i32): void {
  const at = R_VALID_BY_SHIFT + (shift << 2);
  store<i32>(at, load<i32>(at) - 1);
  if (shift != 0) largeValid--;
}

/** tlb.ts insert(): fills the translation of the page holding `vpn`, evicting by LRU, with LRU stamp `stamp`; returns 1 if it evicted a valid entry. */
@inline function insert(vpn: i64, frameOfVpn: i64, shift: i32, perm: i32, stamp: i32): i32 {
  const pn = vpn >> shift;
  const pnF = <f64>pn;
  const k = key + <f64>shift;
  const pnBits = reinterpret<i64>(pnF);
  const kBits = reinterpret<i64>(k);
  const base = (<i32>pn & setMask) * ways;
  let victim = base;
  let oldest: i32 = STAMP_LIMIT + 1;
  for (let i = base, end = base + ways; i < end; i++) {
    const ki = load<i64>(T_KEY + (i << 3));
    // (See BRANCHES.)
    if (ki == INVALID_KEY) {
      victim = i;
      break;
    }
    if (ki == kBits) {
      if (load<i64>(T_PAGE_NUMBER + (i << 3)) == pnBits) {
        victim = i;
        break;
      }
    }
    const st = load<i32>(T_STAMP + (i << 2));
    const older = st < oldest;
    oldest = select<i32>(st, oldest, older);
    victim = select<i32>(i, victim, older);
  }
  return fill(victim, pnF, k, frameOfVpn - (vpn & ((<i64>1 << shift) - 1)), shift, perm, stamp);
}

/** Writes entry `victim` (the second half of tlb.ts insert); returns 1 if it evicted a valid entry. */
@inline function fill(victim: i32, pnF: f64, k: f64, frame: i64, shift: i32, perm: i32, stamp: i32): i32 {
  const old = load<i64>(T_KEY + (victim << 3));
  let evicted = 0;
  if (old == INVALID_KEY) addCount(shift);
  else {
    // Evicted unless the entry held this very page (a refresh; see BRANCHES).
    evicted = 1;
    if (old == reinterpret<i64>(k)) {
      if (load<i64>(T_PAGE_NUMBER + (victim << 3)) == reinterpret<i64>(pnF)) evicted = 0;
    }
    const oldShift = <i32>load<u8>(T_SHIFT + victim);
    if (oldShift != shift) {
      dropCount(oldShift);
      addCount(shift);
    }
  }
  store<f64>(T_PAGE_NUMBER + (victim << 3), pnF);
  store<f64>(T_KEY + (victim << 3), k);
  store<f64>(T_FRAME + (victim << 3), <f64>frame);
  store<u8>(T_SHIFT + victim, <u8>shift);
  store<u8>(T_PERM + victim, <u8>perm);
  store<i32>(T_STAMP + (victim << 2), stamp);
  return evicted;
}

/**
 * Address of the storage of host table frame `frame` (below frameCount), or 0 if it has none
 * (reads as zeros), through the seen-table cache slot `k`.
 */
@inline function tableAt(frame: i64, k: i32, x86: bool): usize {
  const sf = SEEN_FRAME + (k << 3);
  if (load<i64>(sf) == frame) return <usize>load<i32>(SEEN_ADDR + (k << 2));
  const slot = load<i32>(slotBase + (<usize>frame << 2)) - 1;
  if (slot < 0) return 0;
  const at = poolBase + (x86 ? <usize>slot << 12 : <usize>slot * <usize>pageBytes);
  store<i64>(sf, frame);
  store<i32>(SEEN_ADDR + (k << 2), at);
  return at;
}


/**
 * Address of the 8-byte entry at byte `off` of host table frame `frame`, or 0 where memory reads
 * as zeros (a frame past the end of memory, or one without storage: a walk then finds the entry
 * not present). An offset past the page goes on into the next frames (tables wider than a page,
 * as walker.ts reads them; never for `x86`). `k`: the seen-table cache slot (tableAt).
 */
@inline function entryAt(frame: i64, off: i32, k: i32, x86: bool): usize {
  if (!x86 && off >= pageBytes) {
    frame += <i64>(off / pageBytes);
    off = off % pageBytes;
  }
  if (frame >= frameCount) return 0;
  const table = tableAt(frame, k, x86);
  return table == 0 ? 0 : table + <usize>off;
}

/**
 * The frame an entry points at (AddressLayout's frame decode), in integers: this is on the
 * walk's chain of dependent loads, where a round trip through doubles cost ~20 cycles a level.
 * The driver passes layouts whose high-word scale is a whole number (wasm-loop.ts layoutFits).
 */
@inline function frameOf(L: usize, lo: u32, hi: i32): i64 {
  return <i64>((lo >>> load<u32>(L + L_FRAME_LOW_SHIFT)) & load<u32>(L + L_FRAME_LOW_MASK)) + <i64>(hi & load<i32>(L + L_FRAME_HIGH_MASK)) * load<i64>(L + L_FRAME_HIGH_SCALE);
}

/**
 * walker.ts walk1DFlags: a one-dimensional walk of layout `L` from host frame `root` for page
 * `vpn`. adWrite: set the leaf's dirty bit; permWrite: fault on a read-only level; host: an
 * EPT/NPT walk (its dirty bits go to the hostDirty hook). Result in wFrame, wShift, wPerm.
 */
function walk1D(L: usize, root: i64, vpn: i64, adWrite: bool, permWrite: bool, host: bool): bool {
  return load<i32>(L + L_X86) != 0 ? walk1DOf(L, root, vpn, adWrite, permWrite, host, true) : walk1DOf(L, root, vpn, adWrite, permWrite, host, false);
}

/** Empties the seen-table cache when frames have gained or lost storage since it was filled. */
@inline function checkSeen(): void {
  const gen = load<i32>(R_LAYOUT_GENERATION);
  if (load<i32>(R_SEEN_GENERATION) == gen) return;
  for (let k = 0; k < 16; k++) store<i64>(SEEN_FRAME + (k << 3), -1);
  store<i32>(R_SEEN_GENERATION, gen);
}

/**
 * The walk, once for any layout and once specialized (`x86`) for the x86-64 entry format on
 * 4 KiB pages with 9-bit indices (wasm-loop.ts isX86): there the masks, shifts and the frame
 * decode are constants, which takes about half the instructions off each level.
 */
@inline function walk1DOf(L: usize, root: i64, vpn: i64, adWrite: bool, permWrite: bool, host: bool, x86: bool): bool {
  if (vpn >= load<i64>(L + L_VIRTUAL_PAGES)) return false;
  const n = load<i32>(L + L_LEVELS);
  const presentMask: u32 = x86 ? X86_PRESENT : load<u32>(L + L_PRESENT);
  const largeMask: u32 = x86 ? X86_LARGE : load<u32>(L + L_LARGE);
  const aMask: u32 = x86 ? X86_ACCESSED : load<u32>(L + L_ACCESSED);
  const dMask: u32 = x86 ? X86_DIRTY : load<u32>(L + L_DIRTY);
  const wMask: u32 = x86 ? X86_WRITABLE : load<u32>(L + L_WRITABLE);
  let table = root;
  let writable = true;
  for (let d = 0; d < n; d++) {
    const s = x86 ? 9 * (n - 1 - d) : load<i32>(L + L_SHIFT_AT + (d << 2));
    const index = <i32>(vpn >> s) & (x86 ? 511 : load<i32>(L + L_MASK_AT + (d << 2)));
    const at = entryAt(table, index << 3, d, x86);
    let lo: u32 = at == 0 ? 0 : load<u32>(at);
    if ((lo & presentMask) == 0) return false; // (a failed walk's references are not counted: the access is replayed)
    const hi: i32 = load<i32>(at + 4);
    if ((lo & aMask) != aMask) {
      lo |= aMask;
      store<u32>(at, lo);
    }
    if ((lo & wMask) != wMask) writable = false;
    const next = x86 ? <i64>(lo >>> 12) | (<i64>(hi & 0xfffff) << 20) : frameOf(L, lo, hi);
    // A leaf: the last level, or a large-page entry where a large page may be (see BRANCHES).
    if (d != n - 1) {
      if ((lo & largeMask) == 0) {
        table = next;
        continue;
      }
      if (load<i32>(L + L_LEAF_AT + (d << 2)) != 1) {
        table = next;
        continue;
      }
    }
    walkRefs += d + 1;
    if (permWrite && !writable) return false;
    if (adWrite && writable && (lo & dMask) != dMask) {
      lo |= dMask;
      store<u32>(at, lo);
      dirtySets++;
      if (host && hostDirtyHook != 0) hostDirty(<f64>vpn);
    }
    wPerm = (writable ? PERM_WRITE : 0) | ((lo & dMask) == dMask ? PERM_DIRTY : 0);
    wFrame = s == 0 ? next : next + (vpn & ((<i64>1 << s) - 1));
    wShift = s;
    return true;
  }
  return false;
}

/** walker.ts walk2D: the guest's table from guest frame `guestRoot`, every guest-physical frame through the host table. */
function walk2D(vpn: i64, guestRoot: i64, identity: bool, hostRoot: i64, write: bool): bool {
  const G: usize = GUEST_LAYOUT;
  const H: usize = HOST_LAYOUT;
  if (vpn >= load<i64>(G + L_VIRTUAL_PAGES)) return false;
  const n = load<i32>(G + L_LEVELS);
  const presentMask = load<u32>(G + L_PRESENT);
  const largeMask = load<u32>(G + L_LARGE);
  const aMask = load<u32>(G + L_ACCESSED);
  const dMask = load<u32>(G + L_DIRTY);
  const wMask = load<u32>(G + L_WRITABLE);
  let writable = true;
  let guestDirty = false;
  let gTable = guestRoot;
  let dataFrame: i64 = -1;
  let guestShift = 0;
  for (let d = 0; d < n; d++) {
    let hTable = gTable;
    if (!identity) {
      // Host walks of guest table frames set EPT A and D but are not permission-checked (SDM Vol. 3C §29.3.5).
      if (!walk1D(H, hostRoot, gTable, true, false, true)) return false;
      hTable = wFrame;
    }
    const s = load<i32>(G + L_SHIFT_AT + (d << 2));
    const index = <i32>(vpn >> s) & load<i32>(G + L_MASK_AT + (d << 2));
    const at = entryAt(hTable, index << 3, 8 + d, false);
    let lo: u32 = at == 0 ? 0 : load<u32>(at);
    if ((lo & presentMask) == 0) return false; // (a failed walk's references are not counted: the access is replayed)
    const hi: i32 = load<i32>(at + 4);
    const leaf = d == n - 1 || ((lo & largeMask) != 0 && load<i32>(G + L_LEAF_AT + (d << 2)) == 1);
    if ((lo & aMask) != aMask) {
      lo |= aMask;
      store<u32>(at, lo);
    }
    if ((lo & wMask) != wMask) writable = false;
    const next = frameOf(G, lo, hi);
    if (leaf) {
      if (write && !writable) return false;
      if (write && (lo & dMask) != dMask) {
        lo |= dMask;
        store<u32>(at, lo);
        dirtySets++;
      }
      walkRefs += d + 1; // the guest entries read
      guestDirty = (lo & dMask) == dMask;
      dataFrame = s == 0 ? next : next + (vpn & (<i64>load<f64>(G + L_PAGES_AT + (d << 3)) - 1));
      guestShift = s;
      break;
    }
    gTable = next;
  }
  const guestPerm = (writable ? PERM_WRITE : 0) | (guestDirty ? PERM_DIRTY : 0);
  if (!identity) {
    // The data page's guest-physical frame: a write checks EPT W and sets EPT D.
    if (!walk1D(H, hostRoot, dataFrame, write, write, true)) return false;
    if (wShift > guestShift) wShift = guestShift;
    wPerm &= guestPerm;
  } else {
    if (dataFrame >= frameCount) return false;
    wFrame = dataFrame;
    wShift = guestShift;
    wPerm = guestPerm;
  }
  return true;
}

/**
 * A TLB miss, or a hit that a write cannot use (`e`, the entry, or -1): the memo or a walk,
 * then the fill, counted as Mmu.translateAccess counts them. Returns the LRU clock after it,
 * or -1 when the walk faults (nothing counted: run() stops and TypeScript replays the access).
 * A function of its own, called from two places so that it stays one: the hit path in run()
 * is then a short loop with few live values, which V8 compiles without spilling.
 */
function miss(vpn: i64, vpnF: f64, write: bool, e: i32, clock: i32): i32 {
  const before = walkRefs;
  // The memo (walker.ts walk2DMemo), for 2D walks only: a walk done since memory last changed,
  // under the same roots, answers again with its references; a write only if it left the page
  // writable and dirty. (A 1D walk of the tables is about as fast as a memo probe here.)
  const m: usize = <usize>MEMO_BASE + ((<usize>vpn & <usize>(MEMO_ENTRIES - 1)) << 5);
  let memoHit = false;
  // (See BRANCHES.)
  if (memoOn) {
    if (nestedMode) {
      if (load<f64>(m + M_VPN) == vpnF && load<f64>(m + M_GENERATION) == generation + <f64>dirtySets && load<f64>(m + M_ROOTS) == roots) {
        const info = load<i32>(m + M_INFO);
        const perm = (info >> 16) & 0xff;
        if (!write || perm == (PERM_WRITE | PERM_DIRTY)) {
          memoHit = true;
          wFrame = <i64>load<i32>(m + M_FRAME);
          wShift = (info >> 8) & 0xff;
          wPerm = perm;
          walkRefs += info & 0xff;
        }
      }
    }
  }
  if (!memoHit) {
    // (The x86-64 1D walk is written out here, inlined: a call and its spills cost ~7% of a native run.)
    const ok = nestedMode ? walk2D(vpn, cr3, identityMode, eptRoot, write) : guestX86 ? walk1DOf(GUEST_LAYOUT, cr3, vpn, write, write, false, true) : walk1D(GUEST_LAYOUT, cr3, vpn, write, write, false);
    if (!ok) {
      walkRefs = before;
      return -1;
    }
    if (memoOn && nestedMode) {
      store<f64>(m + M_VPN, vpnF);
      store<f64>(m + M_GENERATION, generation + <f64>dirtySets);
      store<f64>(m + M_ROOTS, roots);
      store<i32>(m + M_FRAME, <i32>wFrame);
      store<i32>(m + M_INFO, (walkRefs - before) | (wShift << 8) | (wPerm << 16));
    }
  }
  // The access completes: the hit (a write through a clean entry) or the miss; the walk; the fill.
  if (e >= 0) {
    store<i32>(T_STAMP + (e << 2), ++clock);
    refreshHits++;
    store<i32>(R_LAST_HIT, e);
  } else missCount++;
  walkCount++;
  evictionCount += insert(vpn, wFrame, load<i32>(R_TLB_SHIFT_FOR + (wShift << 2)), wPerm, ++clock);
  return clock;
}

/**
 * Runs records [from, to) of the block (OPS_BASE, ARG_BASE); returns the index of the first
 * record it did not do (`to` when it did them all): an event, a walk that faults or an LRU
 * clock due for renumbering, which TypeScript does (whichever it is). Counter deltas go to
 * R_HITS ... R_WALKS and R_DIRTY_SETS; TLB state stays in the arrays.
 */
export function run(from: i32, to: i32): i32 {
  nestedMode = reg32(R_MODE) == MMU_NESTED;
  guestX86 = load<i32>(GUEST_LAYOUT + L_X86) != 0;
  identityMode = reg32(R_HOST_IDENTITY) != 0;
  const out = reg32(R_OUT) != 0;
  ways = reg32(R_WAYS);
  setMask = reg32(R_SET_MASK);
  largeValid = reg32(R_LARGE_VALID);
  largeShiftCount = reg32(R_LARGE_SHIFT_COUNT);
  pageBytes = reg32(R_PAGE_BYTES);
  frameCount = <i64>reg32(R_FRAME_COUNT);
  slotBase = <usize>reg32(R_SLOT_BASE);
  poolBase = <usize>reg32(R_POOL_BASE);
  hostDirtyHook = reg32(R_HOST_DIRTY_HOOK);
  key = load<f64>(R_KEY);
  cr3 = <i64>load<f64>(R_CR3);
  eptRoot = <i64>load<f64>(R_EPT_ROOT);
  memoOn = reg32(R_MEMO) != 0;
  generation = load<f64>(R_GENERATION);
  roots = load<f64>(R_ROOTS);
  dirtySets = 0;
  walkRefs = 0;
  missCount = walkCount = evictionCount = refreshHits = 0;
  checkSeen();
  let clock = reg32(R_CLOCK);
  // The probe's inputs in locals: V8 keeps globals in memory and reloads them every access.
  const keyBits = reinterpret<i64>(key);
  const waysL = ways;
  const setMaskL = setMask;
  let i = from;
  for (; i < to; i++) {
    const op = <i32>load<u8>(OPS_BASE + i);
    if (op > 1) break; // an event: TypeScript does it
    // An access ticks the LRU clock twice at most (a hit, then a refill); TypeScript renumbers.
    if (clock >= STAMP_LIMIT - 2) break;
    const vpnF = load<f64>(ARG_BASE + (i << 3));
    // The page number as an integer (below 2^52): added to 2^52 its bits are the mantissa,
    // three cheap instructions where a checked double-to-integer conversion takes a dozen.
    const vpn = reinterpret<i64>(vpnF + 4503599627370496.0) & 0xfffffffffffff;
    const e = probe(vpn, vpnF, keyBits, waysL, setMaskL);
    if (e >= 0) {
      const perm = <i32>load<u8>(T_PERM + e);
      // A write needs writable and dirty (Mmu.translateAccess); a read needs nothing more.
      if ((op & ~((perm >> 1) & perm)) == 0) {
        store<i32>(T_STAMP + (e << 2), ++clock);
        // (tlb.ts lastHit, stored, not carried: the loop's registers are few.)
        store<i32>(R_LAST_HIT, e);
        if (out) store<f64>(OUT_BASE + (i << 3), <f64>(<i64>load<f64>(T_FRAME + (e << 3)) + (vpn & ((<i64>1 << load<u8>(T_SHIFT + e)) - 1))));
        continue;
      }
    }
    const next = op == 1 ? miss(vpn, vpnF, true, e, clock) : miss(vpn, vpnF, false, e, clock);
    if (next < 0) break; // the walk faulted: TypeScript resolves the fault and does the access
    clock = next;
    if (out) store<f64>(OUT_BASE + (i << 3), <f64>wFrame);
  }
  store<i32>(R_CLOCK, clock);
  store<i32>(R_LARGE_VALID, largeValid);
  store<i32>(R_DIRTY_SETS, dirtySets);
  // Every record before the stop completed (the loop stops at the first it cannot finish), and
  // each completed access missed or hit: counting neither in the loop keeps two more values
  // out of the loop's registers, which V8 had kept on the stack, a store and a load a record.
  store<f64>(R_HITS, <f64>(i - from - missCount));
  store<f64>(R_MISSES, <f64>missCount);
  store<f64>(R_EVICTIONS, <f64>evictionCount);
  store<f64>(R_REFS, <f64>walkRefs);
  store<f64>(R_WALKS, <f64>walkCount);
  return i;
}
