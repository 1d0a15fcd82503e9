/**
 * What a page table (page-table.ts) needs from the memory and the allocator it works with, and
 * what its operations take and return.
 */
import type { WalkStep } from "./walk-step";

/** What a page table needs from the memory holding it. {@link PhysicalMemory} is one. */
export interface PageTableMemory {
  /** Frame size in bytes. */
  readonly pageSizeBytes: number;
  /** Number of frames. */
  readonly frameCount: number;
  /** High 32 bits of the last entry read. */
  entryHi: number;
  /** Reads the low 32 bits of an entry (high bits to entryHi). */
  readEntryLo(frame: number, byteOffset: number, sizeBytes: number): number;
  /** Writes an entry as low/high halves. */
  writeEntry(frame: number, byteOffset: number, sizeBytes: number, lo: number, hi: number): void;
  /** Makes a frame all zeros (a fresh table must have no present entries). */
  zeroFrame(frame: number): void;
  /** Copies one frame into another (a kernel's copy-on-write break). */
  copyFrame?(from: number, to: number): void;
}

/** Where a page table gets frames for new tables. {@link FrameAllocator} is one. */
export interface TableFrameSource {
  /** One frame. */
  allocate(): number;
  /** A contiguous aligned run (for a root table larger than a page). */
  allocateContiguous(count: number, alignFrames: number): number;
  /** Returns a frame. */
  free(frame: number): void;
}

/** Callbacks when table frames come and go (a shadow-paging hypervisor write-protects them). */
export interface PageTableHooks {
  /** A frame became a table at `level` covering VPNs from `firstVpn`. */
  onTableAllocated?(frame: number, level: number, firstVpn: number): void;
  /** A frame stopped being a table. */
  onTableFreed?(frame: number): void;
}

/** Options of {@link PageTable.map}. */
export interface MapOptions {
  /** Leaf level: 1 for a base page, 2 for an x86 2 MiB page, 3 for 1 GiB. Default 1. */
  level?: number;
  /** Writable bit. Default true. */
  writable?: boolean;
  /** User bit. Default true. */
  user?: boolean;
  /** Dirty bit of the new leaf (and accessed with it). Default false: a clean page. */
  dirty?: boolean;
}

/** The result of looking up one VPN. */
export interface PageLookup {
  /** True if the VPN is mapped. */
  present: boolean;
  /** Frame of the VPN's base page (for a large leaf: the leaf frame plus the page's offset in it). */
  frame: number;
  /** Level of the leaf that maps it (1 = base page); for a fault, the level whose entry was not present. */
  level: number;
  /** Writable bit of the leaf. */
  writable: boolean;
  /** User bit of the leaf. */
  user: boolean;
  /** Accessed bit of the leaf (set by the walker when the page is used). */
  accessed: boolean;
  /** Dirty bit of the leaf (set by the walker on a write); true for a format without one. */
  dirty: boolean;
}

/** The result of translating one address with {@link PageTable.translate}. */
export interface Translation {
  /** True if the address is mapped. */
  ok: boolean;
  /** Physical address (valid when ok). */
  physicalAddress: number;
  /** Virtual page number. */
  vpn: number;
  /** Page offset. */
  offset: number;
  /** Frame of the page (valid when ok). */
  frame: number;
  /** Leaf level, or the level that faulted. */
  level: number;
  /** Why it failed, e.g. "entry not present at level 2" (empty when ok). */
  fault: string;
  /** Every entry read, root first. */
  steps: WalkStep[];
}
