/**
 * Where the Wasm access loop (kernel-lib/assembly/mmu-core.ts) and its JavaScript driver
 * (wasm-loop.ts) keep things in the linear memory they share: the first CORE_BYTES of a
 * Wasm-backed PhysicalMemory (physical-memory.ts), ahead of its frame map and frame pool.
 *
 * Plain integer constants only: this file is compiled twice, by tsc for the driver and by
 * AssemblyScript for the core, so both sides read one definition of every offset.
 */

/** Bytes reserved at the start of a Wasm-backed memory for the core (16 Wasm pages). */
export const CORE_BYTES = 1048576;

// 32-bit registers (byte offsets).
export const R_MODE = 0; // MMU_NATIVE 0, MMU_SHADOW 1, MMU_NESTED 2
export const R_HOST_IDENTITY = 4; // 1: nested with guest-physical = host-physical
export const R_WAYS = 12;
export const R_SET_MASK = 16;
export const R_CLOCK = 20; // TLB LRU clock (read and written back)
export const R_LARGE_VALID = 24;
export const R_LAST_HIT = 28;
export const R_PAGE_BYTES = 32;
export const R_FRAME_COUNT = 36;
export const R_SLOT_BASE = 40; // byte offset of the frame map (Int32, slot + 1 per frame)
export const R_POOL_BASE = 44; // byte offset of the frame pool
export const R_LARGE_SHIFT_COUNT = 48;
export const R_DIRTY_SETS = 52; // out: dirty bits set (each starts a new content generation)
export const R_HOST_DIRTY_HOOK = 56; // 1: call the hostDirty import when an EPT dirty bit is set
export const R_OUT = 60; // 1: write each access's host frame to OUT_BASE
export const R_MEMO = 68; // 1: memoize completed walks (the walker's memo option)
export const R_LAYOUT_GENERATION = 72; // the memory's layoutGeneration (low 32 bits) at the call
export const R_SEEN_GENERATION = 76; // the layoutGeneration the seen-table cache below holds for
export const R_VALID_BY_SHIFT = 128; // Int32[32]
export const R_LARGE_SHIFTS = 256; // Int32[32]
export const R_TLB_SHIFT_FOR = 384; // Int32[32]

// 64-bit float registers.
export const R_CR3 = 512;
export const R_EPT_ROOT = 520;
export const R_KEY = 528; // TLB key of the running context (tag × 32)
export const R_HITS = 536; // out: deltas of the counters
export const R_MISSES = 544;
export const R_EVICTIONS = 552;
export const R_REFS = 560;
export const R_WALKS = 568;
export const R_GENERATION = 584; // the memory's content generation at the call
export const R_ROOTS = 592; // the walk's roots as one memo key (wasm-loop.ts rootsKey)

/**
 * Per walk depth, the last table frame read and the address of its storage (walker.ts
 * seenFrame/seenWord): a walk through the same upper tables as the last one skips the frame
 * map, and its loads no longer wait on one another. Slots 0-7: 1D walks and host walks; 8-15:
 * a 2D walk's guest reads. Valid for one layoutGeneration.
 */
export const SEEN_FRAME = 768; // BigInt64[16] (frames, -1 when empty)
export const SEEN_ADDR = 896; // Int32[16]

/** Address layouts: the guest's (the table CR3 points at) and the host's (EPT/NPT). */
export const GUEST_LAYOUT = 1024;
export const HOST_LAYOUT = 1280;
// Offsets within a layout block.
export const L_LEVELS = 0;
export const L_PRESENT = 4;
export const L_LARGE = 8;
export const L_ACCESSED = 12;
export const L_DIRTY = 16;
export const L_WRITABLE = 20;
export const L_FRAME_LOW_SHIFT = 24;
export const L_FRAME_LOW_MASK = 28;
export const L_FRAME_HIGH_MASK = 32;
export const L_X86 = 36; // 1: the x86-64 entry format on 4 KiB pages with 9-bit indices (the core's fast walk)
export const L_VIRTUAL_PAGES = 40; // i64
export const L_FRAME_HIGH_SCALE = 48; // i64 (a whole number: see wasm-loop.ts layoutFits)
export const L_SHIFT_AT = 64; // Int32[8]
export const L_MASK_AT = 96; // Int32[8]
export const L_LEAF_AT = 128; // Int32[8]
export const L_PAGES_AT = 160; // Float64[8]
/** Deepest layout the core takes (AddressLayout allows 6 levels). */
export const MAX_LEVELS = 8;

/** TLB arrays: the Tlb's own, placed here (Tlb.placeIn) for the core and TypeScript to share. */
export const TLB_BASE = 4096;
export const MAX_TLB_ENTRIES = 4096;
export const T_PAGE_NUMBER = TLB_BASE; // Float64[E]
export const T_KEY = TLB_BASE + 8 * MAX_TLB_ENTRIES; // Float64[E]
export const T_FRAME = TLB_BASE + 16 * MAX_TLB_ENTRIES; // Float64[E]
export const T_STAMP = TLB_BASE + 24 * MAX_TLB_ENTRIES; // Int32[E]
export const T_SHIFT = TLB_BASE + 28 * MAX_TLB_ENTRIES; // Uint8[E]
export const T_PERM = TLB_BASE + 29 * MAX_TLB_ENTRIES; // Uint8[E]

/** One block of trace records at a time. */
export const BLOCK_RECORDS = 16384;
export const ARG_BASE = 131072; // Float64[BLOCK_RECORDS]: page numbers
export const OUT_BASE = 262144; // Float64[BLOCK_RECORDS]: host frames (when R_OUT)
export const OPS_BASE = 393216; // Uint8[BLOCK_RECORDS]: op codes

/**
 * The core's memo of completed walks, as walker.ts's result memo: direct-mapped by page
 * number, valid for one content generation and one pair of roots; a hit counts the walk's
 * references. One 32-byte entry per slot (a probe reads one cache line): page number,
 * generation, roots (Float64), frame (Int32: host frames are below 2^26), refs | shift << 8 | perm << 16.
 */
export const MEMO_ENTRIES = 16384;
export const MEMO_BASE = 524288; // ends at MEMO_BASE + 32 × MEMO_ENTRIES = 1048576
export const M_VPN = 0;
export const M_GENERATION = 8;
export const M_ROOTS = 16;
export const M_FRAME = 24;
export const M_INFO = 28;

/** LRU stamp limit, as in tlb.ts (2^30 - 2). */
export const STAMP_LIMIT = 1073741822;
