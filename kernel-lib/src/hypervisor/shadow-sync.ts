/**
 * Which guest page-table pages a shadow-paging hypervisor write-protects, and when it brings
 * the shadow table back in line with them: the two named shadow-paging models.
 *
 * - `trap-all` (the default): every guest page-table page is write-protected from the moment
 *   it becomes a table, so every guest PTE write exits and is applied to the shadow at once.
 *   An upper bound on the traps (figure B5's hardware VMM traps "every guest PTE write to a
 *   traced page").
 * - `kvm`: as KVM's shadow MMU does (arch/x86/kvm/mmu/mmu.c, paging_tmpl.h):
 *   - a guest table page is write-protected only once the hypervisor has shadowed it, i.e. a
 *     shadow fill walked through it (account_shadowed / kvm_mmu_get_shadow_page): a child's
 *     tables written during fork trap only after the child has run;
 *   - a shadowed last-level table may go out of sync (mmu_try_to_unsync_pages): the first
 *     write to it exits and unprotects it, later writes do not exit; its shadow entries may be
 *     stale until the guest flushes, which x86 requires it to do anyway;
 *   - unsync tables are resynced when the guest loads CR3 (kvm_mmu_sync_roots) and the entry
 *     of one page when it executes INVLPG (FNAME(invlpg)): every changed entry's shadow PTE is
 *     dropped (refilled by the next hidden fault), and the table is write-protected again;
 *   - upper-level tables never go unsync: their writes trap and are applied at once.
 *   The simulator remembers which entries of an unsync table the guest wrote, so a resync
 *   touches exactly those (KVM scans the whole table; the outcome is the same).
 */
import { ConfigError } from "../core/errors";

/** The shadow-paging models: which guest table writes exit, and when the shadow is resynced. */
export type ShadowPagingModel = "trap-all" | "kvm";

/** The shadow-paging models, for validation and pickers. */
export const SHADOW_PAGING_MODELS: readonly ShadowPagingModel[] = ["trap-all", "kvm"];

/** Checks a shadow-paging model name. */
export function checkShadowPagingModel(model: unknown): ShadowPagingModel {
  if (!SHADOW_PAGING_MODELS.includes(model as ShadowPagingModel)) {
    throw new ConfigError("shadowPaging", model, SHADOW_PAGING_MODELS.map((m) => JSON.stringify(m)).join(", "));
  }
  return model as ShadowPagingModel;
}

/** What a guest write to a table page costs under the `kvm` model. */
export const SYNC_IGNORE = 0;
/** The write traps and is applied to the shadow now (an upper-level or a `trap-all` table). */
export const SYNC_TRAP = 1;
/** The write traps once and makes the last-level table unsync; the entry is resynced later. */
export const SYNC_TRAP_UNSYNC = 2;
/** The table is already unsync: the write does not exit; the entry is resynced later. */
export const SYNC_DEFERRED = 3;

/** The `kvm` model's bookkeeping for one VM: shadowed table pages and unsync ones with their written entries. */
export class ShadowSyncState {
  /** Guest table frames the hypervisor has shadowed (write-protected unless unsync). */
  private readonly shadowed = new Set<number>();
  /** Unsync last-level tables: guest frame -> first VPNs of the entries written since the last resync. */
  private readonly unsync = new Map<number, { pid: number; vpns: Set<number> }>();
  /** Tables made unsync so far. */
  unsyncs = 0;

  /** A shadow fill walked these guest table frames: they are shadowed from now on. */
  markShadowed(frames: readonly number[]): void {
    for (const f of frames) this.shadowed.add(f);
  }

  /** A guest frame stopped being a table. */
  forget(frame: number): void {
    this.shadowed.delete(frame);
    this.unsync.delete(frame);
  }

  /**
   * Classifies a guest write to table frame `frame` (of `pid`, at `level`) covering `vpn`;
   * `changed` false when it stored the value the entry held (nothing to resync).
   */
  onWrite(frame: number, pid: number, level: number, vpn: number, changed: boolean): number {
    if (!this.shadowed.has(frame)) return SYNC_IGNORE;
    if (level > 1) return SYNC_TRAP;
    const u = this.unsync.get(frame);
    if (u) {
      if (changed) u.vpns.add(vpn);
      return SYNC_DEFERRED;
    }
    this.unsync.set(frame, { pid, vpns: new Set(changed ? [vpn] : []) });
    this.unsyncs++;
    return SYNC_TRAP_UNSYNC;
  }

  /** Entries (first VPNs) of `pid`'s unsync tables written since their last resync; the tables are synced again. */
  takeAll(pid: number): number[] {
    const out: number[] = [];
    for (const [frame, u] of this.unsync) {
      if (u.pid !== pid) continue;
      for (const v of u.vpns) out.push(v);
      this.unsync.delete(frame);
    }
    return out;
  }

  /** True (and forgotten) if `vpn`'s entry in an unsync table of `pid` was written since the last resync (INVLPG). */
  takeOne(pid: number, vpn: number): boolean {
    for (const u of this.unsync.values()) if (u.pid === pid && u.vpns.delete(vpn)) return true;
    return false;
  }
}
