/**
 * Shadow paging: the software technique for virtualizing the MMU (VMware's binary-translation
 * VMM, KVM and Xen before EPT/NPT).
 *
 * The hardware can walk only one table, so the hypervisor builds, per guest process, a shadow
 * table that maps guest-virtual pages straight to host frames (GVA -> HPA), and points the real
 * CR3 at it. A TLB miss then costs a native-length walk. Keeping the shadow right is the cost:
 *
 * - every guest page-table page is write-protected, so each guest PTE write exits
 *   ("guest-pt-write") and the hypervisor drops the shadow entries it invalidates;
 * - a guest CR3 load exits ("cr3-load") so the hypervisor can switch shadow roots;
 * - shadow entries are filled lazily: a miss in the shadow table exits ("hidden-page-fault"),
 *   the hypervisor walks the guest's table in software and fills the shadow entry; if the guest
 *   has no mapping either, the fault is the guest's and is reflected into it ("guest-page-fault").
 *
 * Which guest table pages are write-protected, and when a shadow is resynced, is the named
 * model of shadow-sync.ts: `trap-all` (the default, an upper bound on the traps) or `kvm`.
 */
import { ConfigError } from "../core/errors";
import type { FrameAllocator } from "../memory/frame-allocator";
import type { AddressLayout } from "../memory/layout";
import { PageTable } from "../memory/page-table";
import type { PhysicalMemory } from "../memory/physical-memory";
import { pageFaultErrorCode } from "../mmu/page-fault";
import { ShadowSyncState, type ShadowPagingModel } from "./shadow-sync";
import { GuestPhysicalMemory, type VirtualMachine } from "./virtual-machine";

/** Outcome of a shadow fill: the shadow entry now exists. */
export const SHADOW_FILLED = 0;
/** Outcome of a shadow fill: the guest has no mapping (a true guest page fault). */
export const SHADOW_GUEST_FAULT = 1;
/** Outcome of a shadow fill: the guest maps memory the VM was not given (isolation fault). */
export const SHADOW_ISOLATION_FAULT = 2;

/** The shadow tables of one VM. */
export class ShadowPager {
  /** Shadow table per guest pid (in host memory, frames from the hypervisor's pool). */
  readonly tables = new Map<number, PageTable>();
  /** Shadow entries filled. */
  fills = 0;
  /** Shadow entries dropped because the guest changed its table. */
  zaps = 0;
  /** The x86 error code of the last guest fault {@link fill} found (mmu/page-fault.ts). */
  lastErrorCode = 0;
  /** The `kvm` model's shadowed/unsync bookkeeping (shadow-sync.ts); null under `trap-all`. */
  readonly sync: ShadowSyncState | null;
  /** The hypervisor's untrapped view of guest memory (it sets guest A/D bits through it). */
  private readonly guestMemory: GuestPhysicalMemory;

  constructor(
    private readonly vm: VirtualMachine,
    private readonly host: PhysicalMemory,
    private readonly layout: AddressLayout,
    private readonly pool: FrameAllocator,
    /** Leaf level of the host pages backing guest memory, in the guest layout (1 = base pages). */
    private readonly hostLeafLevel: number,
    /** Which guest table writes exit and when the shadow is resynced (shadow-sync.ts). Default "trap-all". */
    readonly model: ShadowPagingModel = "trap-all",
  ) {
    this.guestMemory = new GuestPhysicalMemory(vm, host, null);
    this.sync = model === "kvm" ? new ShadowSyncState() : null;
  }

  /** The shadow table of guest process `pid`, created empty on first use. */
  tableFor(pid: number): PageTable {
    let t = this.tables.get(pid);
    if (!t) {
      t = PageTable.create(this.host, this.layout, this.pool);
      t.dimension = "shadow";
      this.tables.set(pid, t);
    }
    return t;
  }

