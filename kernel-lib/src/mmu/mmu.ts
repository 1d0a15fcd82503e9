/**
 * The MMU: a TLB in front of the page walker, with the registers that say which table to walk.
 *
 * - native: CR3 holds the host frame of the process's table; a miss walks it (1D).
 * - shadow: CR3 holds the host frame of the hypervisor's shadow table for the running guest
 *   process (GVA -> HPA); a miss walks it exactly like a native table, so a TLB miss costs a
 *   native-length walk. The cost of shadow paging is in the VM exits that keep it in sync.
 * - nested: CR3 holds the guest's own table root (a guest frame) and the EPT pointer holds the
 *   host table root; a miss does the 2D walk.
 *
 * The TLB caches the end-to-end translation (virtual page -> host frame) in every mode,
 * tagged by VM id and address-space id.
 */
import { ConfigError } from "../core/errors";
import type { AddressLayout } from "../memory/layout";
import type { PhysicalMemory } from "../memory/physical-memory";
import type { WalkStep } from "../memory/walk-step";
import { Tlb, tlbTag, type TlbConfig } from "./tlb";
import { DIM_NATIVE, DIM_SHADOW } from "./walk-steps";
import { PageWalker, type PageWalkerOptions } from "./walker";

/** How the MMU translates: on bare metal, through a shadow table, or with a 2D nested walk. */
export type MmuMode = "native" | "shadow" | "nested";

/** Numeric mode codes for the hot path. */
export const MMU_NATIVE = 0;
/** Shadow mode code. */
export const MMU_SHADOW = 1;
/** Nested mode code. */
export const MMU_NESTED = 2;

/** Options of {@link Mmu}. */
export interface MmuOptions {
  /** TLB geometry. Default 16 sets × 4 ways. */
  tlb?: TlbConfig;
  /** Page-walk cache entries per level (0 = off, the default: architectural reference counts). */
  walkCacheEntries?: number;
  /** The walker's memos of completed walks (speed only; see {@link PageWalkerOptions.memo}). Default true. */
  memo?: boolean;
}

/** What one traced translation did. */
export interface MmuTrace {
  /** Host frame of the page, or -1 on a fault. */
  hostFrame: number;
  /** True if the TLB had it. */
  tlbHit: boolean;
  /** Entries read by the walk (0 on a hit). */
  walkRefs: number;
  /** Entry reads, in order. */
  steps: WalkStep[];
  /** Page size of the translation, as a shift in base pages. */
  leafShift: number;
}

/** TLB + walker + translation registers. */
export class Mmu {
  /** The TLB. */
  readonly tlb: Tlb;
  /** The page walker over host memory. */
  readonly walker: PageWalker;
  /** Host physical memory. */
  readonly memory: PhysicalMemory;
  /** Current mode code (MMU_NATIVE, MMU_SHADOW, MMU_NESTED). */
  modeCode = MMU_NATIVE;
  /** Layout of the table CR3 points at (the guest's layout in every mode). */
  layout: AddressLayout;
  /** Layout of the host (EPT/NPT) table, for nested mode. */
  hostLayout: AddressLayout | null = null;
  /** Nested mode with no host dimension (the no-isolation demo: guest-physical = host-physical). */
  hostIdentity = false;
  /** Root of the table to walk: a host frame (native, shadow) or a guest frame (nested). */
  cr3 = 0;
  /** Root of the host table (EPT pointer), in host frames. */
  eptRoot = 0;
  /** TLB tag of the running context (VM id, address-space id). */
  tag = 0;
  /** @internal Per walk leaf shift: the TLB size class it is cached as (wasm-loop.ts copies it). */
  readonly tlbShiftFor: Int8Array;

  constructor(memory: PhysicalMemory, layout: AddressLayout, options: MmuOptions = {}) {
    this.memory = memory;
    this.layout = layout;
    this.tlb = new Tlb(options.tlb);
    this.walker = new PageWalker(memory, { walkCacheEntries: options.walkCacheEntries ?? 0, memo: options.memo ?? true });
    // A page the TLB has no size class for is cached as the largest class that fits in it.
    this.tlbShiftFor = new Int8Array(32);
    for (let s = 0; s < 32; s++) {
      let best = -1;
      for (const t of this.tlb.pageShifts) if (t <= s) best = t;
      this.tlbShiftFor[s] = best;
    }
    if (this.tlbShiftFor[0]! < 0) throw new ConfigError("tlb.pageShifts", this.tlb.pageShifts, "a list that includes 0 (base pages)");
  }