  /**
   * Fills the shadow entry for `vpn` of `pid` from the guest's own table (a hidden fault), for
   * a read or, with `write`, a write. Like KVM's shadow MMU (FNAME(page_fault) and
   * FNAME(walk_addr_generic) in arch/x86/kvm/mmu/paging_tmpl.h) it sets the guest's accessed
   * bits, and on a write the guest's dirty bit, then maps the shadow PTE writable only if the
   * guest PTE is writable and already dirty (FNAME(protect_clean_gpte)), so the first write
   * to a clean page faults to the hypervisor, which sets the guest's D bit and only then makes
   * the shadow PTE writable. With dirty logging by write protection the shadow PTE also stays
   * read-only until the page is logged dirty. A guest fault leaves its x86 error code in
   * {@link lastErrorCode}.
   */
  fill(pid: number, vpn: number, write = false): number {
    const guest = this.vm.kernel.processes.get(pid);
    this.lastErrorCode = pageFaultErrorCode({ present: false, write });
    if (!guest) return SHADOW_GUEST_FAULT;
    const g = guest.table.lookup(vpn);
    if (!g.present) return SHADOW_GUEST_FAULT;
    if (write && !g.writable) {
      this.lastErrorCode = pageFaultErrorCode({ present: true, write });
      return SHADOW_GUEST_FAULT;
    }
    const hostFrame = this.vm.hostFrameOf(g.frame);
    if (hostFrame < 0) return SHADOW_ISOLATION_FAULT;
    guest.table.markAccessed(vpn, write, this.guestMemory);
    this.sync?.markShadowed(guest.table.pathTables(vpn));
    const log = this.vm.dirtyLog;
    if (write && log) log.mark(g.frame);
    const writable = g.writable && (write || g.dirty) && (!log || log.isDirty(g.frame));
    // A writable shadow PTE is made dirty too: the guest page already is, so the hardware need
    // not walk again to set D in the shadow on the first write.
    // The shadow page can be no larger than the guest page or the host page behind it.
    const level = Math.min(g.level, this.hostLeafLevel);
    const pages = this.layout.pagesAtLevel(level);
    const start = vpn - (vpn % pages);
    const shadow = this.tableFor(pid);
    try {
      shadow.map(start, hostFrame - (vpn - start), { level, writable, dirty: writable });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      // A stale entry of another size is in the way: drop it and map again.
      for (let l = 1; l <= this.layout.levels - 1; l++) shadow.clearEntry(start, l);
      shadow.map(start, hostFrame - (vpn - start), { level, writable, dirty: writable });
    }
    this.fills++;
    return SHADOW_FILLED;
  }

  /**
   * Write-protects every shadow PTE of this VM (dirty logging by write protection): the next
   * write to each page faults to the hypervisor. Returns the PTEs changed.
   */
  writeProtectAll(): number {
    let n = 0;
    for (const t of this.tables.values()) {
      const writable: number[] = [];
      t.forEachMapping((vpn, _f, _l, w) => {
        if (w) writable.push(vpn);
      });
      for (const vpn of writable) if (t.protect(vpn, { writable: false })) n++;
    }
    return n;
  }

  /**
   * The guest wrote the entry at `byteOffset` of its table page `guestFrame` (the write
   * trapped). If the entry's value changed, drops the shadow entry covering the same virtual
   * range (and, for an upper-level entry, the shadow subtree below it): the next access
   * refills it through a hidden fault, as KVM's kvm_mmu_pte_write() zaps the shadow PTE
   * (arch/x86/kvm/mmu/mmu.c). Returns the range whose translations the TLB must forget, or
   * null when no shadow entry was dropped: a write that fills a not-present entry (mapping into
   * a fresh region) had no shadow entry and no TLB entry to invalidate.
   */
  onGuestEntryWrite(guestFrame: number, byteOffset: number, changed = true): { pid: number; vpn: number; pages: number; level: number } | null {
    const e = this.entryAt(guestFrame, byteOffset);
    if (!e || !changed) return null;
    return this.zap(e.pid, e.vpn, e.level);
  }

  /** The guest entry at `byteOffset` of table page `guestFrame`: owner, level and first VPN it covers. */
  entryAt(guestFrame: number, byteOffset: number): { pid: number; vpn: number; level: number } | null {
    const info = this.vm.tableInfo.get(guestFrame);
    if (!info) return null;
    const index = Math.floor(byteOffset / this.layout.pte.sizeBytes);
    return { pid: info.pid, vpn: info.firstVpn + index * this.layout.pagesAtLevel(info.level), level: info.level };
  }

  /** Drops `pid`'s shadow entry at `level` covering `vpn`; returns the range dropped, or null if none was there. */
  zap(pid: number, vpn: number, level: number): { pid: number; vpn: number; pages: number; level: number } | null {
    const shadow = this.tables.get(pid);
    if (!shadow || !shadow.clearEntry(vpn, level)) return null;
    this.zaps++;
    return { pid, vpn, pages: this.layout.pagesAtLevel(level), level };
  }

  /** Frees the shadow table of an exited process. */
  drop(pid: number): void {
    this.sync?.takeAll(pid);
    const t = this.tables.get(pid);
    if (t) {
      t.destroy();
      this.tables.delete(pid);
    }
  }

  /** Host frames used by shadow tables. */
  get tableFrames(): number {
    let n = 0;
    for (const t of this.tables.values()) n += t.tableFrameCount;
    return n;
  }
}