  /** Sets the running context's TLB tag. */
  setContext(vmId: number, asid: number): void {
    this.tag = tlbTag(vmId, asid);
  }

  /**
   * Translates base page `vpn` of the running context to a host frame, or returns -1 when the
   * walk faults (details in {@link walker}). TLB hit -> no memory references; miss -> walk and fill.
   */
  translate(vpn: number): number {
    const hit = this.tlb.lookup(vpn, this.tag);
    if (hit >= 0) return hit;
    const w = this.walker;
    const ok =
      this.modeCode === MMU_NESTED
        ? w.walk2DMemo(this.layout, this.cr3, vpn, this.hostIdentity ? null : this.hostLayout, this.eptRoot)
        : w.walk1DMemo(this.layout, this.cr3, vpn, this.modeCode === MMU_SHADOW ? DIM_SHADOW : DIM_NATIVE);
    w.walks++;
    if (!ok) return -1;
    this.tlb.insert(vpn, this.tag, w.frame, this.tlbShiftFor[w.leafShift]!, w.perm);
    return w.frame;
  }

  /**
   * One data access of the simulation loop: `write` is 0 for a read, 1 for a write (the trace's
   * op code). The same as {@link translate} or {@link translateWrite}, without a branch on the
   * access kind on the TLB-hit path (reads and writes come in random order; a mispredicted
   * branch per access cost the mixed loop about a fifth of its speed).
   */
  translateAccess(vpn: number, write: number): number {
    const tlb = this.tlb;
    const hit = tlb.lookup(vpn, this.tag);
    if (hit >= 0) {
      const perm = tlb.lastHitPerm();
      // A write needs writable and dirty (PERM_WRITE_DIRTY); a read needs nothing more.
      if ((write & ~((perm >> 1) & perm)) === 0) return hit;
    }
    const w = this.walker;
    w.write = write !== 0;
    const ok =
      this.modeCode === MMU_NESTED
        ? w.walk2DMemo(this.layout, this.cr3, vpn, this.hostIdentity ? null : this.hostLayout, this.eptRoot)
        : w.walk1DMemo(this.layout, this.cr3, vpn, this.modeCode === MMU_SHADOW ? DIM_SHADOW : DIM_NATIVE);
    w.write = false;
    w.walks++;
    if (!ok) return -1;
    tlb.insert(vpn, this.tag, w.frame, this.tlbShiftFor[w.leafShift]!, w.perm);
    return w.frame;
  }

  /**
   * {@link translate} for a write. A TLB hit is used as is only if the cached entry is
   * writable and dirty; otherwise the walker walks again as a write, which faults on a
   * read-only mapping (WALK_PROTECTION, the x86 page fault with P=1, W/R=1) or sets the
   * dirty bit and refreshes the entry, as the processor does on the first write through a
   * clean TLB entry (SDM Vol. 3A §4.8). Reads never come here, so their path is unchanged.
   */
  translateWrite(vpn: number): number {
    return this.translateAccess(vpn, 1);
  }

  /**
   * Translates one page and returns what happened, with the walk's steps. With
   * `bypassTlb` the TLB is neither consulted nor filled, so the full walk is always shown.
   */
  translateTraced(vpn: number, options: { bypassTlb?: boolean; write?: boolean } = {}): MmuTrace {
    const w = this.walker;
    const refsBefore = w.totalRefs;
    w.steps.clear();
    w.recordSteps = true;
    let hostFrame: number;
    let tlbHit = false;
    try {
      if (options.bypassTlb) {
        w.write = options.write ?? false;
        const ok =
          this.modeCode === MMU_NESTED
            ? w.walk2D(this.layout, this.cr3, vpn, this.hostIdentity ? null : this.hostLayout, this.eptRoot)
            : w.walk1D(this.layout, this.cr3, vpn, this.modeCode === MMU_SHADOW ? DIM_SHADOW : DIM_NATIVE);
        w.walks++;
        hostFrame = ok ? w.frame : -1;
      } else {
        const hitsBefore = this.tlb.hits;
        hostFrame = options.write ? this.translateWrite(vpn) : this.translate(vpn);
        tlbHit = this.tlb.hits > hitsBefore && w.steps.count === 0;
      }
    } finally {
      w.recordSteps = false;
      w.write = false;
    }
    return {
      hostFrame,
      tlbHit,
      walkRefs: w.totalRefs - refsBefore,
      steps: w.steps.toSteps(this.memory.pageSizeBytes, this.layout.pte.sizeBytes),
      leafShift: hostFrame >= 0 && !tlbHit ? w.leafShift : 0,
    };
  }
}
